"""Plots: which plots a revision defines, their data as long rows (``rev``, ``file``,
``field``, ``x``, ``y``), and images as bytes. Rendering lives in ``templates``/``html``."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from trail.errors import TrailError
from trail.results.declared import PlotDecl
from trail.results.loaders import (
    ResultsFileError,
    Scalar,
    file_format,
    parse_structured,
    read_table,
)
from trail.results.revision import Revision

IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
}


class PlotError(TrailError):
    """A plot that cannot be drawn: a missing target or file, an unknown template."""


@dataclass(frozen=True, slots=True)
class Image:
    rev: str
    path: str
    mime: str
    data: bytes


@dataclass(frozen=True)
class PlotData:
    """One plot across revisions: long data rows, or images."""

    id: str
    props: Mapping[str, Any]
    rows: tuple[dict[str, Scalar], ...] = ()
    images: tuple[Image, ...] = ()
    x_name: str = "step"
    y_names: tuple[str, ...] = ()
    revs: tuple[str, ...] = field(default=())


def is_image(path: str) -> bool:
    return posixpath.splitext(path)[1].lower() in IMAGE_TYPES


def expand(rev: Revision, targets: Sequence[str] = ()) -> list[PlotDecl]:
    """The plots of a revision (``targets`` narrows them; an undeclared file target is drawn
    with default props); directories become one plot per file inside."""
    decls = list(rev.declared.plots)
    if targets:
        by_id = {d.id: d for d in decls}
        decls = [by_id.get(t) or _under(decls, t) or PlotDecl(t, {}) for t in targets]
    out: list[PlotDecl] = []
    for decl in decls:
        if _sources(decl) == [decl.id] and not _has_file(rev, decl.id):
            inside = rev.list_files(decl.id)
            out += [PlotDecl(p, decl.props, decl.top_level) for p in inside] or [decl]
        else:
            out.append(decl)
    return out


def _under(decls: list[PlotDecl], target: str) -> PlotDecl | None:
    """A file inside a declared plots directory keeps that directory's props."""
    for decl in decls:
        if target.startswith(decl.id.rstrip("/") + "/"):
            return PlotDecl(target, decl.props, decl.top_level)
    return None


def _has_file(rev: Revision, path: str) -> bool:
    out = rev.declared.lock_outs.get(path)
    return bool(rev.read([path])) or (out is not None and not out.hex.endswith(".dir"))


def _sources(decl: PlotDecl) -> list[str]:
    """Files a plot reads: the keys of a ``y`` mapping, else the plot id itself."""
    y = decl.props.get("y")
    if isinstance(y, Mapping):
        return [str(k) for k in y]
    return [decl.id]


def _columns(spec: Any, file: str) -> list[str]:
    if isinstance(spec, Mapping):
        spec = spec.get(file)
    if spec is None:
        return []
    return [str(s) for s in spec] if isinstance(spec, list) else [str(spec)]


@dataclass(frozen=True, slots=True)
class PlotFailure:
    """A plot file that could not be read at one revision (DVC lists these, draws the rest)."""

    plot: str
    rev: str
    source: str
    kind: str  # the kind of failure, as DVC names it (FileNotFoundError, …)
    message: str


def collect(
    decl: PlotDecl, revs: Sequence[Revision], declared_at: Sequence[str] | None = None
) -> tuple[PlotData, list[PlotFailure]]:
    """The data of one plot at every revision in ``revs``, and the failures: a file missing
    at a revision that declares the plot (``declared_at``; None: all of them), or one that does
    not parse. What could be read is drawn."""
    files = _sources(decl)
    if all(is_image(f) for f in files):
        return _images(decl, files, revs, declared_at)
    rows: list[dict[str, Scalar]] = []
    x_name, y_names = "step", []
    failures: list[PlotFailure] = []
    found: list[str] = []
    for rev in revs:
        blobs = rev.read(files)
        for file in files:
            if file not in blobs:
                if declared_at is None or rev.name in declared_at:
                    failures.append(_missing(decl.id, rev.name, file))
                continue
            try:
                header = decl.props.get("header", True) is not False
                records = table_of(file, blobs[file], header)
                x_cols = _columns(decl.props.get("x"), file)
                x_col = x_cols[0] if x_cols else None
                y_cols = _columns(decl.props.get("y"), file) or _default_y(records, x_col)
                rows += _long_rows(rev.name, file, records, x_col, y_cols)
            except ResultsFileError as exc:
                failures.append(PlotFailure(decl.id, rev.name, file, _kind(exc), str(exc)))
                continue
            x_name = x_col or x_name
            y_names += [y for y in y_cols if y not in y_names]
            found.append(rev.name)
    data = PlotData(decl.id, decl.props, tuple(rows), (), x_name, tuple(y_names), _uniq(found))
    return data, failures


def _missing(plot: str, rev: str, file: str) -> PlotFailure:
    msg = f"[Errno 2] No such file or directory: '{file}'"
    return PlotFailure(plot, rev, file, "FileNotFoundError", msg)


def _kind(exc: ResultsFileError) -> str:
    if exc.message.startswith("invalid "):
        return f"{file_format(exc.path).upper()}FileCorruptedError"
    return type(exc).__name__


def _uniq(names: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def _images(
    decl: PlotDecl, files: list[str], revs: Sequence[Revision], declared_at: Sequence[str] | None
) -> tuple[PlotData, list[PlotFailure]]:
    images = []
    failures = []
    for rev in revs:
        blobs = rev.read(files)
        for file in files:
            if file in blobs:
                mime = IMAGE_TYPES[posixpath.splitext(file)[1].lower()]
                images.append(Image(rev.name, file, mime, blobs[file]))
            elif declared_at is None or rev.name in declared_at:
                failures.append(_missing(decl.id, rev.name, file))
    found = _uniq([i.rev for i in images])
    return PlotData(decl.id, decl.props, images=tuple(images), revs=found), failures


def _default_y(records: list[dict[str, Scalar]], x_col: str | None) -> list[str]:
    """Without ``y``, the last column that is not ``x`` (DVC's choice)."""
    if not records:
        return []
    cols = [c for c in records[0] if c != x_col]
    return cols[-1:]


def _long_rows(
    rev: str, file: str, records: list[dict[str, Scalar]], x_col: str | None, y_cols: list[str]
) -> list[dict[str, Scalar]]:
    rows: list[dict[str, Scalar]] = []
    for y_col in y_cols:
        for step, record in enumerate(records):
            if y_col not in record:
                raise ResultsFileError(file, f"no column '{y_col}' (has {', '.join(record)})")
            x = record.get(x_col, None) if x_col else step
            if x_col and x_col not in record:
                raise ResultsFileError(file, f"no column '{x_col}' (has {', '.join(record)})")
            rows.append({"rev": rev, "file": file, "field": y_col, "x": x, "y": record[y_col]})
    return rows


def table_of(path: str, data: bytes, header: bool = True) -> list[dict[str, Scalar]]:
    """Records of a plots file: csv/tsv rows (``header: false``: columns ``"0"``, ``"1"``…),
    or a JSON/YAML list of mappings (top level or the first list inside a mapping)."""
    fmt = file_format(path)
    if fmt in ("csv", "tsv"):
        return read_table(path, data, "," if fmt == "csv" else "\t", header)
    doc = parse_structured(path, data)
    if isinstance(doc, Mapping):
        doc = next((v for v in doc.values() if isinstance(v, list)), None)
    if not isinstance(doc, list) or not all(isinstance(r, Mapping) for r in doc):
        raise ResultsFileError(path, "plot data must be a list of records (mappings)")
    return [dict(r) for r in doc]
