"""``-S [file:]key=value``: parse, expand into a grid, check against the params files, write.

Grammar (a subset of DVC's, which follows Hydra's override grammar):
``key=value`` changes a key that exists, ``+key=value`` adds one that does not, ``++key=value``
sets it either way, ``~key`` deletes it. ``file:`` defaults to ``params.yaml``. The value is read
as YAML (``0.1`` a number, ``true`` a boolean, ``[1, 2]`` a list, ``'3'`` a string);
``a,b,c`` at the top level is a sweep of three values (for queued grids).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from trail.experiments.errors import SetParamError

DEFAULT_FILE = "params.yaml"
OPS = ("set", "add", "upsert", "delete")


@dataclass(frozen=True, slots=True)
class SetParam:
    """One ``-S`` as typed (``spec``), split into file, dotted key, operation and values."""

    spec: str
    file: str
    key: str
    op: str = "set"
    values: tuple[Any, ...] = ()
    texts: tuple[str, ...] = ()  # each value as typed, for string params given a number

    @property
    def value(self) -> Any:
        return self.values[0] if self.values else None

    def one(self, index: int) -> SetParam:
        """This edit with only its ``index``-th value (a point of a sweep)."""
        return SetParam(
            self.spec, self.file, self.key, self.op, (self.values[index],), (self.texts[index],)
        )


def parse_set(spec: str, default_file: str = DEFAULT_FILE) -> SetParam:
    """Parse one ``-S`` argument; a malformed one is a ``SetParamError`` naming it."""
    lhs, eq, rhs = spec.partition("=")
    file = default_file
    if ":" in lhs:
        file, _, lhs = lhs.partition(":")
        if not file:
            raise SetParamError(spec, "the file name before ':' is empty")
    op = "set"
    for prefix, name in (("++", "upsert"), ("+", "add"), ("~", "delete")):
        if lhs.startswith(prefix):
            op, lhs = name, lhs[len(prefix) :]
            break
    key = lhs.strip()
    if not key or any(not part for part in key.split(".")):
        raise SetParamError(spec, "expected [file:]key=value with a key like train.lr")
    if op == "delete":
        return SetParam(spec, file, key, op)
    if not eq:
        raise SetParamError(spec, "expected [file:]key=value (no '=' found)")
    texts = tuple(split_sweep(rhs))
    values = tuple(parse_value(spec, t) for t in texts)
    return SetParam(spec, file, key, op, values, texts)


def split_sweep(text: str) -> list[str]:
    """``"0.1,0.2"`` → two values; commas inside brackets or quotes do not split."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts] if len(parts) > 1 else [text.strip()]


def parse_value(spec: str, text: str) -> Any:
    """A value as YAML reads it (YAML 1.2: ``1e-3`` is a number, ``yes`` is text)."""
    if text == "":
        return ""
    from trail.results.loaders import ResultsFileError, load_yaml

    try:
        return load_yaml("-S", text)
    except ResultsFileError as exc:
        if text[0] in "[{'\"":
            raise SetParamError(spec, f"cannot read the value {text!r}: {exc.message}") from None
        return text  # plain text that only looks odd to YAML (``a: b: c``) stays text


def grid(sets: Sequence[SetParam]) -> list[list[SetParam]]:
    """Every combination of the sweeps in ``sets``: ``a=1,2 b=3,4`` gives four runs."""
    choices = [[s] if s.op == "delete" else [s.one(i) for i in range(len(s.values))] for s in sets]
    return [list(combo) for combo in itertools.product(*choices)]
