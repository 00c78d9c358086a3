"""Benchmark: what each sandbox layer adds to starting a run, against the naive way's start
(a fresh `python` that imports torch).

Each line starts the same interpreter N times (default 10) and reports the median wall time:

  python -c pass              the bare interpreter
  + rlimits                   the same, with the run's resource limits set between fork and exec
  + bwrap (+ setpriv)         inside bubblewrap with the grader's mounts and namespaces (as root,
                              dropping to a slot uid with setpriv, as the grader does)
  python -c 'import torch'    the naive way's start: what every fresh grading process pays
  bwrap + import torch        a cold sandboxed run's start
  warm zygote fork            a run forked from a warm zygote (grader/sandbox/zygote.py): no
                              interpreter start, no imports; fork, handshake, clean-up
  grade() overhead            a whole warm grading of ex02 in-process (the reference, and the
                              stub that fails at once) minus the student code's own time
  grade() CPU                 what a batch pays when its cores are busy: the whole machine's CPU
                              time (/proc/stat) over N warm gradings of the reference, less the
                              student code's time, split into the grader's process, the sandboxed
                              child, its zygote and the rest (kernel threads); and the parent's
                              gradebook and report writing for one result

    .venv/bin/python bench/layers.py          # N = 10
    .venv/bin/python bench/layers.py --n 5

A benchmark, not a test: it asserts nothing. It writes bench/results/layers-<date>.json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from grader.sandbox import isolation  # noqa: E402
from grader.sandbox.isolation import bwrap_argv, detect_layers, preexec  # noqa: E402
from grader.sandbox.limits import Limits  # noqa: E402
from grader.sandbox.session import Session, SessionConfig  # noqa: E402

PYTHON = os.path.realpath(sys.executable)
LIMITS = Limits(time_limit_s=60, call_time_limit_s=10, memory_mb=3072, rlimit_cpu_s=60)


def timed(argv: list[str], n: int, with_rlimits: bool = False) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       preexec_fn=preexec(LIMITS, isolation.slot_uid(0)) if with_rlimits else None,
                       env=isolation.sandbox_env("/tmp"))
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def sandboxed(code: str) -> list[str]:
    layers = detect_layers()
    if not layers.strong:
        raise SystemExit("bubblewrap cannot sandbox here: nothing to measure")
    scratch = Path(tempfile.mkdtemp(prefix="bench-layers-"))
    return bwrap_argv(layers.bwrap, scratch, [PYTHON, "-I", "-S", "-c", code], "cpu",
                      uid=isolation.slot_uid(0))


def guard_costs(n: int) -> dict[str, float]:
    """guard.py's costs, in a subprocess with torch imported as a run has it: the snapshot of
    the library surface (once per run), its check (after the import and after every call), and
    an audited event with the hook installed (against none)."""
    code = f"""
import importlib.util, json, time, numpy, numpy.linalg, numpy.random, torch
spec = importlib.util.spec_from_file_location("g", {str(ROOT / "grader" / "sandbox" / "guard.py")!r})
g = importlib.util.module_from_spec(spec); spec.loader.exec_module(g)
def each(f, k):
    t = time.perf_counter()
    for _ in range(k): f()
    return (time.perf_counter() - t) / k
s = g.Surface()
def f(): pass
bare = each(lambda: f.__code__, 20000)
out = {{"surface snapshot (per run)": each(g.Surface, {n}),
        "surface check (per call)": each(s.changes, {n * 10})}}
g.install_hook(["/work/"], ["<probes>"])
out["audited event, hook added"] = each(lambda: f.__code__, 20000) - bare
print(json.dumps(out))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


def warm_fork(n: int) -> float:
    """A Session per run, as grading does: fork from the zygote, handshake, close (reap)."""
    layers = detect_layers()
    cfg = SessionConfig(exercise="bench", module="bench", source="x = 1\n", limits=LIMITS,
                        layers=layers)
    with Session(cfg) as s:  # starts the zygote: not timed
        s.ensure_loaded()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        with Session(cfg) as s:
            s.ensure_loaded()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def grade_overhead(path: Path, n: int) -> float:
    """Median of grade()'s wall time minus the student code's own time, warm (as in a batch
    worker): ex02 graded in-process, all checks."""
    from grader.grading.pipeline import GradeOptions, grade
    from grader.core.spec import find_exercise
    ex = find_exercise(ROOT / "exercises", "ex02")
    grade(ex, path, GradeOptions())  # warms the zygote: not timed
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = grade(ex, path, GradeOptions())
        out.append(time.perf_counter() - t0 - r.run.student_s)
    return statistics.median(out)


def _ticks_busy() -> float:
    v = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait


