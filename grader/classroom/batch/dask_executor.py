"""`--executor dask`: grade on a dask.distributed cluster instead of local processes.

    dask scheduler                                   # on one machine: tcp://HOST:8786
    dask worker tcp://HOST:8786 --nthreads 1         # on every grading machine, one per core
    grade batch submissions/ --out class/ --executor dask --scheduler tcp://HOST:8786

Workers run the very same `grade()` (same sandbox, same checks), so they need this grader
installed and the exercise bank at the same path as on the machine that runs `grade batch`
(the same checkout, or a shared file system). Submissions travel with the task, as bytes: the
workers need not see the students' files. Results come back as typed payloads
(grader.classroom.batch.executors) and only the `grade batch` process writes the gradebook,
exactly as with the local executor.

On a Slurm or PBS cluster, dask-jobqueue starts the workers as batch jobs:

    from dask_jobqueue import SLURMCluster
    cluster = SLURMCluster(cores=8, processes=8, memory="32GB", walltime="02:00:00")
    cluster.scale(jobs=4)                            # 32 workers
    print(cluster.scheduler_address)                 # pass it to --scheduler

Sandbox slots: several workers may share a machine without knowing of each other, so a task
takes the first free slot by locking `<tmp>/nn-grader-slots/slot-N.lock` (flock, released by
the kernel even if the worker is killed): two sandboxes on one machine never share a uid.
Start workers with `--nthreads 1`; a worker with more threads still grades one submission at a
time (pytest runs once at a time per process).

Weak sandbox: a worker whose machine cannot sandbox strongly (no bubblewrap namespaces) refuses
to grade, as `grade batch` refuses locally, unless the batch was given --allow-weak-sandbox:
the batch ends before grading with one line naming the worker, and a worker that joins later
returns each of its tasks as a grader error with that line (not a grade: the next run retries).
"""
from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from grader.core.errors import GraderError
from grader.grading.pipeline import GradeOptions
from grader.core.settings import current
from grader.classroom.batch.executors import Failed, Payload, Task, grade_task
from grader.classroom.locks import AllHeld, first_free
from grader.grading import worker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Shipped:
    """A task with the submission's bytes, for a worker that cannot read the file."""
    task: Task
    filename: str
    content: bytes


def grade_shipped(job: Shipped, opts: GradeOptions, allow_weak_sandbox: bool = False
                  ) -> Payload:
    """Runs on a dask worker: write the file into a private folder, grade it in a free slot
    (or refuse, where this machine's sandbox is weak and the batch did not allow it)."""
    if refusal := worker_refusal(allow_weak_sandbox):
        return Failed(refusal)
    me = worker.current()
    folder = Path(tempfile.mkdtemp(prefix="grade-batch-"))
    try:
        path = folder / job.filename
        path.write_bytes(job.content)
        with me.one_at_a_time, hold_slot() as slot:
            me.slot = slot
            payload = grade_task(replace(job.task, path=str(path)),
                                 replace(job.task.opts or opts, slot=slot),
                                 shown_as=job.task.shown or job.task.path)   # the name the instructor knows
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return payload


def worker_refusal(allow_weak_sandbox: bool, dask_worker=None) -> str | None:
    """On a dask worker: its Worker's refusal (grader.grading.worker) under the batch's
    policy, naming this dask worker (`dask_worker`: set by Client.run; a task finds its
    worker itself)."""
    if dask_worker is None:
        with contextlib.suppress(ImportError, ValueError):
            from distributed import get_worker
            dask_worker = get_worker()
    name = f"dask worker {dask_worker.address}" if dask_worker is not None else "a dask worker"
    me = worker.current()
    me.allow_weak_sandbox = allow_weak_sandbox
    return me.refusal(machine=name)


@contextlib.contextmanager
def hold_slot(slots: int | None = None, wait_s: float | None = None) -> Iterator[int]:
    """The first sandbox slot no other process on this machine holds, until the block ends
    (None: the `dask_slots` and `dask_slot_wait_s` settings)."""
    slots = current().dask_slots if slots is None else slots
    wait_s = current().dask_slot_wait_s if wait_s is None else wait_s
    folder = Path(tempfile.gettempdir()) / "nn-grader-slots"
    folder.mkdir(mode=0o700, exist_ok=True)
    try:
        with first_free([folder / f"slot-{slot}.lock" for slot in range(slots)], 0.2,
                        wait_s) as slot:
            yield slot
    except AllHeld:
        raise GraderError(f"no free sandbox slot on this machine after {wait_s:g} s") from None


class DaskExecutor:
    """An Executor (grader.classroom.batch.executors) on a dask.distributed cluster."""

    def __init__(self, scheduler: str | None, timeout_s: float | None = None,
                 allow_weak_sandbox: bool = False):
        try:
            from distributed import Client
        except ImportError:
            raise GraderError("--executor dask needs dask.distributed: "
                              "pip install 'dask[distributed]'") from None
        if not scheduler:
            raise GraderError("--executor dask needs --scheduler tcp://HOST:PORT")
        try:
            wait = current().dask_connect_s if timeout_s is None else timeout_s
            self._client = Client(scheduler, timeout=f"{wait}s")
        except (OSError, TimeoutError) as e:
            raise GraderError(f"cannot reach the dask scheduler at {scheduler}: {e}") from None
        self._futures: dict = {}
        self.allow_weak_sandbox = allow_weak_sandbox
        self._asked = False

    def start(self, tasks: list[Task], opts: GradeOptions) -> None:
        """Refuse before grading where a worker's sandbox is weak (unless allowed: asked of
        the workers at the first start); then queue every task."""
        if not self._asked:
            refusals = sorted(r for r in self._client.run(worker_refusal,
                                                          self.allow_weak_sandbox).values() if r)
            if refusals:
                more = f" (and {len(refusals) - 1} more workers)" if len(refusals) > 1 else ""
                raise GraderError(refusals[0] + more)
            self._asked = True
        for t in tasks:
            with open(t.path, "rb") as f:   # a file past the loader's limit stays refused
                job = Shipped(t, Path(t.path).name, f.read(current().submission_max_bytes + 1))
            key = f"grade-{t.exercise.id}-{t.student}-{os.urandom(4).hex()}"
            f = self._client.submit(grade_shipped, job, opts, self.allow_weak_sandbox,
                                    pure=False, key=key)
            self._futures[f] = t

    def running(self, done: set[int]) -> list[Task]:
        """The cluster does not say which tasks run now: none are named."""
        return []

    def results(self) -> Iterator[tuple[Task, Payload]]:
        from distributed import as_completed
        for f in as_completed(list(self._futures)):
            task = self._futures[f]
            try:
                yield task, f.result()
            except Exception as e:  # the worker died or could not run it: not a grade
                log.info("dask could not grade %s %s", task.student, task.exercise.id,
                         exc_info=True)
                yield task, Failed(f"dask: {type(e).__name__}: {e}"[:500],
                                   traceback.format_exc()[-8000:])

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._client.cancel(list(self._futures))
        self._client.close()

    def __enter__(self) -> "DaskExecutor":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
