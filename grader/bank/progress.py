"""check-bank's progress on stderr (`grade check-bank`, and `grade release`'s check first)."""
from __future__ import annotations

import sys


class Progress:
    """Counts on stderr, started at the first finished grading: the workers fork before it, and
    a fork must not copy a progress bar's thread."""

    def __init__(self) -> None:
        self._bar = None

    def __call__(self, done: int, total: int, what: str) -> None:
        if not sys.stderr.isatty():
            if done == total or done % 10 == 0:
                print(f"check-bank: {done}/{total} graded", file=sys.stderr, flush=True)
            return
        if self._bar is None:
            from rich.console import Console
            from rich.progress import Progress
            self._bar = Progress(console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("check-bank", total=total)
        self._bar.update(self._task, completed=done, description=f"check-bank {what}"[:60])
        if done == total:
            self._bar.stop()
