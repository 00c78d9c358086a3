"""CSV for spreadsheets and LMS imports, safe against formula injection.

A student's name or a check message that starts with `=`, `+`, `-`, `@` (or a tab or carriage
return) is a formula to Excel, LibreOffice and Google Sheets, which an instructor opening the
export would run (OWASP "CSV Injection"). Such text cells get a leading `'`, which spreadsheets
show as text and LMS imports keep as part of a name they do not match on anyway.
Numbers are written by us and never escaped.
"""
from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Iterable

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


def write(path: Path | str, text: str) -> str:
    """Write to `path` atomically ("-": stdout); return where it went, for the CLI to say."""
    if str(path) == "-":
        sys.stdout.write(text)
        return "stdout"
    # UTF-8 with a BOM: Excel then opens accented names correctly; Canvas and Moodle both
    # accept it (Moodle's CSV reader strips it; Canvas's docs ask for UTF-8).
    return str(atomic_write_text(Path(path), text, encoding="utf-8-sig", newline=""))
