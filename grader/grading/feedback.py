"""What a student reads first: one cause, one message.

- `next_step`: the one sentence the report and the terminal lead with. A submission that did not
  run says why. Otherwise every cause of lost points is ranked by the points it cost (ties: the
  earliest check), and the costliest leads, followed by the others in order ("Then: ...; then:
  ..."): a crash or timeout of the student's code (shown once, however many checks it cost; an
  exception explained in the exercise's terms by grader.grading.explain; a timeout with how far the run
  had got, from grader.grading.progress's note) or a diagnosis (checks.cause). The failing checks no
  diagnosis explained count with the costliest diagnosis where there is one; where there is
  none, they follow the causes in the exercise's order (the first leads). Where the
  fault is a name the code does not define while a notebook cell did not run (a SyntaxError, or
  it raised), that cell is named: it is the likely cause.
- `panel_hint`: what a check's panel shows: the diagnosis that explains its failure, never a
  generic hint that contradicts the lead.
- `faults`: the student's code raised or stopped the same way in several checks: one entry, with
  the checks it cost, shown once and first.
- `clean` / `shorten`: messages without terminal colour codes, cut between words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from grader.core.text import clean
from grader.core.settings import current
from grader.grading.loader import failed_cell
from grader.core.result import ERROR, FAILED, FORBIDDEN, GRADED, LOAD_ERROR, SYNTAX_ERROR, CheckResult

# The cause of a check whose failure is the student's exception, explained (grader.grading.plugin).
EXPLAINED = "explained_error"
# What the student's code raised when it uses a name it never defined (GD, or a helper of GD's).
_UNDEFINED = re.compile(r"NameError: name '(\w+)' is not defined"
                        r"|AttributeError: module '[\w.]+' has no attribute '(\w+)'"
                        r"|ImportError: cannot import name '(\w+)'")


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
    explanation: str = ""        # grader.grading.explain's words on the exception, where it had any


def _fault_key(c: CheckResult) -> tuple[str, str, str, str]:
    """One fault whatever call met it: the same kind, limit, place and error, as the sandbox
    recorded them ("descend(...) raised NameError: ..." and "notes_loss(...) raised NameError:
    ..." at the same line are one cause; so are two idle timeouts stopped at one place)."""
    return c.fault, c.fault_limit, c.fault_at, c.fault_error


def faults(checks: Sequence[CheckResult]) -> list[Fault]:
    """The student's crashes and timeouts, identical ones grouped, in the checks' order."""
    return [f for f, _ in _fault_groups(checks)]


def _fault(g: list[CheckResult]) -> Fault:
    return Fault(kind=g[0].fault, message=clean(g[0].message),
                 traceback=next((c.student_traceback for c in g if c.student_traceback), ""),
                 checks=tuple(c.description or c.name for c in g),
                 points=sum(c.max_points for c in g),
                 explanation=next((c.hint for c in g if c.cause == EXPLAINED), ""))


def grouped(checks: Sequence[CheckResult]) -> set[str]:
    """Names of the checks whose message a fault panel already shows (in a group of two or
    more): their own panels can say "see above" instead of repeating it."""
    return {c.name for _, g in _fault_groups(checks) if len(g) > 1 for c in g}


def next_step(status: str, message: str, checks: Sequence[CheckResult],
              notes: Sequence[str] = ()) -> str:
    """The one sentence to lead with (see the module's docstring). `notes`: the result's, where
    a notebook cell that did not run is named, and how far a stopped run had got."""
    stopped = stopped_note(notes)
    if status == SYNTAX_ERROR:
        return f"Fix the syntax error first: {_first_line(message)}"
    if status == FORBIDDEN:
        return f"Remove the import: {_first_line(message)}."
    if status == LOAD_ERROR:
        return _join(f"Your file stops before any check can run: {_first_line(message)}",
                     stopped)
    if status != GRADED:
        return _first_line(message)
    ranked = causes(checks, notes)
    if not ranked:
        return ""
    lead = ranked[0].sentence.rstrip()
    rest = [c.short for c in ranked[1:1 + current().more_causes]]  # the rest are in the panels
    if not rest:
        return lead
    return f"{lead}{'' if lead.endswith(('.', '!', '?')) else '.'} Then: {'; then: '.join(rest)}."



@dataclass(frozen=True)
class Cause:
    """One reason checks failed: a crash or timeout (a Fault), a diagnosis, or a failing check
    no diagnosis explained; with the points it cost."""
    sentence: str                # what next_step says when it leads
    short: str                   # what it says after "then:"
    points: float
    first: int                   # the index of its first check (ties: the earliest leads)
    checks: tuple[str, ...]      # the names of its checks


def causes(checks: Sequence[CheckResult], notes: Sequence[str] = ()) -> list[Cause]:
    """Every cause of lost points, the costliest first (ties: the earliest check). A crash
    does not hide a wrong value elsewhere, nor the other way round: each is ranked by what it
    cost. A failing check without a diagnosis of its own is counted with the costliest
    diagnosis, where there is one: that is what its panel shows (`panel_hint`)."""
    index = {c.name: i for i, c in enumerate(checks)}
    out = [Cause(_fault_sentence(f, notes), _fault_short(f), f.points, index[g[0].name],
                 tuple(c.name for c in g)) for f, g in _fault_groups(checks)]
    failing = [c for c in checks if c.status in (FAILED, ERROR) and not _is_fault(c)]
    for i, f in enumerate(out):
        said = _raised_words(checks[index[f.checks[0]]].message)
        # A probe that caught the student's exception itself fails its check with the same
        # words explained (checks.fail(..., explain.as_cause(...))), or quotes the exception
        # without a diagnosis: either way, the fault's.
        same = [c for c in failing if (c.cause == EXPLAINED and c.hint and c.hint in f.sentence)
                or (said and not c.cause and said in clean(c.message))]
        out[i] = _with(f, same, index)
        failing = [c for c in failing if c not in same]
    by_cause: dict[str, list[CheckResult]] = {}
    for c in failing:
        if c.cause:
            by_cause.setdefault(c.cause, []).append(c)
    diagnosed = [Cause(g[0].hint, _first_sentence(g[0].hint), sum(c.max_points for c in g),
                       index[g[0].name], tuple(c.name for c in g)) for g in by_cause.values()]
    plain = [c for c in failing if not c.cause]
    if diagnosed and plain:
        top = min(diagnosed, key=lambda d: (-d.points, d.first))
        diagnosed = [_with(top, plain, index) if d is top else d for d in diagnosed]
        plain = []
    # Failing checks no diagnosis explains are symptoms, not causes: they follow the causes, in
    # the exercise's order (a check comes after those it builds on, so the first is likeliest
    # the root: ex11's artist painting out of range fails every GAN check after it).
    unexplained = [Cause(start_with(c), f"\u201c{_named(c)}\u201d: {_first_sentence(_fix(c))}",
                         c.max_points, index[c.name], (c.name,)) for c in plain]
    return sorted(out + diagnosed, key=lambda c: (-c.points, c.first)) + unexplained


def start_with(check: CheckResult) -> str:
    """The sentence that sends the student to one failing check no diagnosis or fault
    explains: "Start with \u201cGD reaches the minimum\u201d: <its hint, or its message's first
    line>". `causes` leads with it; the report falls back on it for a result without a
    next_step (one read from an older document)."""
    return f"Start with \u201c{_named(check)}\u201d: {_fix(check)}"


def _named(check: CheckResult) -> str:
    return check.description or check.name


def _fix(check: CheckResult) -> str:
    return check.hint or _first_line(check.message) or "see its message below"


def _with(cause: Cause, more: list[CheckResult], index: dict[str, int]) -> Cause:
    """`cause`, counting the checks `more` too: their points, and their place for ties (its
    own check stays first in `checks`: its hint is what `panel_hint` shows)."""
    if not more:
        return cause
    return Cause(cause.sentence, cause.short, cause.points + sum(c.max_points for c in more),
                 min(cause.first, *(index[c.name] for c in more)),
                 cause.checks + tuple(c.name for c in more))


def panel_hint(check: CheckResult, checks: Sequence[CheckResult]) -> str:
    """The hint a check's panel shows: its own diagnosis, or, for a failing check no diagnosis
    of its own explains, the diagnosis it is counted with (`causes`), never a generic hint
    that contradicts what the report leads with."""
    if check.passed or check.cause or _is_fault(check):
        return check.hint
    for c in causes(checks):
        if check.name in c.checks and c.checks[0] != check.name:
            lead = next((x for x in checks if x.name == c.checks[0]), None)
            if lead is not None and lead.cause:
                return lead.hint
    return check.hint


def _raised_words(message: str) -> str:
    """"ZeroDivisionError: division by zero" out of "f(...) raised ZeroDivisionError: division
    by zero (line 4)"; "" for a message that says no exception."""
    m = re.search(r"\braised (\w+(?:Error|Exception)\b.*?)(?: \((?:line|cell) [^)]*\))?$",
                  _first_line(message))
    return m.group(1) if m and len(m.group(1)) >= 12 else ""


def _is_fault(c: CheckResult) -> bool:
    return bool(c.fault) and c.status in (FAILED, ERROR)


def _fault_groups(checks: Sequence[CheckResult]) -> list[tuple[Fault, list[CheckResult]]]:
    groups: dict[tuple[str, str, str, str], list[CheckResult]] = {}
    for c in checks:
        if _is_fault(c):
            groups.setdefault(_fault_key(c), []).append(c)
    return [(_fault(g), g) for g in groups.values()]


def _fault_sentence(f: Fault, notes: Sequence[str]) -> str:
    n = len(f.checks)
    cost = f"; it cost {n} checks" if n > 1 else ""
    cell = _cell_first(f, notes)
    if cell:
        return f"{cell}{cost}."
    lead = {"timeout": "Your code was stopped", "memory": "Your code ran out of memory"}
    text = _first_line(f.message)
    if f.kind in lead and text.startswith("your code "):  # not "Your code ...: your code"
        text = "it " + text[len("your code "):]
    said = f"{lead.get(f.kind, 'Fix this first')}: {text}{cost}."
    if f.kind == "timeout":
        return _join(said, stopped_note(notes))
    return _join(said, f.explanation)


def _fault_short(f: Fault) -> str:
    text = _first_line(f.message)
    return shorten(("fix " if f.kind == "raised" else "") + text, 160)


def stopped_note(notes: Sequence[str]) -> str:
    """The note that says how far a stopped run had got (grader.grading.progress), or ""."""
    from grader.grading.progress import LEAD
    return next((n for n in notes if n.startswith(LEAD)), "")


def _join(first: str, second: str) -> str:
    return f"{first} {second}" if second else first


def _first_sentence(text: str) -> str:
    """The first sentence of a hint, for the "then:" list: "You never reset the gradients"."""
    text = " ".join(clean(text).split())
    for stop in (": ", ". "):
        i = text.find(stop)
        if 20 <= i:
            text = text[:i]
            break
    return shorten(text.rstrip("."), 160)


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

