"""The pages of ``trail ui``: each module here that defines ``PAGE`` is one (see ``trail.web``)."""
