"""What a batch shows. On a terminal: a progress bar (counts, ETA, and the submissions running
now) on stderr. Off a terminal (CI logs, nohup, `| tee`): one plain line per finished
submission. Then a summary table per exercise (rendered from the gradebook), the files that
were not graded, one line per reason with a count (`--verbose`: every file), and the outputs.

Every name in a line comes from outside (file names, ids, LMS names): it is escaped with
`intake.names.shown` and printed with markup off, so `[/oops]` or an escape sequence in a file
name reaches the terminal as text.
"""
from __future__ import annotations

import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)
from rich.table import Table

from grader.classroom.gradebook import NO_SUBMISSION, Entry
from grader.core.text import fmt_points
from grader.core.result import GRADED
from grader.classroom.intake import Reason, Skipped
from grader.classroom.intake.names import shown

if TYPE_CHECKING:
    from grader.classroom.batch import BatchSummary


class Bar:
    """Progress: `running` names what is being graded; `finished` after each submission."""

    def __init__(self, progress: Progress | None = None, task_id: int | None = None,
                 console: Console | None = None):
        self._progress, self._id, self._console = progress, task_id, console

    def running(self, tasks: list) -> None:
        if self._progress is not None:
            self._progress.update(self._id, description=_running(tasks))

    def finished(self, line: str, running: list) -> None:
        if self._progress is not None:
            self._progress.update(self._id, advance=1, description=_running(running))
        elif self._console is not None:
            _plain(self._console, line)


def _running(tasks: list) -> str:
    return ("grading " + ", ".join(f"{shown(t.student)} {t.exercise.id}" for t in tasks)
            if tasks else "")


def _plain(console: Console, line: str) -> None:
    console.print(line, markup=False, highlight=False, soft_wrap=True)


