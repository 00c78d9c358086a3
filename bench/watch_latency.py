"""`grade exNN --watch`: the time from a save of the file to the first check's result.

    .venv/bin/python bench/watch_latency.py                 # ex02's reference, 10 saves
    .venv/bin/python bench/watch_latency.py --n 5 --exercise ex07

Runs grader.commands.watch.watch in a thread on a copy of the reference solution, saves the copy N times
(a comment line added each time, as an editor's save would change it), and records for each save:
save -> seen (the poll), save -> first check finished, save -> whole table printed. The first
grading (cold: sandbox start, pytest collection) is recorded apart. Writes
bench/results/watch-<date>.json. A benchmark: it asserts nothing.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from rich.console import Console

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


class FirstCheck:
    """A Progress stand-in: the time the first check of each grading finished."""

    def __init__(self) -> None:
        self.first: float | None = None

    def started(self, name: str) -> None:
        pass

    def finished(self, name: str, outcome: object) -> None:
        if self.first is None:
            self.first = time.monotonic()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--exercise", default="ex02")
    ap.add_argument("--n", type=int, default=10, help="saves to time (10)")
    ap.add_argument("--gap", type=float, default=1.0, help="seconds between gradings (1)")
    args = ap.parse_args()

    import dataclasses
    from grader.grading import pipeline
    from grader.commands import watch
    from grader.grading.pipeline import GradeOptions
    from grader.core.settings import current
    from grader.core.spec import find_exercise

    ex = find_exercise(REPO / "exercises", args.exercise)
    work = Path(tempfile.mkdtemp())
    sub = work / f"{ex.id}.py"
    shutil.copy(REPO / "solutions" / f"{ex.id}.py", sub)
    opts = GradeOptions(hidden=True)
    pipeline.prestart(ex, opts)

    probe = FirstCheck()
    real_grade = pipeline.grade

    def timed_grade(exercise, path, o=opts):  # watch(quiet=True) calls grade(ex, path, opts)
        probe.first = None
        return real_grade(exercise, path, dataclasses.replace(o, progress=probe))

    pipeline.grade = timed_grade
    rounds: list[dict] = []
    graded = threading.Event()
    saved_at: list[float] = []

    def on_graded(result, seen_at):
        done = time.monotonic()
        saved = saved_at[-1] if saved_at else None
        rounds.append({"score": result.score, "max": result.max_score,
                       "save_to_seen_s": None if saved is None else round(seen_at - saved, 4),
                       "save_to_first_check_s": None if saved is None or probe.first is None
                       else round(probe.first - saved, 4),
                       "save_to_table_s": None if saved is None else round(done - saved, 4)})
        graded.set()

    stop = threading.Event()
    quiet_console = Console(file=io.StringIO(), width=120)
    t = threading.Thread(target=watch.watch, args=(ex, sub, opts),
                         kwargs=dict(quiet=True, console=quiet_console, stop=stop,
                                     on_graded=on_graded), daemon=True)
    t.start()
    graded.wait(600)
    jitter = random.Random(0)
    for i in range(args.n):
        # not a multiple of the poll interval, or every save would land just before a poll
        time.sleep(args.gap + jitter.uniform(0, current().watch_poll_s))
        graded.clear()
        with open(sub, "a", encoding="utf-8") as f:
            f.write(f"# save {i}\n")
        saved_at.append(time.monotonic())
        if not graded.wait(600):
            print(f"save {i}: no grading within 600 s", file=sys.stderr)
            break
        r = rounds[-1]
        print(f"save {i}: seen {r['save_to_seen_s']:.3f} s, first check "
              f"{r['save_to_first_check_s']:.3f} s, table {r['save_to_table_s']:.3f} s")
    stop.set()
    t.join(5)

    warm = rounds[1:]
    firsts = [r["save_to_first_check_s"] for r in warm if r["save_to_first_check_s"]]
    summary = {"median_save_to_first_check_s": round(statistics.median(firsts), 4)
               if firsts else None,
               "median_save_to_table_s": round(statistics.median(
                   [r["save_to_table_s"] for r in warm]), 4) if warm else None}
    print(json.dumps(summary))
    record = {"bench": "watch_latency", "exercise": ex.id, "n": args.n,
              "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                          "load": os.getloadavg()},
              "first_grading": rounds[0] if rounds else None, "saves": warm, **summary}
    out = REPO / "bench" / "results" / f"watch-{dt.date.today().isoformat()}.json"
    k = 2
    while out.exists():
        out = out.with_name(f"watch-{dt.date.today().isoformat()}-{k}.json")
        k += 1
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
