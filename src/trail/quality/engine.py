"""The columnar engine: DuckDB, behind a small session object. The only module that imports
``duckdb``; its errors become one-line ``DataReadError``s naming the file and line here.

Why DuckDB and not polars is measured in BENCHMARKS.md ("data quality"): streaming reads of
data larger than memory, CSV errors that carry line numbers, SQL for contract rules, and the
profile costs about what its own ``SUMMARIZE`` does.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from trail.quality import diagnose
from trail.quality.errors import DataReadError, EngineMissingError
from trail.quality.source import Source

# DuckDB type (its first word) → the kind a profile and a contract speak of
_KINDS = {
    "TINYINT": "integer", "SMALLINT": "integer", "INTEGER": "integer", "BIGINT": "integer",
    "HUGEINT": "integer", "UTINYINT": "integer", "USMALLINT": "integer", "UINTEGER": "integer",
    "UBIGINT": "integer", "UHUGEINT": "integer",
    "FLOAT": "float", "DOUBLE": "float", "DECIMAL": "float", "REAL": "float",
    "VARCHAR": "string", "BOOLEAN": "boolean", "DATE": "date",
    "TIMESTAMP": "timestamp", "TIMESTAMP_S": "timestamp", "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_NS": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamp", "TIME": "time",
    "JSON": "mixed",
}  # fmt: skip
NUMERIC = ("integer", "float")


def kind_of(engine_type: str) -> str:
    base = engine_type.split("(")[0].strip().upper()
    return _KINDS.get(base, "other")


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    engine_type: str
    kind: str


@dataclass(frozen=True)
class Table:
    """A source loaded into the session under ``name``."""

    name: str
    source: Source
    columns: tuple[Column, ...]
    rows: int
    numbered: bool = False  # has ``__row`` (and ``__file``): examples can say where they are

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def quote(name: str) -> str:
    """An SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """An SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


class Session:
    """One DuckDB connection; tables loaded into it live as long as it does."""

    def __init__(self, tmp_dir: str | None = None) -> None:
        try:
            import duckdb
        except ImportError:
            raise EngineMissingError() from None
        self._duckdb = duckdb
        self.con = duckdb.connect(":memory:")
        self._spill: str | None = None
        if tmp_dir:  # where a table larger than memory spills: a folder per process
            _clear_dead_spills(tmp_dir)
            self._spill = os.path.join(tmp_dir, str(os.getpid()))
            self.con.execute(f"SET temp_directory = {literal(self._spill)}")
        self._count = 0

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()
        if self._spill is not None:
            from trail.fsutil import remove_tree

            if os.path.isdir(self._spill):
                remove_tree(self._spill)

    def load(self, source: Source, *, row_numbers: bool = False) -> Table:
        """Read ``source`` once into a temp table (Parquet: a view, it is columnar already);
        ``row_numbers`` adds ``__row`` (1-based, in file order) and ``__file``."""
        for file, name in zip(source.files, source.names, strict=True):
            diagnose.not_empty(file, name)
        self._count += 1
        name = f"t{self._count}"
        extra = ""
        if row_numbers:
            extra = "row_number() OVER () AS __row, "
        reader = reader_sql(source, with_file=row_numbers)
        kind = "VIEW" if source.fmt == "parquet" and not row_numbers else "TEMP TABLE"
        self.run(source, f"CREATE {kind} {name} AS SELECT {extra}* FROM {reader}")
        described = self.run(source, f"DESCRIBE {name}")
        cols = tuple(
            Column(str(r[0]), str(r[1]), kind_of(str(r[1])))
            for r in described
            if str(r[0]) not in ("__row", "__file", "filename")
        )
        (rows,) = self.one(source, f"SELECT count(*) FROM {name}")
        table = Table(name, source, cols, int(rows), row_numbers)
        mixed = [c for c in cols if c.kind == "mixed"]
        if mixed:
            _mixed_json(self, table, mixed[0])
        return table

    def run(self, source: Source, sql: str) -> list[tuple[Any, ...]]:
        """Rows of ``sql``; engine errors become ``DataReadError``s about ``source``."""
        try:
            return self.con.execute(sql).fetchall()
        except self._duckdb.Error as exc:
            raise translate(exc, source) from None

    def one(self, source: Source, sql: str) -> tuple[Any, ...]:
        rows = self.run(source, sql)
        return rows[0]


# What reads as a missing value in CSV/TSV (pandas reads these as missing too).
NULLS = "nullstr = ['', 'NA', 'N/A', 'null', 'NULL']"


def _clear_dead_spills(tmp_dir: str) -> None:
    """Spill folders of sessions whose process is gone (killed mid-read)."""
    from trail.fsutil import pid_alive, remove_tree

    try:
        names = os.listdir(tmp_dir)
    except FileNotFoundError:
        return
    for name in names:
        if name.isdigit() and not pid_alive(int(name)):
            remove_tree(os.path.join(tmp_dir, name))


def reader_sql(source: Source, *, with_file: bool = False) -> str:
    files = "[" + ", ".join(literal(f) for f in source.files) + "]"
    opts = ["union_by_name = true"]
    if with_file:
        opts.append("filename = '__file'")
    if source.compression:
        opts.append(f"compression = {literal('gzip' if source.compression == 'gz' else 'zstd')}")
    if source.fmt in ("csv", "tsv"):
        delim = "\\t" if source.fmt == "tsv" else ","
        opts += [f"delim = E'{delim}'", "header = true", "strict_mode = true", NULLS]
        return f"read_csv({files}, {', '.join(opts)})"
    if source.fmt == "parquet":
        opts = [o for o in opts if not o.startswith("compression")]
        return f"read_parquet({files}, {', '.join(opts)})"
    opts.append("format = 'newline_delimited'")
    return f"read_json({files}, {', '.join(opts)})"


_LINE = re.compile(r"(?:CSV Error on Line: |in line |Line: )(\d+)")
_FILE = re.compile(r"""(?:file = |file ["']|in file ["']|file: )([^"'\n]+)""")
_CONVERT = re.compile(
    r'Error when converting column "(?P<col>[^"]*)"\. Could not convert string "(?P<val>[^"]*)"'
    r" to '(?P<type>[^']*)'"
)


def translate(exc: Exception, source: Source) -> DataReadError:
    """One line from an engine error: which file, which line, what is wrong."""
    text = str(exc)
    m = _FILE.search(text)
    file = source.name_of(m.group(1).strip()) if m else _only(source.names)
    m = _LINE.search(text)
    line = int(m.group(1)) if m else None
    conv = _CONVERT.search(text)
    if conv:
        message = (
            f"column '{conv['col']}' mixes types: '{conv['val']}' is not "
            f"{kind_of(conv['type'])} like the rows before it"
        )
        return DataReadError(file, message, line)
    if "not utf-8" in text.lower() or "invalid unicode" in text.lower():
        return DataReadError(file, "not UTF-8 text (save it as UTF-8)", line)
    found = diagnose.first_problem(source)
    if found is not None:
        return found
    first = next((s.strip() for s in text.splitlines() if s.strip()), type(exc).__name__)
    first = re.sub(r"^[A-Za-z ]+Error: ", "", first)
    if "magic bytes" in first.lower():
        first = f"not a {source.fmt} file ({first})"
    return DataReadError(file, first, line)


def _only(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{names[0]} (or another file of the table)"


def _mixed_json(session: Session, table: Table, col: Column) -> None:
    """A JSON Lines column whose values have different JSON types: name the first odd line."""
    q = quote(col.name)
    sql = (
        f"SELECT n, t, v FROM (SELECT row_number() OVER () AS n, json_type({q}) AS t, "
        f"{q}::VARCHAR AS v FROM {table.name}) WHERE t IS NOT NULL AND t <> 'NULL' "
        "ORDER BY n LIMIT 100000"
    )
    rows = session.run(table.source, sql)
    first = str(rows[0][1]) if rows else "NULL"
    words = {"UBIGINT": "number", "BIGINT": "number", "DOUBLE": "number", "VARCHAR": "text"}
    for n, t, v in rows:
        if words.get(t, t) != words.get(first, first):
            raise DataReadError(
                table.source.names[0] if len(table.source.names) == 1 else table.source.label,
                f"column '{col.name}' mixes types: {v} ({words.get(t, t.lower())}) after "
                f"{words.get(first, str(first).lower())} values",
                int(n),
            )
    raise DataReadError(table.source.label, f"column '{col.name}' mixes types")
