"""``trail serve``: a model of the registry (or of a bundle) behind a small HTTP server —
``POST /predict``, ``GET /health``, ``GET /version`` — that can follow a stage of the
registry, swapping to each newly assigned version without dropping a request.

Only the standard library serves (``http.server``): nothing of the web UI's stack is needed.
"""

from trail.serving.loader import Loaded, load_model
from trail.serving.server import ModelServer, Slot

__all__ = ["Loaded", "ModelServer", "Slot", "load_model"]
