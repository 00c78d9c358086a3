"""Gradings of a bank run in parallel, the way `grade batch` runs them: forked local workers
(each its own sandbox slot) or a dask.distributed cluster, through the batch's one way in
(grader.classroom.batch.executors.open_executor). Every grading goes through
`grader.grading.pipeline.grade`, in the sandbox, like any student's submission."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.classroom.batch.executors import Graded, Payload, Task, grade_task, open_executor
from grader.core.result import Result
from grader.core.spec import Exercise
from grader.grading.pipeline import GradeOptions


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
        if self.executor == "local" and self.jobs <= 1:
            for g in gradings:
                out = _decode(grade_task(_task(g), _opts(g)))
                if progress:
                    progress(g)
                yield g, out
            return
        yield from self._parallel(gradings, progress)

    def _parallel(self, gradings, progress):
        # the bank's own files (references, mutants), not students': graded in a weak
        # sandbox too, locally and on dask alike
        tasks = {id(t): (t, g) for t, g in ((_task(g, i), g) for i, g in enumerate(gradings))}
        with open_executor(self.executor, min(self.jobs, len(gradings)), self.scheduler,
                           allow_weak_sandbox=True) as ex:
            ex.start([t for t, _ in tasks.values()], GradeOptions())   # each with its own
            for task, payload in ex.results():
                g = tasks[id(task)][1]
                if progress:
                    progress(g)
                yield g, _decode(payload)


def _task(g: Grading, i: int | None = None) -> Task:
    # in parallel, a short name of its own per grading (a dask key is made of it)
    return Task(student=g.label if i is None else f"{g.seed}:{i}", exercise=g.exercise,
                path=str(g.path), opts=_opts(g))


def _opts(g: Grading) -> GradeOptions:
    return GradeOptions(hidden=True, seed=g.seed, audit_causes=g.audit_causes)


def _decode(payload: Payload) -> Result | str:
    if isinstance(payload, Graded):
        return Result.from_dict(json.loads(payload.result_json))
    return payload.reason or "not graded"
