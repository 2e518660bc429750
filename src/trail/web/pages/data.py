"""Data: the tracked outputs of any revision with size and file count, an output's history
across commits, the inside of a tracked directory at any revision, what changed between two
revisions, previews (first rows of CSV/TSV, JSON, images, text) and downloads.

Paths outside the repository or its tracked outputs are refused with 403 (``data_browse``).
"""

from __future__ import annotations

import csv
import io
import json
import posixpath
from typing import Any

from trail.web.page import Api, Blob, Call, Page

PREVIEW_BYTES = 256 << 10
PREVIEW_ROWS = 50
IMAGES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
          ".svg": "image/svg+xml", ".webp": "image/webp"}  # fmt: skip


def _rev(call: Call) -> str:
    return call.arg("rev") or "workspace"


def outputs(call: Call) -> dict[str, Any]:
    from trail.ops.data_browse import tracked_at

    return {
        "rev": _rev(call),
        "outputs": [
            {
                "path": t.path,
                "hash": str(t.oid) if t.oid is not None else None,
                "isdir": bool(t.oid is not None and t.oid.is_tree),
                "size": t.meta.size,
                "nfiles": t.meta.nfiles,
                "source": t.source,
            }
            for t in tracked_at(call.repo, _rev(call))
        ],
    }


def history(call: Call) -> dict[str, Any]:
    from trail.ops.data_browse import history as versions

    found = versions(call.repo, call.need("path"), limit=call.number("limit", 50))
    return {
        "path": call.need("path"),
        "versions": [
            {
                "commit": v.commit,
                "time": v.time,
                "subject": v.subject,
                "hash": str(v.oid) if v.oid is not None else None,
                "size": v.meta.size,
                "nfiles": v.meta.nfiles,
            }
            for v in found
        ],
    }


def listing(call: Call) -> dict[str, Any]:
    from trail.ops.data_browse import listdir

    entries = listdir(call.repo, call.need("path"), _rev(call))
    return {
        "rev": _rev(call),
        "path": call.need("path"),
        "entries": [
            {
                "path": e.path,
                "isdir": e.isdir,
                "size": e.size,
                "nfiles": e.nfiles,
                "hash": str(e.oid) if e.oid is not None else None,
            }
            for e in entries
        ],
    }


def changes(call: Call) -> dict[str, Any]:
    """``trail diff A B`` (B: the workspace when not given)."""
    from trail.ops.diff import diff

    a = call.arg("a") or "HEAD"
    b = call.arg("b")
    result = diff(call.repo, a, None if b in (None, "", "workspace") else b)
    return {
        "a": a,
        "b": b or "workspace",
        "added": [{"path": p, "hash": str(o)} for p, o in result.added],
        "deleted": [{"path": p, "hash": str(o)} for p, o in result.deleted],
        "modified": [{"path": p, "old": str(x), "new": str(y)} for p, x, y in result.modified],
        "not_in_cache": list(result.not_in_cache),
    }


def preview(call: Call) -> dict[str, Any]:
    """The start of a file: a table for CSV/TSV, JSON, an image (by URL), or text."""
    from trail.ops.data_browse import open_file

    path, rev = call.need("path"), _rev(call)
    stream, size = open_file(call.repo, path, rev)
    with stream:
        head = stream.read(PREVIEW_BYTES)
    ext = posixpath.splitext(path)[1].lower()
    out: dict[str, Any] = {"path": path, "rev": rev, "size": size, "truncated": size > len(head)}
    if ext in IMAGES:
        return {**out, "kind": "image"}
    text = _text(head)
    if text is None:
        return {**out, "kind": "binary"}
    if ext in (".csv", ".tsv"):
        rows = list(csv.reader(io.StringIO(text), delimiter="\t" if ext == ".tsv" else ","))
        if out["truncated"] and rows:
            rows = rows[:-1]  # the last line may be cut in the middle
        return {**out, "kind": "table", "header": rows[:1], "rows": rows[1 : PREVIEW_ROWS + 1]}
    if ext == ".json" and not out["truncated"]:
        try:
            return {
                **out,
                "kind": "json",
                "text": json.dumps(json.loads(text), indent=2)[:PREVIEW_BYTES],
            }
        except ValueError:
            pass
    return {**out, "kind": "text", "text": text}


def _text(data: bytes) -> str | None:
    if b"\0" in data[:4096]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 4:  # a character cut at the end of the preview
            return data[: exc.start].decode("utf-8")
        return None


def file(call: Call) -> Blob:
    """A tracked file's bytes (``download=1``: as an attachment)."""
    from trail.ops.data_browse import open_file

    path = call.need("path")
    stream, size = open_file(call.repo, path, _rev(call))
    ext = posixpath.splitext(path)[1].lower()
    download = call.flag("download")
    # An SVG's own scripts cannot run: the page policy allows only the app's script files,
    # and nosniff keeps a tracked .js file (sent as octet-stream) from being one.
    media = IMAGES.get(ext, "application/octet-stream")
    name = posixpath.basename(path) if download or media == "application/octet-stream" else None
    return Blob(media, stream=stream, size=size, filename=name)


PAGE = Page(
    path="/data",
    title="Data",
    script="data.js",
    order=50,
    api={
        "data/outputs": Api(outputs, cached=True),
        "data/history": Api(history, cached=True),
        "data/list": Api(listing, cached=True),
        "data/diff": Api(changes, cached=True),
        "data/preview": preview,
        "data/file": file,
    },
)
