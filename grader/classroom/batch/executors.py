"""Where the gradings run: a local pool of warm worker processes, or a dask.distributed cluster.

Both implement `Executor`: they run `grade_task` (one submission -> one typed `Payload`) and
hand the payloads back to the parent one by one as they finish; only the parent writes the
gradebook. A worker never raises for a student's fault: `grade()` turns those into a Result
(`Graded`), a file that cannot be read becomes `Unreadable`, and a grader fault becomes
`Failed` (reported, not recorded, so the next run tries again). `open_executor` is the one way
in, for `grade batch` and the bank's tools (grader.bank.jobs) alike.

Local: `concurrent.futures.ProcessPoolExecutor` with the `fork` start method. The parent has
imported torch, numpy, pytest and the pipeline before the workers fork, so a task pays none of
those imports. Each worker process is a `Worker` (grader.grading.worker) of its own sandbox
slot (hence its own unprivileged uid), given when it starts: 0, 1, ... in order, so no two
sandboxes of one batch ever share a uid; it adopts the warm sandbox the parent may have started
for that slot (`grade batch --exercise`: grader.cli). Workers die with the parent
(PR_SET_PDEATHSIG), so a `kill -9` of the batch leaves no orphan grading behind. The classroom
reaches the sandbox only through the Worker.
"""
from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import re
import traceback
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol, Union

from grader.core.errors import GraderError
from grader.core.settings import current
from grader.core.spec import Exercise
from grader.core.status import TaskKind
from grader.grading import worker
from grader.grading.loader import SubmissionError
from grader.grading.pipeline import GradeOptions, grade
from grader.grading.worker import Worker
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
    opts: GradeOptions | None = None  # this task's own options, over those of its start (bank)


# ---- what a worker sends back for one task ---------------------------------------------------

@dataclass(frozen=True)
class Graded:
    """The checks ran (or the file scored 0 because of itself): the Result, as its JSON text,
    which goes into the gradebook as it is, without another encoding."""
    result_json: str
    kind: ClassVar[TaskKind] = GRADED


@dataclass(frozen=True)
class Unreadable:
    """The file could not be read as a submission: 0, with the one-line reason."""
    reason: str
    kind: ClassVar[TaskKind] = UNREADABLE


@dataclass(frozen=True)
class Failed:
    """Not graded: the grader's or the machine's fault, reported (with its traceback, which
    the gradebook keeps) and tried again by the next run."""
    reason: str
    traceback: str = ""
    kind: ClassVar[TaskKind] = ERROR


Payload = Union[Graded, Unreadable, Failed]


class Executor(Protocol):
    """Where a batch's tasks run, each graded with `opts` (or its own `Task.opts`); `start`
    may be called more than once; `results` yields every task started, as it finishes."""

    def start(self, tasks: list[Task], opts: GradeOptions) -> None: ...

    def running(self, done: set[int]) -> list[Task]: ...

    def results(self) -> Iterator[tuple[Task, Payload]]: ...

    def close(self) -> None: ...

    def __enter__(self) -> "Executor": ...

    def __exit__(self, *exc: object) -> None: ...


def open_executor(kind: str = "local", jobs: int = 1, scheduler: str | None = None,
                  allow_weak_sandbox: bool = False) -> Executor:
    """The executor `kind` ("local": `jobs` forked workers; "dask": the cluster at
    `scheduler`), refusing a weak sandbox unless allowed (grader.grading.worker)."""
    if kind == "dask":
        from grader.classroom.batch.dask_executor import DaskExecutor
        return DaskExecutor(scheduler, allow_weak_sandbox=allow_weak_sandbox)
    return LocalExecutor(jobs, allow_weak_sandbox=allow_weak_sandbox)


def grade_task(task: Task, opts: GradeOptions, shown_as: str | None = None) -> Payload:
    """Grade one submission in this process. `shown_as`: the file's name in the result,
    where the grading read a copy of it."""
    try:
        result = grade(task.exercise, Path(task.path), opts)
        if shown_as is not None:
            result = dataclasses.replace(result, submission=shown_as)
    except SubmissionError as e:
        return Unreadable(str(e).splitlines()[0] if str(e) else "unreadable")
    except Exception as e:  # the grader's fault, or the machine's: not a grade
        log.info("grading %s %s failed", task.student, task.exercise.id, exc_info=True)
        return Failed(f"{type(e).__name__}: {e}".splitlines()[0][:500],
                      traceback.format_exc()[-8000:])
    return Graded(result.to_json(indent=None))


# ---- local: a pool of forked, warm workers --------------------------------------------------

def _start_worker(counter, allow_weak_sandbox: bool) -> None:
    with counter.get_lock():
        slot = counter.value
        counter.value += 1
    Worker.forked(slot, allow_weak_sandbox).die_with_parent()


def _grade_in_worker(task: Task, opts: GradeOptions) -> Payload:
    me = worker.current()
    opts = dataclasses.replace(task.opts or opts, slot=me.slot)
    shown = task.shown or None
    if not (task.exercise.device != "cpu" and opts.device != "cpu" and me.gpus > 0):
        return grade_task(task, opts, shown)
    share = opts.gpu_memory_fraction or current().gpu_memory_fraction
    with gpus.claim(me.gpus, prefer=me.slot) as gpu:  # one CUDA run per GPU
        return grade_task(task, dataclasses.replace(opts, gpu=gpu, gpu_memory_fraction=share),
                          shown)


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

    def __init__(self, jobs: int, allow_weak_sandbox: bool = False):
        self.jobs = max(1, jobs)
        self.allow_weak_sandbox = allow_weak_sandbox
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[Future, Task] = {}

    def start(self, tasks: list[Task], opts: GradeOptions) -> None:
        """Fork the workers (at the first start) and queue every task; call before starting
        any thread (a progress bar), since a fork copies only the calling thread."""
        if self._pool is None:
            me = worker.current()
            me.allow_weak_sandbox = self.allow_weak_sandbox
            if refusal := me.refusal():
                raise GraderError(refusal)
            warm_up(tasks)
            ctx = multiprocessing.get_context("fork")
            self._pool = ProcessPoolExecutor(self.jobs, mp_context=ctx,
                                             initializer=_start_worker,
                                             initargs=(ctx.Value("i", 0), self.allow_weak_sandbox))
        self._futures.update({self._pool.submit(_grade_in_worker, t, opts): t for t in tasks})
        worker.current().hand_over()  # the workers are forked (at the first submit): theirs now

    def running(self, done: set[int]) -> list[Task]:
        """The tasks most likely running now: the pool takes tasks in order, so the first
        `jobs` not yet finished."""
        return [t for f, t in self._futures.items() if id(t) not in done][:self.jobs]

    def results(self) -> Iterator[tuple[Task, Payload]]:
        for f in as_completed(self._futures):
            try:
                yield self._futures[f], f.result()
            except Exception as e:  # a worker died (BrokenProcessPool): the machine's fault
                log.info("a worker was lost", exc_info=True)
                yield self._futures[f], Failed(f"worker lost: {e}"[:500],
                                               traceback.format_exc()[-8000:])

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> "LocalExecutor":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
