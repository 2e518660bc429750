"""trail: reproducible ML — data and models versioned beside Git, DVC-compatible."""

__version__ = "0.1.0"
