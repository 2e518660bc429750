"""YAML as DVC reads params and metrics: the YAML 1.2 core schema (``1e-3`` is a float,
``010`` is ten, ``yes`` is text; ``yamlcore.ResultsLoader``), on PyYAML's fast C parser."""

from __future__ import annotations

from typing import Any

from trail.results.loaders import ResultsFileError


def load(path: str, text: str) -> Any:
    """The document in ``text``; a syntax error names ``path:line``."""
    import yaml

    from trail.yamlcore import ResultsLoader

    try:
        return yaml.load(text, Loader=ResultsLoader)  # a SafeLoader: no Python objects
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ResultsFileError(path, f"invalid YAML: {exc.problem or exc}", line) from None
    except yaml.YAMLError as exc:
        raise ResultsFileError(path, f"invalid YAML: {exc}") from None
