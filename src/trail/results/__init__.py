"""Params, metrics and plots: loaders, pure diff functions and Vega-Lite rendering.

Everything here takes explicit inputs (a revision's files as bytes, dicts) so the commands and,
later, experiments can share it; nothing reads "the workspace" on its own. A revision is a
``FileReader`` (``WorkspaceReader``, ``GitReader`` — many of them fetched at once with
``prefetch``) opened with ``open_revision``; ``metrics_of``/``params_of`` give its values and
``diff_values`` compares two of them.
"""

from trail.results.collect import RevValues, metrics_of, params_of
from trail.results.declared import Declared, FileReader, PlotDecl, declared_files
from trail.results.diff import Change, Diff, diff_values
from trail.results.loaders import (
    ResultsFileError,
    flatten,
    load_metrics,
    load_metrics_tree,
    load_params,
)
from trail.results.revision import GitReader, Revision, WorkspaceReader, open_revision, prefetch

__all__ = [
    "Change",
    "Declared",
    "Diff",
    "FileReader",
    "GitReader",
    "PlotDecl",
    "ResultsFileError",
    "RevValues",
    "Revision",
    "WorkspaceReader",
    "declared_files",
    "diff_values",
    "flatten",
    "load_metrics",
    "load_metrics_tree",
    "load_params",
    "metrics_of",
    "open_revision",
    "params_of",
    "prefetch",
]
