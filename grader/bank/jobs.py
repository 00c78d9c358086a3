"""Gradings of a bank run in parallel, the way `grade batch` runs them: forked local workers
(each its own sandbox slot) or a dask.distributed cluster. Every grading goes through
`grader.grading.pipeline.grade`, in the sandbox, like any student's submission."""
from __future__ import annotations

import json
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.grading.pipeline import GradeOptions
from grader.core.result import Result
from grader.core.spec import Exercise
from grader.core.status import TaskKind


@dataclass(frozen=True)
class Grading:
    exercise: Exercise
    path: Path
    label: str                   # what the report calls it: "the reference", a file, a mutant
    seed: int = 0
    tag: Any = field(default=None, compare=False)  # the caller's own
    audit_causes: bool = False   # every diagnosis asked, one that raises reported (reference)


@dataclass(frozen=True)
class Runner:
    jobs: int = 1
    executor: str = "local"      # "local" | "dask"
    scheduler: str | None = None

    def run(self, gradings: list[Grading],
            progress: Callable[[Grading], None] | None = None
            ) -> Iterator[tuple[Grading, Result | str]]:
        """Each grading with its Result, or a one-line reason it could not be graded (the
        grader's or the machine's fault), in the order they finish."""
        if not gradings:
            return
        if self.executor == "dask":
            yield from self._dask(gradings, progress)
        elif self.jobs <= 1:
            for g in gradings:
                out = _one(g)
                if progress:
                    progress(g)
                yield g, out
        else:
            yield from self._local(gradings, progress)

    def _local(self, gradings, progress):
        from grader.classroom.batch import executors  # the batch's worker set-up: sandbox slots, death with us
        executors.warm_up([_task(g) for g in gradings])
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(min(self.jobs, len(gradings)), mp_context=ctx,
                                 initializer=executors._start_worker,
                                 initargs=(ctx.Value("i", 0),)) as pool:
            futures = {pool.submit(executors._grade_in_worker, _task(g), _opts(g)): g
                       for g in gradings}
            for f in as_completed(futures):
                g = futures[f]
                try:
                    out = _decode(f.result())
                except Exception as e:  # noqa: BLE001  a worker died: the machine's fault
                    out = f"worker lost: {e}"
                if progress:
                    progress(g)
                yield g, out

    def _dask(self, gradings, progress):
        from grader.classroom.batch.dask_executor import DaskExecutor
        by_task = {}
        # the bank's own files (references, mutants), not students': the local path grades
        # them in a weak sandbox too
        with DaskExecutor(self.scheduler, allow_weak_sandbox=True) as ex:
            # one GradeOptions per start
            for key in sorted({(g.seed, g.audit_causes) for g in gradings}):
                group = [g for g in gradings if (g.seed, g.audit_causes) == key]
                tasks = [_task(g, f"{int(key[1])}:{i}") for i, g in enumerate(group)]
                by_task.update({t.student: g for t, g in zip(tasks, group)})
                ex.start(tasks, _opts(group[0]))
            for task, payload in ex.results():
                g = by_task[task.student]
                if progress:
                    progress(g)
                yield g, _decode(payload)


def _task(g: Grading, i: str | None = None):
    from grader.classroom.batch.executors import Task
    name = g.label if i is None else f"{g.seed}:{i}"
    return Task(student=name, exercise=g.exercise, path=str(g.path))


def _opts(g: Grading) -> GradeOptions:
    return GradeOptions(hidden=True, seed=g.seed, audit_causes=g.audit_causes)


def _one(g: Grading) -> Result | str:
    from grader.classroom.batch.executors import grade_task
    return _decode(grade_task(_task(g), _opts(g)))


def _decode(payload: dict) -> Result | str:
    if payload.get("kind") == TaskKind.GRADED:
        return Result.from_dict(json.loads(payload["result_json"]))
    return str(payload.get("reason") or payload.get("kind") or "not graded")
