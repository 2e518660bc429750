"""Remotes: their configuration, object transfers to and from them, and an index of what each
holds."""
