"""Show a `Result` in the terminal: a rich table of checks, the score, and what stopped grading.

Messages and names can come from a submission, so they go in as `Text` objects, never as rich
markup: a message like "[/red]" must print as itself, not raise a MarkupError.
"""
from __future__ import annotations

import threading
import time
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader.core.settings import current
from grader.grading import feedback
from grader.core.text import fmt_points, printable
from grader.rendering.report import hidden_note
from grader.core.result import (ERROR, FAILED, FORBIDDEN, GRADED, GRADER_ERROR, LOAD_ERROR, PASSED,
                           SYNTAX_ERROR, Result)

_MARKS = {PASSED: ("✓", "bold green"), FAILED: ("✗", "bold red"), ERROR: ("!", "bold yellow"),
          GRADER_ERROR: ("?", "bold magenta")}
_NOT_GRADED = {SYNTAX_ERROR: "syntax error", LOAD_ERROR: "could not load",
               FORBIDDEN: "forbidden import"}


def render_table(result: Result, console: Console | None = None) -> None:
    """Print the checks table, the total, the public-only note and any submission-level error."""
    console = console or Console()
    if result.status != GRADED:   # one panel: the reason no check ran
        console.print(Text(feedback.clean(result.message)
                           or _NOT_GRADED.get(result.status, result.status), style="bold red"))
        if feedback.stopped_note(result.notes):   # how far a stopped import had got
            console.print(Text(feedback.stopped_note(result.notes), style="bold"))
    _print_failed_cells(console, result)
    faults = feedback.faults(result.checks) if result.status == GRADED else []
    if result.status == GRADED and result.next_step and not result.full_marks and \
            _says_more(result, faults):
        console.print(Text(feedback.clean(result.next_step), style="bold"))
    for f in faults:  # one panel each, however many checks each cost
        _print_fault(console, f)
    if result.checks:
        console.print(_table(result))
    console.print(Text(f"Score: {fmt_points(result.score)}/{fmt_points(result.max_score)}",
                       style="bold"))
    if result.public_only and result.hidden_remaining:
        console.print(Text(hidden_note(result), style="cyan"))
    broken = result.grader_errors
    if broken:
        console.print(Text(grader_errors_note(result), style="bold magenta"))
        for c in broken:
            if c.traceback:  # the instructor's detail; a student's pack has only public checks
                console.print(Text(f"--- {c.name}\n{c.traceback.rstrip()}", style="magenta"))


def _says_more(result: Result, faults: list[feedback.Fault]) -> bool:
    """next_step says something the fault panels below do not: it leads with a diagnosis,
    names other causes after the first ("Then: ..."), or explains the fault (an exception in
    the exercise's terms, how far a stopped run got). A lone fault's own words are not
    printed twice."""
    if not faults:
        return True
    ranked = feedback.causes(result.checks, result.notes)
    lead = faults[0]
    return len(ranked) > 1 or bool(lead.explanation) or \
        bool(feedback.stopped_note(result.notes)) or \
        not result.next_step.startswith(("Fix this first", "Your code was stopped",
                                           "Your code ran out of memory"))


def _print_failed_cells(console: Console, result: Result, most: int = 5) -> None:
    """The notebook cells that did not run (a SyntaxError, or they raised): before the faults,
    since a name such a cell would have defined is often what the checks then miss."""
    cells = feedback.failed_cells(result.notes)
    for note in cells[:most]:
        console.print(Text(feedback.clean(note), style="yellow"))
    if len(cells) > most:
        console.print(Text(f"... and {len(cells) - most} more cells that did not run: see the "
                           f"report", style="yellow"))


def _print_fault(console: Console, f: feedback.Fault) -> None:
    """One panel per way the student's code raised or stopped, however many checks it cost."""
    head = {"timeout": "Stopped", "memory": "Out of memory"}.get(f.kind, "Error")
    n = len(f.checks)
    text = Text(f"{head}" + (f" (cost {n} checks)" if n > 1 else "") + ": ", style="bold yellow")
    text.append(f.message.strip())
    if f.traceback:
        text.append("\n" + f.traceback.rstrip(), style="dim")
    console.print(text)


def grader_errors_note(result: Result) -> str:
    n = len(result.grader_errors)
    return (f"{n} check{'s' if n != 1 else ''} could not be run by the grader (a fault in the "
            f"exercise, not the submission): left out of the score and of the maximum")


