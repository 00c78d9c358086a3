"""Grade a whole class: discover -> plan against the gradebook -> grade in workers -> record ->
render. `grade batch` (grader.cli) is a thin layer over `run_batch`.

Stages, each in its own module:
  discover   which file is whose, for which exercise (a folder or an LMS zip)
  plan       (here) skip what the gradebook already holds for the same file and checks
  executors  run `grade()` per submission in warm forked workers (or on a dask cluster)
  gradebook  (grader.gradebook) the parent records each result in one transaction
  outputs    grades.csv, results/<student>/<ex>.json, reports/<student>/*.html
  overview   index.html, the class overview
  console    progress bar and summary table

Resumable: a run killed at any point (even SIGKILL) has committed each finished submission and
nothing else; the same command grades the rest and renders whatever the killed run left out.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from ..gradebook import Gradebook, Key
from ..pipeline import GradeOptions
from ..report import fmt_points
from ..result import Result
from ..spec import Exercise, all_exercises, find_exercise
from .console import progress_bar, summary_table
from .discover import Found, discover
from .executors import ERROR, GRADED, UNREADABLE, LocalExecutor, Task
from .outputs import render_entry, render_missing, write_grades_csv
from .overview import write_overview

EXECUTORS = ("local", "dask")


@dataclass(frozen=True)
class BatchOptions:
    out: Path
    exercise: str | None = None      # only this exercise (id, number or slug); None: all
    jobs: int = 1                    # local worker processes
    regrade: bool = False            # grade again even what the gradebook already holds
    public_only: bool = False        # public checks only (the hidden ones are not run)
    seed: int = 0
    device: str | None = None
    data_dir: Path | None = None
    executor: str = "local"          # "local" | "dask"
    scheduler: str | None = None     # dask scheduler address, e.g. tcp://127.0.0.1:8786


@dataclass
class BatchSummary:
    found: int = 0
    graded: int = 0
    unchanged: int = 0
    unreadable: list[str] = field(default_factory=list)   # "student exNN: reason"
    errors: list[str] = field(default_factory=list)       # grader faults: not recorded
    warnings: list[str] = field(default_factory=list)     # files skipped by discovery
    outputs: dict[str, Path] = field(default_factory=dict)


def run_batch(source: Path, root: Path, opts: BatchOptions,
              console: Console | None = None) -> BatchSummary:
    """Grade every submission under `source` (a folder or an LMS zip) that the gradebook in
    `opts.out` does not hold yet, then render every output from the gradebook."""
    out = Path(opts.out)
    bank = all_exercises(root)
    chosen = [find_exercise(root, opts.exercise)] if opts.exercise else bank
    found, warnings = discover(Path(source), [x.id for x in chosen], out / "unpacked")
    summary = BatchSummary(found=len(found), warnings=warnings)
    gopts = GradeOptions(hidden=not opts.public_only, device=opts.device, seed=opts.seed,
                         data_dir=opts.data_dir)
    by_id = {x.id: x for x in chosen}
    keys = {x.id: grading_key(x, gopts) for x in chosen}
    if console is not None:
        for w in warnings:
            console.print(f"[yellow]skipped:[/] {w}", markup=True, highlight=False)
    with Gradebook.in_folder(out) as gb:
        todo: dict[tuple[str, str], tuple[Found, Key]] = {}
        unchanged: dict[str, int] = {}
        for f in found:
            key = Key(f.student, f.exercise, file_sha256(f.path), keys[f.exercise])
            if not opts.regrade and gb.has(key):
                unchanged[f.exercise] = unchanged.get(f.exercise, 0) + 1
                continue
            todo[(f.student, f.exercise)] = (f, key)
        summary.unchanged = sum(unchanged.values())
        # One exercise after another: a worker's warm zygote serves one exercise's sandbox,
        # and is replaced when the next exercise needs another (other imports, data).
        tasks = sorted((Task(f.student, by_id[f.exercise], str(f.path)) for f, _ in todo.values()),
                       key=lambda t: (t.exercise.order, t.exercise.id, t.student))
        graded_now = _grade_all(tasks, todo, gb, gopts, opts, out, summary, console)
        entries = gb.current()
        render_missing(out, entries)
        columns = [x for x in bank if x.id in {e.exercise for e in entries}]
        summary.outputs = {"gradebook": gb.path,
                           "grades": write_grades_csv(out, entries, columns),
                           "overview": write_overview(out, gb, bank)}
    if console is not None:
        if entries:
            console.print(summary_table(entries, graded_now, unchanged))
        _print_problems(console, summary)
    return summary


def _grade_all(tasks: list[Task], todo: dict, gb: Gradebook, gopts: GradeOptions,
               opts: BatchOptions, out: Path, summary: BatchSummary,
               console: Console | None) -> dict[str, int]:
    """Run the tasks; record each result in the gradebook as it arrives. Returns how many
    were graded per exercise."""
    graded_now: dict[str, int] = {}
    if not tasks:
        return graded_now
    with make_executor(opts) as executor:
        executor.start(tasks, gopts)           # forks before the progress bar's thread starts
        with progress_bar(console, len(tasks)) as bar:
            for task, payload in executor.results():
                found, key = todo[(task.student, task.exercise.id)]
                line = _record(gb, out, task, found, key, payload, gopts, summary)
                if payload.get("kind") != ERROR:
                    graded_now[task.exercise.id] = graded_now.get(task.exercise.id, 0) + 1
                bar.advance(line)
    return graded_now


def _record(gb: Gradebook, out: Path, task: Task, found: Found, key: Key, payload: dict,
            gopts: GradeOptions, summary: BatchSummary) -> str:
    """Write one worker's answer to the gradebook (one transaction) and render its files."""
    who = f"{task.student} {task.exercise.id}"
    kind = payload.get("kind")
    if kind == GRADED:
        text = payload["result_json"]
        result = Result.from_dict(json.loads(text))
        sid = gb.record(key, task.path, result, found.name, result_json=text)
        summary.graded += 1
        line = f"{who} {fmt_points(result.score)}/{fmt_points(result.max_score)}"
    elif kind == UNREADABLE:
        reason = str(payload.get("reason", "cannot be read"))
        top = sum(c.points for c in task.exercise.checks if gopts.hidden or not c.hidden)
        sid = gb.record_unreadable(key, task.path, reason, top, _now(), found.name)
        summary.graded += 1
        summary.unreadable.append(f"{who}: {reason}")
        line = f"{who} unreadable"
    else:
        summary.errors.append(f"{who}: {payload.get('reason', 'unknown error')}")
        return f"{who} NOT GRADED (grader error)"
    render_entry(out, gb.entry(sid), result if kind == GRADED else None)
    return line


