"""One operation per module: ``def op(repo, ..., *, options) -> Result``. The core never prints."""
