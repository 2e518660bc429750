"""YAML as DVC reads params and metrics: the YAML 1.2 core schema (``1e-3`` is a float,
``010`` is ten, ``yes`` is text; ``yamlcore.ResultsLoader``), on PyYAML's fast C parser."""

from __future__ import annotations

from typing import Any

from trail.results.loaders import ResultsFileError


def load(path: str, text: str) -> Any:
    """The document in ``text``; a syntax error (or an alias bomb) names ``path:line``."""
    from trail.yamlcore import ResultsLoader, parse
    from trail.yamlio import YamlError

    try:
        return parse(text, path, True, ResultsLoader)[0]  # a SafeLoader: no Python objects
    except YamlError as exc:
        raise ResultsFileError(path, exc.message, exc.line) from None
