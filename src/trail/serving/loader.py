"""The model a loader function makes: ``serve: src/serve.py:load`` in an artifact's meta names a
Python file and a function in it, given the artifact's path, returning an object with
``predict(list of dicts) -> list``."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from trail.errors import TrailError


class LoaderError(TrailError):
    """The loader named in an artifact's meta cannot be found, imported or run."""


@dataclass(frozen=True)
class Loaded:
    """A model ready to answer, with what ``/version`` says about it."""

    model: Any
    info: dict[str, Any] = field(default_factory=dict)


def load_model(module_file: str, func: str, artifact_path: str, info: dict[str, Any]) -> Loaded:
    """Import ``module_file`` (its folder first on ``sys.path``, so it can import its
    neighbours), call ``func(artifact_path)`` and check the result can ``predict``."""
    if not os.path.isfile(module_file):
        raise LoaderError(f"the serving module '{module_file}' does not exist")
    # One module name per file and content: a newer version of the same file loads anew.
    with open(module_file, "rb") as f:
        digest = hashlib.sha256(f.read() + module_file.encode()).hexdigest()[:16]
    name = f"trail_serve_{digest}"
    spec = importlib.util.spec_from_file_location(name, module_file)
    if spec is None or spec.loader is None:
        raise LoaderError(f"cannot import '{module_file}'")
    module = importlib.util.module_from_spec(spec)
    folder = os.path.dirname(os.path.abspath(module_file))
    sys.path.insert(0, folder)
    try:
        sys.modules[name] = module
        spec.loader.exec_module(module)
        loader = getattr(module, func, None)
        if not callable(loader):
            raise LoaderError(f"'{module_file}' has no function '{func}'")
        model = loader(artifact_path)
    except LoaderError:
        raise
    except Exception as exc:  # the project's code failed: say where, keep it one line
        raise LoaderError(
            f"loading the model with {os.path.basename(module_file)}:{func} failed: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    finally:
        try:
            sys.path.remove(folder)
        except ValueError:
            pass
    if not callable(getattr(model, "predict", None)):
        raise LoaderError(
            f"{os.path.basename(module_file)}:{func} returned {type(model).__name__}, "
            "which has no predict(records) method"
        )
    return Loaded(model, info)
