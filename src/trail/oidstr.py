"""Object ids as DVC spells them: ``<hex>`` for files, ``<hex>.dir`` for directory manifests.

The only place the ``.dir`` suffix is written or parsed; everything else holds ``Oid`` values.
"""

from __future__ import annotations

from trail.types import Kind, Oid

DIR_SUFFIX = ".dir"


def format_oid(oid: Oid) -> str:
    return oid.hex + DIR_SUFFIX if oid.kind is Kind.TREE else oid.hex


def parse_oid(value: str, algo: str) -> Oid:
    if value.endswith(DIR_SUFFIX):
        return Oid(algo, value[: -len(DIR_SUFFIX)], Kind.TREE)
    return Oid(algo, value)
