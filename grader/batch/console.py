"""What a batch shows on the terminal: a progress bar with counts and ETA while it runs, then a
summary table per exercise (rendered from the gradebook) and an actionable list of problems."""
from __future__ import annotations

import statistics
from contextlib import contextmanager
from collections.abc import Iterator

from rich import box
from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)
from rich.table import Table

from ..gradebook import Entry
from ..report import fmt_points
from ..result import GRADED


class Bar:
    """The progress bar; `advance` after each submission. A no-op without a console."""

    def __init__(self, progress: Progress | None, task_id: int | None):
        self._progress, self._id = progress, task_id

    def advance(self, text: str) -> None:
        if self._progress is not None:
            self._progress.update(self._id, advance=1, description=text)


@contextmanager
def progress_bar(console: Console | None, total: int) -> Iterator[Bar]:
    if console is None or total == 0:
        yield Bar(None, None)
        return
    columns = (TextColumn("[bold]grading[/]"), BarColumn(), MofNCompleteColumn(),
               TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("left"),
               TimeRemainingColumn(), TextColumn("{task.description}", markup=False))
    # Four redraws a second: an ETA needs no more, and each redraw costs the grading CPU.
    with Progress(*columns, console=console, transient=False,
                  refresh_per_second=4) as progress:
        yield Bar(progress, progress.add_task("", total=total))


def summary_table(entries: list[Entry], graded_now: dict[str, int],
                  unchanged: dict[str, int]) -> Table:
    """One row per exercise: what the gradebook holds now, and what this run did."""
    t = Table(title="Batch summary (from the gradebook)", title_justify="left",
              box=box.SIMPLE_HEAD)
    for col in ("exercise", "students", "graded\nnow", "unchanged", "mean / max", "full\nmarks",
                "not\ngraded"):
        t.add_column(col, justify="left" if col == "exercise" else "right", no_wrap=True)
    for ex in sorted({e.exercise for e in entries}):
        mine = [e for e in entries if e.exercise == ex]
        scores, top = [e.score for e in mine], max(e.max_score for e in mine)
        bad = sum(e.status != GRADED for e in mine)
        t.add_row(ex, str(len(mine)), str(graded_now.get(ex, 0)), str(unchanged.get(ex, 0)),
                  f"{fmt_points(round(statistics.fmean(scores), 2))} / {fmt_points(top)}",
                  str(sum(e.score >= e.max_score > 0 for e in mine)),
                  f"[red]{bad}[/]" if bad else "0")
    return t
