"""Benchmark: a class of N ex02 submissions (mixed right, wrong, crashing), graded two ways.

  ours   `python -m grader.cli batch SUBS --out OUT --exercise ex02 --jobs J`: one process,
         warm forked workers, every submission in its own sandbox, gradebook + reports + overview.
  naive  per submission, a fresh `python -m pytest -q test_ex02.py` in a folder holding a copy
         of the submission as ex02.py and bench/overhead.py's NAIVE_TEST (ex02's six checks
         with plain asserts, in the student's process: no isolation). J of them at a time, so
         both ways keep the same number of cores busy.

Printed for both: submissions per second, and the overhead per submission, i.e. the
core-seconds the way occupied (wall x J) minus the time spent in the student's own code, over N.
Student compute is what each way's student process reports (ours: `run.student_s` of every
result in the gradebook; naive: the test file's own timer around the import and each call).

    python3 bench/batch.py             # N = 200, J = 2: long on a 2-core machine
    python3 bench/batch.py --n 20      # quicker
A benchmark, not a test: it asserts nothing about speed. It writes bench/results/batch-<date>.json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from overhead import BASE_ENV, NAIVE_TEST, RESULTS, machine  # noqa: E402  (reused harness)

SOLUTION = ROOT / "solutions" / "ex02.py"
WRONG = sorted((ROOT / "tests" / "submissions" / "ex02").glob("*.py"))
# Crashing variants of the reference: at import, and inside GD.
CRASHES = {
    "raises_at_import": "raise RuntimeError('a leftover debugging line')\n",
    "raises_in_gd": "\n\ndef GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):\n"
                    "    raise ValueError('not implemented yet')\n",
}


def make_class(dest: Path, n: int) -> dict[str, str]:
    """N students, in a fixed mix: 2/5 right, 2/5 wrong, 1/5 crashing. Each file is unique (a
    comment names its student), as in a real class. Returns student -> kind."""
    kinds: dict[str, str] = {}
    ref = SOLUTION.read_text()
    for i in range(n):
        student = f"s{i:04d}"
        slot = i % 5
        if slot in (0, 1):
            kind, source = "right", ref
        elif slot in (2, 3):
            f = WRONG[(i // 5 * 2 + slot - 2) % len(WRONG)]
            kind, source = f"wrong:{f.stem}", f.read_text()
        else:
            name = sorted(CRASHES)[(i // 5) % len(CRASHES)]
            body = CRASHES[name]
            kind, source = f"crash:{name}", body + ref if name == "raises_at_import" else ref + body
        (dest / student).mkdir(parents=True)
        (dest / student / "ex02.py").write_text(f"# {student}\n{source}", encoding="utf-8")
        kinds[student] = kind
    return kinds


def run_ours(subs: Path, out: Path, jobs: int) -> dict:
    cmd = [sys.executable, "-m", "grader.cli", "batch", str(subs), "--out", str(out),
           "--exercise", "ex02", "--jobs", str(jobs)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"ours: grade batch exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    db = sqlite3.connect(out / "gradebook.sqlite")
    rows = db.execute("SELECT student, score, result_json FROM submissions WHERE current = 1"
                      ).fetchall()
    db.close()
    runs = {r[0]: json.loads(r[2]).get("run") or {} for r in rows if r[2]}
    student = sum(run.get("student_s", 0.0) for run in runs.values())
    # Inside grade() (the worker's clock) but outside the student's code: the rest of the
    # overhead is the batch's fixed costs (start, zygotes, tail) and the parent's writes.
    in_grade = {s: run.get("wall_s", 0.0) - run.get("student_s", 0.0) for s, run in runs.items()}
    return {"wall_s": wall, "student_s": student, "graded": len(rows),
            "in_grade": in_grade,
            "scores": {r[0]: r[1] for r in rows}}


def _median(values) -> float:
    v = sorted(values)
    return v[len(v) // 2] if v else 0.0


def naive_one(src: Path, workdir: Path) -> dict:
    sub = Path(tempfile.mkdtemp(prefix="sub-", dir=workdir))
    shutil.copyfile(src, sub / "ex02.py")
    (sub / "test_ex02.py").write_text(NAIVE_TEST, encoding="utf-8")
    timings = sub / "timings.json"
    env = dict(BASE_ENV, BENCH_TIMINGS_JSON=str(timings), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "test_ex02.py"], cwd=sub, env=env, capture_output=True, text=True,
                          timeout=600)
    t = json.loads(timings.read_text()) if timings.exists() else {}
    passed = re.search(r"(\d+) passed", proc.stdout)
    shutil.rmtree(sub, ignore_errors=True)
    return {"student_s": t.get("import_s", 0.0) + t.get("calls_s", 0.0),
            "passed": int(passed.group(1)) if passed else 0}


def run_naive(subs: Path, workdir: Path, jobs: int) -> dict:
    files = sorted(subs.glob("*/ex02.py"))
    t0 = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        runs = list(pool.map(lambda f: naive_one(f, workdir), files))
    wall = time.perf_counter() - t0
    return {"wall_s": wall, "student_s": sum(r["student_s"] for r in runs), "graded": len(runs),
            "passed": {f.parent.name: r["passed"] for f, r in zip(files, runs)}}


def figures(run: dict, n: int, jobs: int) -> dict:
    return {"wall_s": run["wall_s"], "student_s": run["student_s"],
            "submissions_per_s": n / run["wall_s"],
            "wall_per_submission_s": run["wall_s"] / n,
            "overhead_per_submission_s": (run["wall_s"] * jobs - run["student_s"]) / n,
            **({"in_grade_overhead_per_submission_s": sum(run["in_grade"].values()) / n,
                "in_grade_overhead_median_s": _median(run["in_grade"].values())}
               if "in_grade" in run else {})}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Grade N ex02 submissions (right, wrong, crashing) "
                                 "with `grade batch --jobs J` and the naive way (a fresh "
                                 "`python -m pytest` per submission, J at a time); print "
                                 "submissions/s and overhead per submission for both.")
    ap.add_argument("--n", type=int, default=200, help="submissions (default 200)")
    ap.add_argument("--jobs", type=int, default=2, help="parallel gradings, both ways (2)")
    ap.add_argument("--skip-naive", action="store_true", help="time `grade batch` only")
    ap.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    args = ap.parse_args(argv)
    if args.n < 1 or args.jobs < 1:
        ap.error("--n and --jobs must be at least 1")
    import torch
    started, load_start = dt.datetime.now().astimezone(), os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        subs, tmp = Path(tmp) / "submissions", Path(tmp)
        kinds = make_class(subs, args.n)
        print(f"{args.n} ex02 submissions: " + ", ".join(
            f"{k} {sum(v.split(':')[0] == k for v in kinds.values())}"
            for k in ("right", "wrong", "crash")) + f"; {args.jobs} at a time; load average "
              f"{' '.join(f'{x:.2f}' for x in load_start)}", flush=True)
        ours = run_ours(subs, tmp / "out", args.jobs)
        print(f"ours  done: {ours['wall_s']:.1f} s", flush=True)
        naive = None if args.skip_naive else run_naive(subs, tmp, args.jobs)
        if naive:
            print(f"naive done: {naive['wall_s']:.1f} s", flush=True)
    load_end = os.getloadavg()
    table = {"ours": figures(ours, args.n, args.jobs)}
    if naive:
        table["naive"] = figures(naive, args.n, args.jobs)
    print(f"\n{'way':<6} {'wall':>9} {'subs/s':>8} {'wall/sub':>9} {'student':>9} "
          f"{'overhead/sub':>13}")
    for way, f in table.items():
        print(f"{way:<6} {f['wall_s']:>8.1f}s {f['submissions_per_s']:>8.3f} "
              f"{f['wall_per_submission_s']:>8.2f}s {f['student_s']:>8.1f}s "
              f"{f['overhead_per_submission_s']:>12.3f}s")
    if "in_grade_overhead_per_submission_s" in table["ours"]:
        f = table["ours"]
        print(f"ours, of the overhead per submission: {f['in_grade_overhead_per_submission_s']:.3f}s "
              f"inside grade() (the worker's clock less the student's time; median "
              f"{f['in_grade_overhead_median_s']:.3f}s, the zygotes' starts are in the mean); "
              f"the rest is the batch's start and tail and the parent's writes")
        f["in_grade_median_by_kind_s"] = {k: _median(v for s, v in ours["in_grade"].items()
                                                      if kinds[s].split(":")[0] == k)
                                          for k in ("right", "wrong", "crash")}
        print("  median inside grade() by kind: " + ", ".join(
            f"{k} {v:.3f}s" for k, v in f["in_grade_median_by_kind_s"].items()))
    if naive:
        print(f"\nnaive/ours: overhead {table['naive']['overhead_per_submission_s'] / table['ours']['overhead_per_submission_s']:.2f}x, "
              f"throughput {table['ours']['submissions_per_s'] / table['naive']['submissions_per_s']:.2f}x")
        full = [s for s, k in kinds.items() if k == "right"]
        agree = all(ours["scores"][s] == 10.0 for s in full) and \
            all(naive["passed"][s] == 6 for s in full)
        print(f"right submissions at full marks both ways: {agree}")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in load_end)}")
    if not args.no_save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path, k = RESULTS / f"batch-{started:%Y-%m-%d}.json", 2
        while path.exists():
            path, k = RESULTS / f"batch-{started:%Y-%m-%d}-{k}.json", k + 1
        info = machine(torch.__version__, "")
        path.write_text(json.dumps({
            "bench": "batch", "exercise": "ex02", "n": args.n, "jobs": args.jobs,
            "mix": {k: sum(v.split(":")[0] == k for v in kinds.values())
                    for k in ("right", "wrong", "crash")},
            "started": started.isoformat(timespec="seconds"), "machine": info,
            "loadavg_start": list(load_start), "loadavg_end": list(load_end),
            "figures": table}, indent=2) + "\n", encoding="utf-8")
        print(f"written: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
