"""Every CSV the classroom writes or reads: grades.csv, the LMS exports, rosters, extensions and
submission times. One way to write, one rule to read.

Writing: RFC 4180 (CRLF line ends, minimal quoting), as both LMSs write their own, and safe
against formula injection. A student's name or a check message that starts with `=`, `+`, `-`, `@` (or a tab or carriage
return) is a formula to Excel, LibreOffice and Google Sheets, which an instructor opening the
export would run (OWASP "CSV Injection"). Such text cells get a leading `'`, which spreadsheets
show as text and LMS imports keep as part of a name they do not match on anyway.
Numbers are written by us and never escaped.

Reading: an instructor's file may come from a spreadsheet set to another locale; its first
line decides the delimiter (tab, semicolon or comma, whichever it has most of; comma on a
tie), for every file read here.
"""
from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Iterable, Iterator

from grader.core.files import atomic_write_text

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """`value` as a CSV cell: text that a spreadsheet would read as a formula is escaped."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def render(header: list[str], rows: Iterable[list[object]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")   # RFC 4180, as both LMSs write their own
    w.writerow([cell(h) for h in header])
    for row in rows:
        w.writerow([cell(v) for v in row])
    return buf.getvalue()


def write(path: Path | str, text: str, bom: bool = True) -> str:
    """Write to `path` atomically ("-": stdout); return where it went, for the CLI to say.
    `bom`: UTF-8 with a BOM (an export: Excel then opens accented names correctly; Canvas
    and Moodle both accept it: Moodle's CSV reader strips it, Canvas's docs ask for UTF-8);
    without one for grades.csv, as it always was."""
    if str(path) == "-":
        sys.stdout.write(text)
        return "stdout"
    return str(atomic_write_text(Path(path), text, encoding="utf-8-sig" if bom else "utf-8",
                                 newline=""))


# ---- reading -----------------------------------------------------------------------------------

class _Semicolon(csv.excel):
    delimiter = ";"


def dialect(text: str) -> type[csv.Dialect] | str:
    """The dialect of `text`, from its first line: tab, semicolon or comma separated."""
    first = text.split("\n", 1)[0]
    return "excel-tab" if first.count("\t") > first.count(",") else \
        _Semicolon if first.count(";") > first.count(",") else "excel"


def rows(text: str) -> Iterator[list[str]]:
    """The rows of `text` (already decoded), each a list of cells."""
    return csv.reader(io.StringIO(text), dialect(text))


def records(text: str) -> list[dict[str | None, str | None]]:
    """The rows of `text` after its header, as csv.DictReader gives them (extra cells under
    None, missing ones None)."""
    return list(csv.DictReader(io.StringIO(text), dialect=dialect(text)))
