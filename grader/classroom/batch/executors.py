"""Where the gradings run: a local pool of warm worker processes, or a dask.distributed cluster.

Both run `grade_task` (one submission -> one JSON-able dict) and hand the dicts back to the
parent one by one as they finish; only the parent writes the gradebook. A worker never raises
for a student's fault: `grade()` turns those into a Result, a file that cannot be read becomes
{"kind": "unreadable"}, and a grader fault becomes {"kind": "error"} (reported, not recorded,
so the next run tries again).

Local: `concurrent.futures.ProcessPoolExecutor` with the `fork` start method. The parent has
imported torch, numpy, pytest and the pipeline before the workers fork, so a task pays none of
those imports. Each worker takes a sandbox slot (hence its own unprivileged uid) when it starts:
0, 1, ... in order, so no two sandboxes of one batch ever share a uid, and adopts the warm
sandbox the parent may have started for that slot at its very start (`grade batch
--exercise`: grader.cli). Workers die with the parent (PR_SET_PDEATHSIG), so a `kill -9` of the
batch leaves no orphan grading behind.
"""
from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import os
import re
import signal
import sys
import traceback
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from grader.grading.loader import SubmissionError
from grader.grading.pipeline import GradeOptions, grade
from grader.sandbox import procs, zygote
from grader.core.settings import current
from grader.core.spec import Exercise
from grader.core.status import TaskKind
from grader.classroom.batch import gpus

log = logging.getLogger(__name__)

# The payload kinds (documented in grader.core.status); the names stay for existing imports.
GRADED, UNREADABLE, ERROR = TaskKind.GRADED, TaskKind.UNREADABLE, TaskKind.ERROR


@dataclass(frozen=True)
class Task:
    student: str
    exercise: Exercise
    path: str                    # the file graded (a safe copy of the student's)
    shown: str = ""              # the student's file as the instructor knows it, for reports


def grade_task(task: Task, opts: GradeOptions, shown_as: str | None = None) -> dict:
    """Grade one submission; return {"kind", "result_json" (Result.to_json) | "reason"}, and
    for a grader fault (kind "error") its "traceback", which the gradebook keeps.
    `shown_as`: the file's name in the result, where the grading read a copy of it."""
    try:
        result = grade(task.exercise, Path(task.path), opts)
        if shown_as is not None:
            result = dataclasses.replace(result, submission=shown_as)
    except SubmissionError as e:
        return {"kind": UNREADABLE, "reason": str(e).splitlines()[0] if str(e) else "unreadable"}
    except Exception as e:  # the grader's fault, or the machine's: not a grade
        log.info("grading %s %s failed", task.student, task.exercise.id, exc_info=True)
        return {"kind": ERROR, "reason": f"{type(e).__name__}: {e}".splitlines()[0][:500],
                "traceback": traceback.format_exc()[-8000:]}
    # Text, not a dict: it goes into the gradebook as it is, without another encoding.
    return {"kind": GRADED, "result_json": result.to_json(indent=None)}


def weak_sandbox_refusal(allow_weak: bool, machine: str = "this machine") -> str | None:
    """The one line that refuses to grade a class on `machine` (this process's) where the
    sandbox is weak, unless --allow-weak-sandbox; None: grade. `grade batch` asks it for this
    machine, every dask worker for its own (grader.classroom.batch.dask_executor)."""
    if allow_weak:
        return None
    from grader.sandbox import isolation
    if isolation.detect_layers().strong:
        return None
    there = "" if machine == "this machine" else " there"
    return (f"{machine} cannot sandbox strongly (run `grade doctor`{there} to see why); a "
            f"class needs it: install bubblewrap, or pass --allow-weak-sandbox")


# ---- local: a pool of forked, warm workers --------------------------------------------------

_worker_slot = 0                 # per worker process: set once by _start_worker, read by tasks


def _start_worker(counter) -> None:
    global _worker_slot
    with counter.get_lock():
        _worker_slot = counter.value
        counter.value += 1
    _die_with_parent()
    zygote.adopt(_worker_slot)  # the sandbox the parent started for this slot, if any


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        procs.prctl(procs.PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == 1:    # the parent was already gone before prctl took effect
            os._exit(1)


def _grade_in_worker(task: Task, opts: GradeOptions) -> dict:
    opts = dataclasses.replace(opts, slot=_worker_slot)
    shown = task.shown or None
    if not _wants_gpu(task.exercise, opts):
        return grade_task(task, opts, shown)
    with gpus.claim(_gpu_count(), prefer=_worker_slot) as gpu:  # one CUDA run per GPU
        return grade_task(task, dataclasses.replace(
            opts, gpu=gpu, gpu_memory_fraction=opts.gpu_memory_fraction or current().gpu_memory_fraction),
            shown)


def _wants_gpu(ex: Exercise, opts: GradeOptions) -> bool:
    return ex.device != "cpu" and opts.device != "cpu" and _gpu_count() > 0


_gpus_here: list[int] = []      # per worker: counted once


def _gpu_count() -> int:
    if not _gpus_here:
        _gpus_here.append(gpus.gpu_count())
    return _gpus_here[0]


def warm_up(tasks: list[Task]) -> None:
    """Import, once in the parent, what every task needs, so forked workers start warm. torch
    (2-3 s) only where the checks use it, or choose the device with it: ex02's checks, say, do
    not, and a batch of them would wait for it with one core idle. nbformat only for
    notebooks."""
    import numpy  # noqa: F401
    import pytest  # noqa: F401
    from grader.grading import checks, plugin, runner  # noqa: F401
    if any(_uses_torch(x) for x in {t.exercise.id: t.exercise for t in tasks}.values()):
        import torch  # noqa: F401
    if any(t.path.endswith(".ipynb") for t in tasks):
        import nbformat  # noqa: F401


def _uses_torch(ex: Exercise) -> bool:
    imports = re.compile(r"^\s*(import|from)\s+torch\b", re.MULTILINE)
    return ex.device != "cpu" or any(imports.search(f.read_text(encoding="utf-8"))
                                     for f in ex.check_files(hidden=True))


class LocalExecutor:
    """`jobs` forked worker processes on this machine."""

    def __init__(self, jobs: int):
        self.jobs = max(1, jobs)
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[Future, Task] = {}

    def start(self, tasks: list[Task], opts: GradeOptions) -> None:
        """Fork the workers and queue every task; call before starting any thread (a
        progress bar), since a fork copies only the calling thread."""
        warm_up(tasks)
        ctx = multiprocessing.get_context("fork")
        self._pool = ProcessPoolExecutor(self.jobs, mp_context=ctx, initializer=_start_worker,
                                         initargs=(ctx.Value("i", 0),))
        self._futures = {self._pool.submit(_grade_in_worker, t, opts): t for t in tasks}
        zygote.hand_over()  # the workers are forked (at the first submit) and hold them now

    def running(self, done: set[int]) -> list[Task]:
        """The tasks most likely running now: the pool takes tasks in order, so the first
        `jobs` not yet finished."""
        return [t for f, t in self._futures.items() if id(t) not in done][:self.jobs]

    def results(self) -> Iterator[tuple[Task, dict]]:
        for f in as_completed(self._futures):
            try:
                yield self._futures[f], f.result()
            except Exception as e:  # a worker died (BrokenProcessPool): the machine's fault
                log.info("a worker was lost", exc_info=True)
                yield self._futures[f], {"kind": ERROR, "reason": f"worker lost: {e}"[:500],
                                         "traceback": traceback.format_exc()[-8000:]}

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> "LocalExecutor":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