def _self_cpu(pids: list[int]) -> float:
    """utime + stime of these processes themselves (not of the children they waited for)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").iterdir():
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
    return out


def grade_cpu(path: Path, n: int) -> dict[str, float]:
    """CPU seconds per warm grading, in all and by process, less the student code's time."""
    from grader.classroom.folder import render_entry
    from grader.classroom.gradebook import Gradebook, Key
    from grader.grading.pipeline import GradeOptions, grade
    from grader.sandbox import zygote
    from grader.core.spec import find_exercise
    ex = find_exercise(ROOT / "exercises", "ex02")
    grade(ex, path, GradeOptions())  # warms the zygote and the pytest session: not counted
    sandbox = _tree(zygote.of_slot(0).proc.pid)
    student = child = 0.0
    busy, ours, theirs = _ticks_busy(), time.process_time(), _self_cpu(sandbox)
    results = []
    for _ in range(n):
        results.append(grade(ex, path, GradeOptions()))
        student, child = student + results[-1].run.student_s, child + results[-1].run.cpu_s
    busy, ours = _ticks_busy() - busy, time.process_time() - ours
    theirs = _self_cpu(sandbox) - theirs
    with tempfile.TemporaryDirectory() as out, Gradebook.in_folder(Path(out)) as gb:
        t0 = time.process_time()
        for i, r in enumerate(results):
            sid = gb.record(Key(f"s{i}", ex.id, str(i), "bench"), str(path), r,
                            result_json=r.to_json(indent=None))
            render_entry(Path(out), gb.entry(sid), r)
        writes = time.process_time() - t0
    return {"machine": (busy - student) / n, "grader process": ours / n,
            "sandboxed child": (child - student) / n, "zygote + bwrap": theirs / n,
            "rest (kernel threads, other)": (busy - ours - child - theirs) / n,
            "parent's gradebook + report writes": writes / n}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10, help="starts per line (10)")
    args = ap.parse_args(argv)
    torch_path = [p for p in sys.path if p.endswith("site-packages")]
    imp = f"import sys; sys.path[:0] = {torch_path!r}; import torch"
    rows = {
        "python -c pass": timed([PYTHON, "-I", "-S", "-c", "pass"], args.n),
        "python + rlimits (fork, /proc count)": timed([PYTHON, "-I", "-S", "-c", "pass"], args.n, with_rlimits=True),
        "python in bwrap + setpriv": timed(sandboxed("pass"), args.n),
        "python -c 'import torch' (naive start)": timed([PYTHON, "-I", "-S", "-c", imp], args.n),
        "bwrap + import torch (cold run)": timed(sandboxed(imp), args.n),
        "warm zygote fork (ours)": warm_fork(args.n),
    }
    grading = {
        "grade() overhead, ex02 reference": grade_overhead(ROOT / "solutions" / "ex02.py", args.n),
        "grade() overhead, ex02 stub": grade_overhead(ROOT / "exercises" / "ex02_gd" / "ex02.py",
                                                      args.n),
    }
    guard = guard_costs(max(args.n, 10))
    naive = rows["python -c 'import torch' (naive start)"]
    bare = rows["python -c pass"]
    print(f"{'start':<42} {'median':>9} {'vs naive start':>15}")
    for name, t in rows.items():
        print(f"{name:<42} {t * 1000:>7.1f}ms {t / naive:>14.1%}")
    added = rows["python in bwrap + setpriv"] - bare
    for name, t in grading.items():
        print(f"{name:<42} {t * 1000:>7.1f}ms")
    cpu = grade_cpu(ROOT / "solutions" / "ex02.py", max(args.n, 15))
    print("\nCPU per warm grading of the ex02 reference, less the student's time:")
    for name, t in cpu.items():
        print(f"  {name:<40} {t * 1000:>7.1f}ms")
    print("\nguard.py (what the submission may not change or reach), inside the run:")
    for name, t in guard.items():
        print(f"  {name:<40} {t * 1e6:>9.1f}us")
    print(f"\nbwrap + setpriv add {added * 1000:.1f} ms to a start: {added / naive:.1%} of the "
          f"naive way's start; a warm fork is {naive / rows['warm zygote fork (ours)']:.0f}x "
          f"faster than the naive start.")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path, k = out / f"layers-{dt.date.today():%Y-%m-%d}.json", 2
    while path.exists():  # keep earlier records: they are the history
        path, k = out / f"layers-{dt.date.today():%Y-%m-%d}-{k}.json", k + 1
    path.write_text(json.dumps({"n": args.n, "loadavg": os.getloadavg(),
                                "median_s": rows | grading, "cpu_per_grading_s": cpu,
                                "guard_s": guard},
                               indent=2) + "\n", encoding="utf-8")
    print(f"written: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
