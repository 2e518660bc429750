"""Tables for result commands: rich on a terminal, aligned plain text when piped, Markdown or
CSV on request. rich is imported only when drawing on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Sequence

Row = Sequence[str]


def render(headers: Row, rows: Sequence[Row], fmt: str = "table") -> str:
    """``fmt`` is ``table`` (plain aligned), ``md`` or ``csv``."""
    if fmt == "md":
        return _markdown(headers, rows)
    if fmt == "csv":
        return _csv(headers, rows)
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=True)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [headers, *rows]
    ]
    return "\n".join(lines)


def _markdown(headers: Row, rows: Sequence[Row]) -> str:
    def esc(cell: str) -> str:
        return cell.replace("|", "\\|")

    widths = [max(3, *(len(esc(c)) for c in col)) for col in zip(headers, *rows, strict=True)]
    line = [
        "| " + " | ".join(esc(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
        for r in [headers, *rows]
    ]
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line[0], rule, *line[1:]])


def _csv(headers: Row, rows: Sequence[Row]) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buf.getvalue().rstrip("\n")


def print_table(headers: Row, rows: Sequence[Row], fmt: str = "table") -> None:
    """Print to stdout; a rich table only when stdout is a terminal and no format was asked."""
    if fmt == "table" and sys.stdout.isatty():
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table

        # Cells are data, not markup: a value like "[x]" must show as it is.
        table = Table(*map(escape, headers), box=None, header_style="bold")
        for row in rows:
            table.add_row(*map(escape, row))
        Console().print(table)
        return
    print(render(headers, rows, fmt))
