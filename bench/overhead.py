"""Benchmark: grading overhead per submission, ours vs. the naive `python -m pytest` way.

Grades the ex02 reference (solutions/ex02.py) N times (default 20) both ways and prints the mean
overhead per submission, i.e. grader wall time minus the time spent in the student's own code:

  ours   `grader.grading.pipeline.grade()` called in-process (after one warm-up call). Wall time is
         `time.perf_counter()` around the call; student compute is `result.run.student_s`, which
         the sandboxed child reports (its submission import plus every probe call into it).
  naive  per submission, a fresh `python -m pytest` process runs a small test file (written
         here into a temp dir) that imports a copy of the submission as `ex02` and does the
         same work as ex02's six checks, in the same process as the tests: the way a typical
         Gradescope/otter-style script runs student code. Wall time is the whole subprocess;
         student compute is measured inside it, on the same boundaries the grader's child uses
         (the submission import and each probe-like call that drives GD), and written to a
         JSON file this script reads back.

The two ways alternate (ours, naive, ours, naive, ...) so that load from other work on the
machine falls on both alike; os.getloadavg() is recorded at start and end. This is a benchmark,
not a test: it asserts nothing about speed, it only refuses to report numbers from runs that did
not grade the reference as fully correct. See bench/README.md for what the numbers mean.

    python3 bench/overhead.py            # N = 20
    python3 bench/overhead.py --n 5
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXERCISE = "ex02"
SOLUTION = ROOT / "solutions" / "ex02.py"
RESULTS = Path(__file__).resolve().parent / "results"
SEED = 0  # GradeOptions().seed; the naive file derives the same per-check inputs from it

# The naive way's test file. It mirrors exercises/ex02_gd/{probes,test_public,test_hidden}.py
# with plain asserts, derives the same random inputs (seed + check name, as the grader's `rng`
# fixture does) and times the student's code on the same boundaries as the sandbox child.
NAIVE_TEST = r'''
import hashlib
import json
import os
import time

import numpy as np
import pytest
import torch

torch.manual_seed(SEED)
_perf = time.perf_counter
_student = {"import_s": 0.0, "calls_s": 0.0, "calls": 0}

_t0 = _perf()
import ex02  # the submission, imported straight into the test process
_student["import_s"] = _perf() - _t0


def _timed(fn, *args, **kwargs):
    t0 = _perf()
    try:
        return fn(*args, **kwargs)
    finally:
        _student["calls_s"] += _perf() - t0
        _student["calls"] += 1


@pytest.fixture(autouse=True, scope="module")
def _write_timings():
    yield
    with open(os.environ["BENCH_TIMINGS_JSON"], "w") as f:
        json.dump(_student, f)


def rng_for(name):
    digest = hashlib.sha256(f"{SEED}:{name}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def descend(start, centres, scales, loop_max, learning_rate):
    params = [torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for v in start]
    given = list(params)
    losses, xs = [], []

    def loss_fn(p):
        xs.append([float(t.detach()) for t in given])
        loss = sum(si * (pi - ci) ** 2 for pi, ci, si in zip(p, centres, scales))
        losses.append(float(loss.detach()))
        return loss

    ex02.GD(params, loss_fn, loop_max=loop_max, learning_rate=learning_rate)
    return {"x": [float(t.detach()) for t in given], "losses": losses, "xs": xs}


def notes_loss(start, loop_max):
    x = torch.tensor(float(start), requires_grad=True)
    losses = []

    def loss_fn(p):
        loss = p[0] * p[0] - 4 * p[0] + 4
        losses.append(float(loss.detach()))
        return loss

    ex02.GD([x], loss_fn, loop_max=loop_max)
    return {"x": float(x.detach()), "losses": losses}


def test_reaches_minimum_of_notes_loss():
    run = _timed(notes_loss, -1.5, 5000)
    assert abs(run["x"] - 2.0) <= 0.01


def test_loss_falls():
    run = _timed(notes_loss, -1.5, 5000)
    arr = np.asarray(run["losses"], dtype=float)
    assert np.isfinite(arr).all()
    k = max(1, arr.size // 10)
    assert arr[-k:].mean() < arr[:k].mean()
    assert arr[-1] < 1e-3


def test_random_bowl_minimum():
    rng = rng_for("test_random_bowl_minimum")
    centres, start = rng.uniform(-5, 5, 3), rng.uniform(-5, 5, 3)
    scales = rng.uniform(0.5, 2.0, 3)
    run = _timed(descend, start.tolist(), centres.tolist(), scales.tolist(), 3000, 0.01)
    assert np.allclose(run["x"], centres, atol=0.01)


def test_trajectory_is_gradient_descent():
    rng = rng_for("test_trajectory_is_gradient_descent")
    centres, start = rng.uniform(-3, 3, 2), rng.uniform(-3, 3, 2)
    scales, lr, steps = np.array([1.0, 0.5]), 0.05, 40
    run = _timed(descend, start.tolist(), centres.tolist(), scales.tolist(), steps, lr)
    expected = [start]
    for _ in range(steps - 1):
        x = expected[-1]
        expected.append(x - lr * 2 * scales * (x - centres))
    xs = np.asarray(run["xs"], dtype=float)
    assert xs.shape == (steps, 2)
    for t in range(steps):
        assert np.allclose(xs[t], expected[t], atol=1e-6), t


def test_runs_loop_max_steps():
    steps = int(rng_for("test_runs_loop_max_steps").integers(50, 150))
    run = _timed(descend, [1.0], [0.0], [1.0], steps, 1e-3)
    assert len(run["losses"]) == steps


def test_updates_params_in_place():
    c = float(rng_for("test_updates_params_in_place").uniform(1, 4))
    run = _timed(descend, [0.0], [c], [1.0], 2000, 0.01)
    assert abs(run["x"][0] - c) <= 0.01
'''.replace("SEED", str(SEED))
NAIVE_CHECKS = 6
BASE_ENV = dict(os.environ)


def run_ours(exercise, grade, options) -> dict:
    t0 = time.perf_counter()
    result = grade(exercise, SOLUTION, options)
    wall = time.perf_counter() - t0
    if result.status != "graded" or result.score != result.max_score:
        raise SystemExit(f"ours: the reference did not grade fully: status={result.status} "
                         f"score={result.score}/{result.max_score} {result.message}")
    student = float(result.run.student_s)
    return {"wall_s": wall, "student_s": student, "overhead_s": wall - student,
            "grader_wall_s": result.run.wall_s, "cpu_s": result.run.cpu_s,
            "starts": result.run.starts}


def run_naive(workdir: Path, autoload: bool = False) -> dict:
    """One submission the naive way: a fresh folder, a fresh `python -m pytest` process."""
    sub = Path(tempfile.mkdtemp(prefix="sub-", dir=workdir))
    shutil.copyfile(SOLUTION, sub / "ex02.py")
    (sub / "test_ex02.py").write_text(NAIVE_TEST, encoding="utf-8")
    timings = sub / "timings.json"
    # Like grade(), which sets PYTEST_DISABLE_PLUGIN_AUTOLOAD for its own pytest run, the naive
    # run does not load whatever third-party pytest plugins this machine has installed (here
    # hypothesis and pytest-benchmark, seconds of imports): they would inflate its overhead
    # with cost that is not the naive way's. --autoload-plugins keeps them.
    env = dict(BASE_ENV, BENCH_TIMINGS_JSON=str(timings))
    env.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
    if not autoload:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    cmd = [sys.executable, "-m", "pytest", "-q", "test_ex02.py"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=sub, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0 or not timings.exists():
        raise SystemExit(f"naive: pytest exited {proc.returncode}:\n{proc.stdout[-3000:]}"
                         f"\n{proc.stderr[-3000:]}")
    t = json.loads(timings.read_text())
    if t["calls"] != NAIVE_CHECKS:
        raise SystemExit(f"naive: expected {NAIVE_CHECKS} timed calls, saw {t['calls']}")
    student = t["import_s"] + t["calls_s"]
    shutil.rmtree(sub, ignore_errors=True)
    return {"wall_s": wall, "student_s": student, "overhead_s": wall - student}


def summarise(runs: list[dict]) -> dict:
    out = {}
    for key in ("wall_s", "student_s", "overhead_s"):
        vals = [r[key] for r in runs]
        out[key] = {"mean": statistics.fmean(vals), "median": statistics.median(vals),
                    "stdev": statistics.stdev(vals) if len(vals) > 1 else 0.0,
                    "min": min(vals), "max": max(vals)}
    return out


def machine(torch_version: str, sandbox: str) -> dict:
    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                                  timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    return {"nproc": os.cpu_count(), "usable_cpus": len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            "python": platform.python_version(), "torch": torch_version,
            "platform": platform.platform(), "sandbox": sandbox,
            "git_head": git("rev-parse", "--short", "HEAD"),
            "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def table(summary: dict, n: int) -> str:
    rows = [("way", "mean wall", "mean student", "mean overhead", "median overhead")]
    for way in ("ours", "naive"):
        s = summary[way]
        rows.append((way, f"{s['wall_s']['mean']:.3f} s", f"{s['student_s']['mean']:.3f} s",
                     f"{s['overhead_s']['mean']:.3f} s", f"{s['overhead_s']['median']:.3f} s"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in
                       enumerate(zip(r, widths))) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    o, v = summary["ours"], summary["naive"]
    lines.append("")
    lines.append(f"naive/ours, mean overhead: {v['overhead_s']['mean'] / o['overhead_s']['mean']:.2f}x"
                 f"   mean wall: {v['wall_s']['mean'] / o['wall_s']['mean']:.2f}x"
                 f"   (per submission, n={n} each)")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description="Grade the ex02 reference N times in-process with grade() and N times the "
                    "naive way (a fresh `python -m pytest` process per submission), and print "
                    "the mean overhead per submission (wall time minus the student's own "
                    "compute) for each. A benchmark, not a test; see bench/README.md.")
    ap.add_argument("--n", type=int, default=20, help="submissions per way (default 20)")
    ap.add_argument("--autoload-plugins", action="store_true",
                    help="let the naive pytest autoload installed third-party plugins "
                         "(default: PYTEST_DISABLE_PLUGIN_AUTOLOAD=1, as grade() does)")
    ap.add_argument("--no-save", action="store_true",
                    help="do not write bench/results/overhead-<date>.json")
    args = ap.parse_args(argv)
    if args.n < 1:
        ap.error("--n must be at least 1")

    sys.path.insert(0, str(ROOT))
    import torch
    from grader.grading.pipeline import GradeOptions, grade
    from grader.core.spec import find_exercise

    load_start = os.getloadavg()
    started = dt.datetime.now().astimezone()
    exercise = find_exercise(ROOT / "exercises", EXERCISE)
    options = GradeOptions(seed=SEED)
    print(f"grading {SOLUTION.relative_to(ROOT)} ({EXERCISE}) {args.n} times each way, "
          f"alternating; load average at start: {' '.join(f'{x:.2f}' for x in load_start)}",
          flush=True)
    print(f"naive: `{Path(sys.executable).name} -m pytest -q test_ex02.py` per submission, "
          f"third-party plugin autoload {'on' if args.autoload_plugins else 'off'}", flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-naive-") as tmp:
        workdir = Path(tmp)
        # One warm-up each: page cache for torch, the grader's own imports, .pyc files.
        warm = grade(exercise, SOLUTION, options)
        run_naive(workdir, args.autoload_plugins)
        ours, naive = [], []
        for i in range(args.n):
            ours.append(run_ours(exercise, grade, options))
            naive.append(run_naive(workdir, args.autoload_plugins))
            print(f"  {i + 1:>3}/{args.n}  ours {ours[-1]['wall_s']:6.2f} s wall, "
                  f"{ours[-1]['overhead_s']:6.2f} s overhead   naive {naive[-1]['wall_s']:6.2f} s "
                  f"wall, {naive[-1]['overhead_s']:6.2f} s overhead", flush=True)

    load_end = os.getloadavg()
    info = machine(torch.__version__, warm.run.sandbox if warm.run else "")
    summary = {"ours": summarise(ours), "naive": summarise(naive)}
    print()
    print(f"machine: nproc={info['nproc']} (usable {info['usable_cpus']}), "
          f"python {info['python']}, torch {info['torch']}, {info['platform']}")
    print(f"sandbox (ours): {info['sandbox']}")
    print(f"load average (1/5/15 min): start {' '.join(f'{x:.2f}' for x in load_start)}, "
          f"end {' '.join(f'{x:.2f}' for x in load_end)}")
    print()
    print(table(summary, args.n))

    if not args.no_save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        stem = f"overhead-{started:%Y-%m-%d}"
        path, k = RESULTS / f"{stem}.json", 2
        while path.exists():
            path, k = RESULTS / f"{stem}-{k}.json", k + 1
        record = {
            "bench": "overhead", "exercise": EXERCISE,
            "submission": str(SOLUTION.relative_to(ROOT)), "n": args.n, "seed": SEED,
            "started": started.isoformat(timespec="seconds"),
            "finished": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": info, "loadavg_start": list(load_start), "loadavg_end": list(load_end),
            "ratio_naive_over_ours": {
                "overhead": summary["naive"]["overhead_s"]["mean"]
                / summary["ours"]["overhead_s"]["mean"],
                "wall": summary["naive"]["wall_s"]["mean"] / summary["ours"]["wall_s"]["mean"]},
            "summary": summary, "runs": {"ours": ours, "naive": naive},
            "naive_command": f"{Path(sys.executable).name} -m pytest -q test_ex02.py",
            "naive_plugin_autoload": args.autoload_plugins,
        }
        path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        print(f"\nwritten: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
