"""Text every layer writes the same way: points as a person reads them, and a student's output
without what a terminal would obey (colour codes, cursor moves, window titles, bells)."""
from __future__ import annotations

import re

# ECMA-48's escape sequences: CSI (ESC [ parameters intermediates final: colours, cursor moves,
# erasing); the string ones with their text (OSC, ESC ] ... BEL or ST: window titles, links;
# DCS, SOS, PM, APC); and the rest (ESC, intermediates, one final: ESC 7, ESC M, ESC ( B).
# What a cut-off sequence leaves behind is only text.
ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)"
                     r"|\x1b[ -/]*[0-~]")
# The control characters (C0 but tab and newline, DEL, and C1, which some terminals obey as
# escapes: \x9b is a one-byte CSI).
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def fmt_points(v: float) -> str:
    """7.0 -> '7', 7.5 -> '7.5', 2.3333 -> '2.33'."""
    return f"{v:.2f}".rstrip("0").rstrip(".")


def strip_escapes(text: str) -> str:
    """`text` without terminal escape sequences."""
    return ESCAPES.sub("", text)


def clean(text: str | None) -> str:
    """`text` without escape sequences and control characters, newlines kept (CRLF as LF): a
    message for the report, the JSON and the terminal."""
    return CONTROLS.sub("", strip_escapes(text or "").replace("\r\n", "\n"))


def printable(line: str) -> str:
    """One line of a student's output as it may be shown: escape sequences gone, and every
    character a terminal would not print as itself (controls, bidi overrides, zero-width ones)
    shown as U+FFFD, so what is hidden is seen to be there."""
    return "".join(ch if ch.isprintable() or ch == "\t" else "\ufffd"
                   for ch in strip_escapes(line))


def cut(text: str, limit: int) -> str:
    """`text` at most `limit` characters, its end marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[:limit - 1] + "…"
