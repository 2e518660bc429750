"""Directory manifests in DVC's canonical form, and the ``.dir`` suffix at the format boundary.

A manifest is ``json.dumps(sorted([{algo: hex, "relpath": p}, ...], key=relpath),
sort_keys=True)`` in UTF-8 with Python's default separators. It is built by hand here because
that is 5x faster than ``json.dumps`` on 20,000 entries and gives the same bytes (a property
test holds the two together).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from trail import hashing
from trail.errors import ObjectStoreError
from trail.oidstr import DIR_SUFFIX, format_oid, parse_oid
from trail.paths import safe_relpath
from trail.types import Kind, Oid, TreeEntry

try:  # the C escaper json.dumps uses, without importing the json package on every start
    from _json import encode_basestring_ascii
except ImportError:  # pragma: no cover - CPython always has _json
    from json.encoder import encode_basestring_ascii

__all__ = ["DIR_SUFFIX", "diff", "format_oid", "parse", "parse_oid", "serialize"]


def entry_key(algo: str) -> str:
    """The key a manifest entry stores its hash under (DVC 2's dos2unix entries say ``md5``)."""
    return "md5" if algo == "md5-dos2unix" else algo


def serialize(entries: Iterable[TreeEntry], algo: str) -> bytes:
    return serialize_pairs(((e.relpath, e.oid.hex) for e in entries), algo)


def serialize_pairs(pairs: Iterable[tuple[str, str]], algo: str) -> bytes:
    """The manifest of ``(relpath, hex)`` pairs, in any order."""
    key = entry_key(algo)
    parts = [
        f'{{"{key}": "{hexval}", "relpath": {encode_basestring_ascii(rel)}}}'
        for rel, hexval in sorted(pairs)
    ]
    return ("[" + ", ".join(parts) + "]").encode()


def tree_oid(data: bytes, algo: str) -> Oid:
    return Oid(algo, hashing.get(algo).hash_bytes(data), Kind.TREE)


def parse(data: bytes, algo: str, where: str) -> list[TreeEntry]:
    """Read a manifest, refusing entries whose paths would leave the directory."""
    import json

    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ObjectStoreError(f"{where}: not a valid directory manifest ({exc})") from None
    if not isinstance(raw, list):
        raise ObjectStoreError(f"{where}: not a valid directory manifest (not a list)")
    key = entry_key(algo)
    out: list[TreeEntry] = []
    for item in raw:
        if not isinstance(item, dict) or key not in item or "relpath" not in item:
            raise ObjectStoreError(f"{where}: malformed manifest entry {item!r}")
        rel = safe_relpath(str(item["relpath"]), where)
        out.append(TreeEntry(rel, Oid(algo, str(item[key]))))
    return out


@dataclass(frozen=True, slots=True)
class TreeDiff:
    added: tuple[TreeEntry, ...]
    deleted: tuple[TreeEntry, ...]
    modified: tuple[tuple[TreeEntry, TreeEntry], ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.deleted or self.modified)


def diff(old: Sequence[TreeEntry], new: Sequence[TreeEntry]) -> TreeDiff:
    before = {e.relpath: e for e in old}
    after = {e.relpath: e for e in new}
    added = tuple(e for p, e in sorted(after.items()) if p not in before)
    deleted = tuple(e for p, e in sorted(before.items()) if p not in after)
    modified = tuple(
        (before[p], e) for p, e in sorted(after.items()) if p in before and before[p].oid != e.oid
    )
    return TreeDiff(added, deleted, modified)
