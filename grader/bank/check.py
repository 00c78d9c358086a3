"""`grade check-bank`: static checks, then every grading the bank needs at once (so the
workers stay busy across exercises), then each exercise's verdict."""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..result import GRADER_ERROR, Result
from ..spec import Exercise, SpecError, find_exercise, load_exercise
from . import mutants as mutation
from . import seeds as seeding
from . import verify
from .jobs import Grading, Runner
from .layout import Bank
from .static import static_problems


@dataclass(frozen=True)
class BankOptions:
    seeds: int = 0               # grade the reference under this many seeds (0: skip)
    mutants: bool = False
    max_mutants: int | None = 30  # per exercise; None: every mutant
    min_mutation_score: float = 0.0  # below this share of mutants killed, the bank fails
    runner: Runner = Runner()


@dataclass
class MutationReport:
    total: int = 0
    killed: int = 0
    survived: list[dict] = field(default_factory=list)   # {"where", "change"}
    candidates: int = 0          # before the --max-mutants bound

    @property
    def score(self) -> float:
        return self.killed / self.total if self.total else 1.0

    def to_dict(self) -> dict:
        return {"total": self.total, "killed": self.killed, "survived": self.survived,
                "score": round(self.score, 3), "candidates": self.candidates}


@dataclass
class ExerciseReport:
    exercise: str
    problems: list[str] = field(default_factory=list)
    mutants: MutationReport | None = None
    seeds: list[seeding.CheckRate] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        d: dict = {"exercise": self.exercise, "ok": self.ok, "problems": self.problems}
        if self.mutants is not None:
            d["mutants"] = self.mutants.to_dict()
        if self.seeds is not None:
            d["seeds"] = [{"file": r.file, "check": r.check, "passed": r.passed,
                           "seeds": r.seeds, "rate": round(r.rate, 3),
                           "failed_at": list(r.failed_at)} for r in self.seeds]
        return d


def select_exercises(bank: Bank, names: list[str]) -> list[Path]:
    """The folders to check: the named ones (UnknownExercise if one is not there), else all."""
    if names:
        return [find_exercise(bank.exercises, n).folder for n in names]
    return sorted(p for p in bank.exercises.iterdir() if (p / "exercise.yaml").is_file())


def check_bank(bank: Bank, folders: list[Path], opts: BankOptions,
               progress: Callable[[int, int, str], None] | None = None) -> list[ExerciseReport]:
    reports = {f.name: ExerciseReport(f.name.split("_")[0]) for f in folders}
    work: list[Grading] = []
    with tempfile.TemporaryDirectory(prefix="check-bank-") as tmp:
        for folder in folders:
            rep = reports[folder.name]
            rep.problems += static_problems(bank, folder)
            try:
                ex = load_exercise(folder)
            except SpecError:
                continue  # said above; nothing can be graded against a broken spec
            work += verify.gradings(bank, ex)
            if opts.seeds:
                work += seeding.gradings(bank, ex, opts.seeds)
            if opts.mutants and bank.reference(ex).exists():
                rep.mutants, made = _mutant_gradings(bank, ex, opts, Path(tmp))
                work += made
        done = [0]

        def tick(g: Grading) -> None:
            done[0] += 1
            if progress:
                progress(done[0], len(work), f"{g.exercise.id} {g.label}")

        seed_outcomes: dict[str, list] = {}
        for g, outcome in opts.runner.run(work, tick):
            rep = reports[g.exercise.folder.name]
            if g.tag == "seed":
                seed_outcomes.setdefault(g.exercise.folder.name, []).append((g, outcome))
            elif isinstance(g.tag, mutation.Mutant):
                _judge_mutant(rep, g, outcome)
            else:
                rep.problems += verify.judge(g, outcome)
    for name, outcomes in seed_outcomes.items():
        reports[name].seeds = seeding.rates(outcomes)
        reports[name].problems += seeding.problems(reports[name].seeds)
    for rep in reports.values():
        m = rep.mutants
        if m is not None:
            m.survived.sort(key=lambda s: s["where"])
            if m.total and m.score < opts.min_mutation_score:
                rep.problems.append(f"mutation score {m.score:.0%} ({m.killed} of {m.total} "
                                    f"mutants caught); expected at least "
                                    f"{opts.min_mutation_score:.0%}")
    return [reports[f.name] for f in folders]


def _mutant_gradings(bank: Bank, ex: Exercise, opts: BankOptions, tmp: Path
                     ) -> tuple[MutationReport, list[Grading]]:
    ref = bank.reference(ex)
    every = mutation.mutants(ref.read_text(encoding="utf-8"))
    chosen = mutation.select(every, opts.max_mutants)
    out = []
    for i, m in enumerate(chosen):
        folder = tmp / f"{ex.id}-m{i}"
        folder.mkdir()
        path = folder / ref.name  # the file keeps its name: a notebook-free .py, as submitted
        path.write_text(m.source, encoding="utf-8")
        out.append(Grading(ex, path, f"mutant {m.where(f'solutions/{ref.name}')}", tag=m))
    return MutationReport(total=len(chosen), candidates=len(every)), out


def _judge_mutant(rep: ExerciseReport, g: Grading, outcome: Result | str) -> None:
    m: mutation.Mutant = g.tag
    where, change = m.where(f"solutions/{g.exercise.id}.py"), m.change
    if isinstance(outcome, str):
        rep.problems.append(f"mutant {where} ({change}) could not be graded: {outcome}")
        rep.mutants.total -= 1
        return
    broken = [c for c in outcome.checks if c.status == GRADER_ERROR]
    for c in broken:  # a check that crashes on a wrong answer crashes on a student's too
        last = next((ln for ln in reversed(c.traceback.splitlines()) if ln.strip()), "")
        rep.problems.append(f"{c.name} could not run on mutant {where} ({change}): grader "
                            f"error: {last}")
    if outcome.full_marks and not broken:
        rep.mutants.survived.append({"where": where, "change": change})
    else:
        rep.mutants.killed += 1