def make_executor(opts: BatchOptions):
    if opts.executor == "dask":
        from .dask_executor import DaskExecutor
        return DaskExecutor(opts.scheduler)
    return LocalExecutor(opts.jobs)


def grading_key(ex: Exercise, opts: GradeOptions) -> str:
    """Which checks, in which mode, with which seed: a change to any of them (an instructor
    fixing a check) makes every submission of the exercise due for grading again."""
    h = hashlib.sha256(f"{ex.id}|hidden={opts.hidden}|seed={opts.seed}".encode())
    for name in ("exercise.yaml", "test_public.py", "test_hidden.py", "probes.py"):
        p = ex.folder / name
        h.update(name.encode() + b"\0" + (p.read_bytes() if p.exists() else b"") + b"\0")
    return h.hexdigest()[:32]


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _print_problems(console: Console, s: BatchSummary) -> None:
    console.print(f"{s.found} submissions found: {s.graded} graded now, {s.unchanged} unchanged "
                  f"(already in the gradebook){', ' + str(len(s.errors)) + ' NOT graded' if s.errors else ''}.",
                  highlight=False)
    for title, lines in (("could not be read (recorded as 0)", s.unreadable),
                         ("not graded: grader errors, retried on the next run", s.errors)):
        if lines:
            console.print(f"[bold]{title}:[/]")
            for line in lines:
                console.print(f"  {line}", markup=False, highlight=False)
    for name, path in s.outputs.items():
        console.print(f"{name}: {path}", markup=False, highlight=False)