class Reporter:
    def __init__(self, console: Console | None, verbose: bool = False):
        self.console, self.verbose = console, verbose

    def intake(self, s: BatchSummary) -> None:
        if self.console is not None:
            _plain(self.console, f"{s.files} file{'s' if s.files != 1 else ''} in the input: "
                                 f"{s.found} submission{'s' if s.found != 1 else ''}, "
                                 f"{len(s.skipped)} not graded (listed at the end)")

    @contextmanager
    def progress(self, total: int) -> Iterator[Bar]:
        c = self.console
        if c is None or total == 0:
            yield Bar()
            return
        if not c.is_terminal:
            yield Bar(console=c)
            return
        columns = (TextColumn("[bold]grading[/]"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("left"),
                   TimeRemainingColumn(), TextColumn("{task.description}", markup=False))
        # Four redraws a second: an ETA needs no more, and each redraw costs the grading CPU.
        with Progress(*columns, console=c, transient=False, refresh_per_second=4) as progress:
            yield Bar(progress, progress.add_task("", total=total))

    def table(self, entries: list[Entry], graded_now: dict[str, int],
              unchanged: dict[str, int], s: BatchSummary, grades: dict | None = None) -> None:
        if self.console is not None and entries:
            self.console.print(summary_table(entries, graded_now, unchanged, grades))

    def done(self, s: BatchSummary) -> None:
        c = self.console
        if c is None:
            return
        _plain(c, f"{s.found} submissions found: {s.graded} graded now, {s.unchanged} unchanged "
                  f"(already in the gradebook)"
                  f"{', ' + str(len(s.errors)) + ' NOT graded' if s.errors else ''}.")
        for title, lines in (("graded 0, the file could not be read", s.unreadable),
                             ("NOT graded: grader or machine faults, retried on the next run",
                              s.errors),
                             ("with files but not on the roster (graded, flagged)",
                              [shown(x) for x in s.off_roster]),
                             ("on the roster, no submission (graded 0)",
                              [_named(x, s.names) for x in s.no_submission]),
                             ("submitted, not gradable (graded 0)",
                              [_named(x, s.names) for x in s.not_gradable]),
                             ("notes", s.notes)):
            if lines:
                _plain(c, f"{title}: {len(lines)}")
                for line in lines if (self.verbose or len(lines) <= 10) else lines[:10] + [
                        f"... {len(lines) - 10} more (--verbose lists all)"]:
                    _plain(c, f"  {line}")
        self._skipped(s.skipped)
        for name, path in s.outputs.items():
            _plain(c, f"{name}: {path}")
        _plain(c, grader_errors_line(s.grader_errors))

    def _skipped(self, skipped: list[Skipped]) -> None:
        if not skipped:
            return
        c = self.console
        by_reason: dict[str, list] = {}
        for k in skipped:
            by_reason.setdefault(k.reason, []).append(k)
        _plain(c, f"files in the input not graded: {len(skipped)}"
                  f"{'' if self.verbose else ' (--verbose lists them)'}")
        for reason, files in sorted(by_reason.items(), key=lambda x: -len(x[1])):
            _plain(c, f"  {len(files):>4}  {reason}")
            if self.verbose and reason not in Reason.COUNTED:
                for k in files:
                    _plain(c, f"          {k.path}{': ' + k.detail if k.detail else ''}")


def grader_errors_line(errors: dict[str, list[str]]) -> str:
    """The batch's last line: `grader errors: N` (checks the grader could not run, its own
    fault; their points are left out of the maximum, so no grade of that exercise is right
    until they are fixed), naming each exercise and its checks."""
    n = sum(len(checks) for checks in errors.values())
    named = "; ".join(f"{ex}: {', '.join(checks)}" for ex, checks in sorted(errors.items()))
    return f"grader errors: {n}" + (f" ({named}; fix the checks, then run grade batch "
                                    "again)" if n else "")


def _named(line: str, names: dict[str, str]) -> str:
    """"1004 ex02" -> "1004 (Knuth, Donald) ex02": the id first, as the LMS matches on it."""
    sid, _, rest = line.partition(" ")
    name = names.get(sid, "")
    return shown(sid) + (f" ({shown(name)})" if name and name != sid else "") + \
        (f" {shown(rest)}" if rest else "")


def summary_table(entries: list[Entry], graded_now: dict[str, int],
                  unchanged: dict[str, int], grades: dict | None = None) -> Table:
    """One row per exercise: what the gradebook holds now, and what this run did. "0, did
    not run": graded 0 because of the file (syntax error, forbidden import, unreadable).
    Scores are final grades (overrides and the late policy applied), as the exports have
    them."""
    t = Table(title="Batch summary (from the gradebook)", title_justify="left",
              box=box.SIMPLE_HEAD)
    rostered = any(e.status == NO_SUBMISSION for e in entries)
    for col in ("exercise", "students", "graded\nnow", "un-\nchanged", "mean / max",
                "full\nmarks", "0, did\nnot run") + (("no sub-\nmission",) if rostered else ()):
        t.add_column(col, justify="left" if col == "exercise" else "right", no_wrap=True)
    for ex in sorted({e.exercise for e in entries}):
        every = [e for e in entries if e.exercise == ex]
        mine = [e for e in every if e.status != NO_SUBMISSION]
        scores = [_final(e, grades) for e in mine or every]
        top = max(e.max_score for e in every)
        bad = sum(e.status != GRADED for e in mine)
        t.add_row(ex, str(len(mine)), str(graded_now.get(ex, 0)), str(unchanged.get(ex, 0)),
                  f"{fmt_points(round(statistics.fmean(scores), 2))} / {fmt_points(top)}",
                  str(sum(_final(e, grades) >= e.max_score > 0 for e in mine)), str(bad),
                  *((str(len(every) - len(mine)),) if rostered else ()))
    return t


def _final(e: Entry, grades: dict | None) -> float:
    g = (grades or {}).get((e.student, e.exercise))
    return g.score if g else e.score