def summary_line(result: Result) -> str:
    """One plain line, e.g. 'ex02: 7/10 (2 checks failed)'."""
    score = f"{result.exercise}: {fmt_points(result.score)}/{fmt_points(result.max_score)}"
    if result.status != GRADED:
        why = _NOT_GRADED.get(result.status, result.status)
        detail = shorten(result.message, 80)
        return f"{score} ({why}: {detail})" if detail else f"{score} ({why})"
    failed = sum(c.status == FAILED for c in result.checks)
    errors = sum(c.status == ERROR for c in result.checks)
    broken = len(result.grader_errors)
    parts = [f"{failed} check{'s' if failed != 1 else ''} failed"] if failed else []
    parts += [f"{errors} could not run"] if errors else []
    parts += [f"{broken} grader error{'s' if broken != 1 else ''}"] if broken else []
    if not parts:
        parts = ["all checks passed"]
    if result.public_only and result.hidden_remaining:
        parts.append(f"{result.hidden_remaining} hidden not run")
    return f"{score} ({', '.join(parts)})"


def shorten(message: str, width: int | None = None) -> str:
    """The first non-blank line of `message`, without colour codes, cut between words to
    `width` characters (the `message_width` setting) with an ellipsis."""
    width = current().message_width if width is None else width
    lines = [line.strip() for line in feedback.clean(message).splitlines() if line.strip()]
    if not lines:
        return ""
    first = lines[0]
    if len(first) > width:
        return feedback.shorten(first, width)
    return first + " …" if len(lines) > 1 else first


def _table(result: Result) -> Table:
    table = Table(title=Text(f"{result.exercise}: {result.title}", style="bold"),
                  box=box.SIMPLE_HEAVY, title_justify="left", expand=False)
    table.add_column("", width=1, no_wrap=True)
    table.add_column("Check", ratio=2)
    table.add_column("Points", justify="right", no_wrap=True)
    table.add_column("Message", ratio=3)
    grouped = feedback.grouped(result.checks) if result.status == GRADED else set()
    for c in result.checks:
        mark, style = _MARKS.get(c.status, ("?", "bold"))
        name = Text(c.description or c.name)
        if c.description and c.description != c.name:
            # The id is what --check and the instructor refer to; show it quietly.
            name.append(f"\n{c.name}", style="dim")
        if c.hidden:
            name.append(" (hidden)", style="dim")
        points = f"{fmt_points(c.points)}/{fmt_points(c.max_points)}"
        if result.status != GRADED and c.message == result.message:
            message = Text("not run", style="dim")   # the one reason is printed above
        elif c.name in grouped:
            message = Text("the error above", style="dim")
        else:
            message = Text(shorten(c.message))
        table.add_row(Text(mark, style=style), name, points, message)
    return table


class Progress:
    """Live progress of one grading, for `grade exNN`: each check as it finishes (mark,
    description, seconds), and below them the running one with its elapsed time and the limit
    of one call. Told by the plugin (`started`, `finished`), from the checks' thread. On a
    console that is not a terminal, only the finished lines are printed."""

    def __init__(self, exercise: Any, console: Console | None = None):
        self.console = console or Console(stderr=True)
        self._describe = {c.name: c.description or c.name for c in exercise.checks}
        self._limit = float(getattr(exercise, "call_time_limit_s", 0) or 0)
        self._total = len(exercise.checks)
        self._running: str | None = None
        self._since = time.monotonic()
        self._done = 0
        self._lock = threading.Lock()
        self._live: Any = None

    def __enter__(self) -> "Progress":
        if self.console.is_terminal:
            from rich.live import Live
            self._live = Live(self, console=self.console, refresh_per_second=8, transient=True)
            self._live.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    def started(self, name: str) -> None:
        with self._lock:
            self._running, self._since = name, time.monotonic()

    def finished(self, name: str, outcome: Any) -> None:
        with self._lock:
            self._done += 1
            self._running = None
        mark, style = _MARKS.get(outcome.status, ("?", "bold"))
        line = Text(f"{mark} ", style=style)
        line.append(self._describe.get(name, name))
        line.append(f"  {outcome.duration_s:.2f} s", style="dim")
        self.console.print(line)

    def output(self, line: str) -> None:
        """One line the student's code printed, shown as it comes (from the output thread)."""
        with self._lock:
            self._lines = getattr(self, "_lines", 0) + 1
            n = self._lines
        most = current().terminal_output_lines  # then the rest is in the report
        if n > most:
            if n == most + 1:
                self.console.print(Text("│ … more output in the report", style="dim"))
            return
        text = Text("│ ", style="dim")
        text.append(printable(line)[:300])  # a Text: markup in the student's line stays text
        self.console.print(text)

    def __rich__(self) -> Text:
        with self._lock:
            running, since, done = self._running, self._since, self._done
        elapsed = time.monotonic() - since
        if running is None:
            what = "loading your code" if done == 0 else "between checks"
            return Text(f"… {what}  {elapsed:.1f} s", style="dim")
        limit = f" (limit {self._limit:g} s of CPU a call)" if self._limit else ""
        return Text(f"… {self._describe.get(running, running)}  {elapsed:.1f} s{limit}  "
                    f"[{done + 1}/{self._total}]", style="cyan")


