"""Where an object lives in a store: one layout for the cache and every remote (DVC's own),
``files/<algo>/ab/cdef…`` (``.dir`` for manifests), DVC 2's ``md5-dos2unix`` objects at the
root, ``ab/cdef…``. Paths are ``/``-separated and relative to the store's root."""

from __future__ import annotations

from trail.oidstr import DIR_SUFFIX, format_oid
from trail.types import Kind, Oid

LEGACY = "md5-dos2unix"
ALGOS = ("blake3", "md5", LEGACY)


def prefix(algo: str) -> str:
    """The folder that holds the objects of ``algo`` ("" for the store's root)."""
    return "" if algo == LEGACY else f"files/{algo}"


def object_path(oid: Oid) -> str:
    name = format_oid(oid)
    rel = f"{name[:2]}/{name[2:]}"
    return f"{prefix(oid.algo)}/{rel}" if oid.algo != LEGACY else rel


def parse_object_path(rel: str, algo: str, hexlen: int) -> Oid | None:
    """The object at ``rel`` (``ab/cdef…``, relative to ``prefix(algo)``), or None for any
    other file there (a temp file, a stray)."""
    parts = rel.split("/")
    if len(parts) != 2 or len(parts[0]) != 2:
        return None
    name, kind = parts[1], Kind.BLOB
    if name.endswith(DIR_SUFFIX):
        name, kind = name[: -len(DIR_SUFFIX)], Kind.TREE
    hexval = parts[0] + name
    if len(hexval) != hexlen:
        return None
    try:
        int(hexval, 16)
    except ValueError:
        return None
    return Oid(algo, hexval.lower(), kind)
