"""`grade exNN --watch`: grade again on every save of the file, printing the table each time.

The process stays up between saves, and so does what makes a grading fast: the warm sandbox
it forks each run from (torch already imported, grader.sandbox.zygote), the pytest session with
the checks collected (grader.grading.runner), the data sets read once. A save is seen by polling the
file's size and modification time (no extra dependency, works on every file system a student
has, network and WSL mounts included); `bench/watch_latency.py` measures save -> first check.
"""
from __future__ import annotations

import dataclasses
import os
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

from rich.console import Console
from rich.rule import Rule
from rich.text import Text

from grader.core.settings import current



def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None  # mid-save (write to a temp file, rename): not there for a moment
    return (st.st_mtime_ns, st.st_size)


def saves(path: Path, stop: threading.Event, poll_s: float | None = None,
          since: tuple[int, int] | None = None) -> Iterator[float]:
    """Yield the time.monotonic() at which each new save of `path` was seen, until `stop`;
    `since`: the file's stamp to compare with first (default: as it is now). A save made while
    a grading runs is seen when it ends. `poll_s`: how often the file is looked at (None: the
    `watch_poll_s` setting)."""
    poll_s = current().watch_poll_s if poll_s is None else poll_s
    last = since if since is not None else _stamp(path)
    while not stop.wait(poll_s):
        now = _stamp(path)
        if now is None or now == last:
            continue
        seen = time.monotonic()
        # An editor that writes in several steps: wait until the file holds still.
        while not stop.wait(current().watch_settle_s):
            again = _stamp(path)
            if again == now:
                break
            now = again
        last = now
        yield seen


def watch(exercise: Any, path: Path, opts: Any, report_dir: Path | None = None,
          quiet: bool = False, console: Console | None = None,
          stop: threading.Event | None = None,
          on_graded: Callable[[Any, float], None] | None = None) -> int:
    """Grade `path` now and after every save until Ctrl-C (or `stop`); the exit code of the
    last grading. `on_graded(result, seen_at)`: told after each grading (the benchmark)."""
    from grader.grading.pipeline import grade
    from grader.rendering.report import write_html
    from grader.rendering.terminal import Progress, render_table
    console = console or Console()
    stop = stop or threading.Event()
    code = 2

    def once(seen_at: float) -> int:
        if quiet:
            result = grade(exercise, path, opts)
        else:
            with Progress(exercise, console=console) as progress:
                result = grade(exercise, path, dataclasses.replace(opts, progress=progress))
        render_table(result, console)
        if report_dir is not None:
            console.print(f"report: {write_html(result, report_dir)}")
        if on_graded is not None:
            on_graded(result, seen_at)
        return 0 if result.full_marks else 1

    console.print(Text(f"watching {path}: grading again on every save (Ctrl-C to stop)",
                       style="bold"))
    try:
        before = _stamp(Path(path))  # a save during the first grading counts too
        code = _guarded(once, time.monotonic(), console)
        for seen_at in saves(Path(path), stop, since=before):
            console.print(Rule(f"{Path(path).name} saved, grading again"))
            code = _guarded(once, seen_at, console)
    except KeyboardInterrupt:
        console.print("stopped watching")
    return code


def _guarded(once: Callable[[float], int], seen_at: float, console: Console) -> int:
    """A file that cannot be graded (empty while being saved, not a notebook yet) is one line
    here, and the watch goes on."""
    from grader.core.errors import SubmissionError
    try:
        return once(seen_at)
    except SubmissionError as e:
        console.print(Text(f"grade: {e}", style="bold red"))
        return 2
