"""What a student reads first: one cause, one message.

- `next_step`: the one sentence the report and the terminal lead with. A submission that did not
  run says why; a crash or timeout of the student's code comes before any wrong value (the
  values are not to be trusted then), and where that is a name the code does not define while a
  notebook cell did not run (a SyntaxError, or it raised), that cell comes first: it is the likely
  cause; otherwise the diagnosis (checks.cause) most failing checks agree on; otherwise the first
  failing check's hint.
- `faults`: the student's code raised or stopped the same way in several checks: one entry, with
  the checks it cost, shown once and first.
- `clean` / `shorten`: messages without terminal colour codes, cut between words.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from .loader import failed_cell
from .result import ERROR, FAILED, FORBIDDEN, GRADED, LOAD_ERROR, SYNTAX_ERROR, CheckResult

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# What the student's code raised when it uses a name it never defined (GD, or a helper of GD's).
_UNDEFINED = re.compile(r"NameError: name '(\w+)' is not defined"
                        r"|AttributeError: module '[\w.]+' has no attribute '(\w+)'"
                        r"|ImportError: cannot import name '(\w+)'")


def clean(text: str) -> str:
    """`text` without terminal colour codes and other control characters (newlines kept)."""
    return _CONTROL.sub("", _ANSI.sub("", text or "").replace("\r\n", "\n"))


def shorten(text: str, width: int) -> str:
    """`text` on one line, cut at the last space before `width` with an ellipsis (a word
    longer than the whole width is cut inside)."""
    text = " ".join(clean(text).split())
    if len(text) <= width:
        return text
    cut = text[:width - 1]
    space = cut.rfind(" ")
    if space >= width // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


@dataclass(frozen=True)
class Fault:
    """One way the student's code raised or stopped, and every check it cost."""
    kind: str                    # "raised", "timeout", "crash", "memory", ...
    message: str                 # the first check's message
    traceback: str               # last lines in the student's file ("ex02.py, line 14: ...")
    checks: tuple[str, ...]      # the checks' descriptions (or names)
    points: float                # what they were worth


def _fault_key(c: CheckResult) -> str:
    # "descend(...) raised NameError: ..." and "notes_loss(...) raised NameError: ..." are one
    # cause: the part after the probe's name says what happened.
    msg = clean(c.message)
    m = re.search(r"\b(raised|did not finish within|ran out of memory|returned|sent back)\b.*",
                  msg, re.S)
    return f"{c.fault}:{m.group(0) if m else msg}"


def faults(checks: Sequence[CheckResult]) -> list[Fault]:
    """The student's crashes and timeouts, identical ones grouped, in the checks' order."""
    groups: dict[str, list[CheckResult]] = {}
    for c in checks:
        if c.fault and c.status in (FAILED, ERROR):
            groups.setdefault(_fault_key(c), []).append(c)
    return [Fault(kind=g[0].fault, message=clean(g[0].message),
                  traceback=next((c.student_traceback for c in g if c.student_traceback), ""),
                  checks=tuple(c.description or c.name for c in g),
                  points=sum(c.max_points for c in g))
            for g in groups.values()]


def grouped(checks: Sequence[CheckResult]) -> set[str]:
    """Names of the checks whose message a fault panel already shows (in a group of two or
    more): their own panels can say "see above" instead of repeating it."""
    out: set[str] = set()
    groups: dict[str, list[CheckResult]] = {}
    for c in checks:
        if c.fault and c.status in (FAILED, ERROR):
            groups.setdefault(_fault_key(c), []).append(c)
    for g in groups.values():
        if len(g) > 1:
            out.update(c.name for c in g)
    return out


def next_step(status: str, message: str, checks: Sequence[CheckResult],
              notes: Sequence[str] = ()) -> str:
    """The one sentence to lead with (see the module's docstring). `notes`: the result's, where
    a notebook cell that did not run is named."""
    if status == SYNTAX_ERROR:
        return f"Fix the syntax error first: {_first_line(message)}"
    if status == FORBIDDEN:
        return f"Remove the import: {_first_line(message)}."
    if status == LOAD_ERROR:
        return f"Your file stops before any check can run: {_first_line(message)}"
    if status != GRADED:
        return _first_line(message)
    found = faults(checks)
    if found:
        f = found[0]
        n = len(f.checks)
        cost = f"; it cost {n} checks" if n > 1 else ""
        cell = _cell_first(f, notes)
        if cell:
            return f"{cell}{cost}."
        lead = {"timeout": "Your code was stopped", "memory": "Your code ran out of memory"}
        text = _first_line(f.message)
        if f.kind in lead and text.startswith("your code "):  # not "Your code ...: your code"
            text = "it " + text[len("your code "):]
        return f"{lead.get(f.kind, 'Fix this first')}: {text}{cost}."
    failing = [c for c in checks if c.status in (FAILED, ERROR)]
    if not failing:
        return ""
    causes = Counter(c.cause for c in failing if c.cause)
    if causes:
        top = max(causes.values())
        # Ties go to the cause of the earliest failing check (public checks come first).
        best = next(c for c in failing if c.cause and causes[c.cause] == top)
        return best.hint
    first = failing[0]
    detail = first.hint or _first_line(first.message) or "see its message below"
    return f"Start with \u201c{first.description or first.name}\u201d: {detail}"


def failed_cells(notes: Sequence[str]) -> list[str]:
    """The notes that say a notebook cell did not run to its end (a syntax error, or it
    raised), in the notebook's order."""
    return [note for _, _, note in _failed(notes)]


def _failed(notes: Sequence[str]) -> list[tuple[int, str, str]]:
    """(cell number, what happened, the note) per cell that did not run, in notebook order."""
    cells = [(*cell, note) for note in notes if (cell := failed_cell(note))]
    return sorted(cells, key=lambda c: c[0])


def _cell_first(fault: Fault, notes: Sequence[str]) -> str:
    """Where the fault is a name the code does not define and a notebook cell did not run, the
    sentence that names that cell (the first in the notebook, where Jupyter's "Run All" would
    stop too): "Fix cell 2 first: it has a SyntaxError ..., so nothing in it ran, and GD is not
    defined"; else ""."""
    m = _UNDEFINED.search(fault.message) if fault.kind == "raised" else None
    cells = _failed(notes)
    if not (m and cells):
        return ""
    name = next(g for g in m.groups() if g)
    n, what, _ = cells[0]
    # The note's own words, in a sentence of their own: "has a SyntaxError on line 4: ..."
    # or "raised ZeroDivisionError: division by zero (line 1)".
    lost = "nothing in it ran" if what.startswith("has") else "the rest of it did not run"
    return f"Fix cell {n} first: it {what}, so {lost}, and {name} is not defined"


def _first_line(text: str) -> str:
    return next((line.strip() for line in clean(text).splitlines() if line.strip()), "")

