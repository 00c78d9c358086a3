"""Live progress and `grade exNN --watch`: each check printed as it finishes; a save grades
again."""
from __future__ import annotations

import io
import shutil
import threading
import time
from types import SimpleNamespace

from rich.console import Console

from conftest import SOLUTIONS, exercise
from grader.grading.pipeline import GradeOptions
from grader.rendering.terminal import Progress
from grader.commands.watch import saves, watch


def test_progress_prints_each_check_as_it_finishes():
    ex = exercise("ex07")
    out = io.StringIO()
    console = Console(file=out, width=120, color_system=None)
    with Progress(ex, console=console) as progress:
        first = ex.checks[0]
        progress.started(first.name)
        line = progress.__rich__().plain
        assert "limit" in line and first.description in line
        progress.finished(first.name, SimpleNamespace(status="failed", duration_s=0.25))
    assert out.getvalue() == f"✗ {first.description}  0.25 s\n"


def test_saves_sees_each_save(tmp_path):
    """One save, seen once: the baseline is taken before the watcher starts and the test waits
    for what it saw, not for a time (a loaded machine may run the watcher late)."""
    from grader.commands.watch import _stamp
    f = tmp_path / "ex07.py"
    f.write_text("a = 1\n")
    stop, seen = threading.Event(), []
    first = _stamp(f)

    def collect():
        for t in saves(f, stop, poll_s=0.02, since=first):
            seen.append(t)

    t = threading.Thread(target=collect)
    t.start()
    f.write_text("a = 22\n")
    deadline = time.monotonic() + 60
    while not seen and time.monotonic() < deadline:
        time.sleep(0.02)
    stop.set()
    t.join(60)
    assert len(seen) == 1


def test_watch_grades_again_on_save(tmp_path):
    ex = exercise("ex07")
    sub = tmp_path / "ex07.py"
    shutil.copy(SOLUTIONS / "ex07.py", sub)
    stop, results = threading.Event(), []
    out = io.StringIO()

    def graded(result, seen_at):
        results.append(result)

    t = threading.Thread(target=watch, args=(ex, sub, GradeOptions()),
                         kwargs=dict(console=Console(file=out, width=120, color_system=None),
                                     stop=stop, on_graded=graded))
    t.start()
    deadline = time.monotonic() + 120
    while not results and time.monotonic() < deadline:
        time.sleep(0.1)
    sub.write_text(sub.read_text() + "\nraise SystemExit('broken on purpose')\n")
    while len(results) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    t.join(30)
    assert [r.full_marks for r in results] == [True, False]
    text = out.getvalue()
    assert "saved, grading again" in text and text.count("Score:") == 2
