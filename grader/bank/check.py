"""`grade check-bank`: static checks, then every grading the bank needs at once (so the
workers stay busy across exercises), then each exercise's verdict."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from grader.core.result import GRADER_ERROR, Result
from grader.core.errors import CheckNamesDiffer, SpecError, UnknownExercise
from grader.core.settings import current
from grader.core.spec import Exercise, load_exercise
from grader.bank import mutants as mutation
from grader.bank import seeds as seeding
from grader.bank import verify
from grader.bank.jobs import Grading, Runner
from grader.bank.layout import Bank
from grader.bank.static import static_problems


# When this names a folder, check-bank keeps there every Result of its gradings (references, stubs,
# known-wrong files, seeds), one JSON line each in gradings.jsonl, with what they were graded
# against: .ci/run's pytest reads them instead of grading the same files a second time (the
# known-wrong submissions' next steps, the MNIST references' calibration). Unset: nothing kept.
KEEP_ENV = "GRADER_CHECK_BANK_RESULTS"
KEPT = "gradings.jsonl"


def _kept_from_env() -> Path | None:
    return Path(os.environ[KEEP_ENV]) if os.environ.get(KEEP_ENV) else None


@dataclass(frozen=True)
class BankOptions:
    seeds: int = 0               # grade the reference under this many seeds (0: skip)
    mutants: bool = False
    max_mutants: int | None = 30  # per exercise; None: every mutant
    min_mutation_score: float = 0.0  # below this share of mutants killed, the bank fails
    mutant_min_s: float = 10.0   # a mutant's time limit is at least this (see _grade_mutants)
    runner: Runner = Runner()
    keep: Path | None = field(default_factory=_kept_from_env)  # see KEEP_ENV


@dataclass
class MutationReport:
    total: int = 0
    killed: int = 0
    survived: list[dict] = field(default_factory=list)   # {"where", "change"}
    candidates: int = 0          # before the --max-mutants bound
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [killed, graded]

    @property
    def score(self) -> float:
        return self.killed / self.total if self.total else 1.0

    def to_dict(self) -> dict:
        return {"total": self.total, "killed": self.killed, "survived": self.survived,
                "score": round(self.score, 3), "candidates": self.candidates,
                "by_kind": {k: {"killed": v[0], "total": v[1]} for k, v in self.by_kind.items()}}


@dataclass
class ExerciseReport:
    exercise: str
    problems: list[str] = field(default_factory=list)
    mutants: MutationReport | None = None
    seeds: list[seeding.CheckRate] | None = None
    # Why the exercise cannot be loaded at all (a broken exercise.yaml, a check file with a
    # SyntaxError): unusable input, `grade check-bank` exits 2. "" when it loads.
    unusable: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        d: dict = {"exercise": self.exercise, "ok": self.ok, "problems": self.problems}
        if self.unusable:
            d["unusable"] = self.unusable
        if self.mutants is not None:
            d["mutants"] = self.mutants.to_dict()
        if self.seeds is not None:
            d["seeds"] = [{"file": r.file, "check": r.check, "passed": r.passed,
                           "seeds": r.seeds, "rate": round(r.rate, 3),
                           "failed_at": list(r.failed_at)} for r in self.seeds]
        return d


def select_exercises(bank: Bank, names: list[str]) -> list[Path]:
    """The folders to check: the named ones (`ex02`, `2`, `gd`; UnknownExercise if one is not
    there), else all. Matched by folder name, not loaded: a broken exercise.yaml is a problem
    check-bank reports, not a reason to refuse to look."""
    folders = sorted(p for p in bank.exercises.iterdir() if (p / "exercise.yaml").is_file())
    if not names:
        return folders
    chosen = []
    for name in names:
        key = name.strip().lower()
        key = f"ex{int(key):02d}" if key.isdigit() else key
        found = [p for p in folders if key in (p.name, p.name.split("_", 1)[0],
                                                p.name.split("_", 1)[-1])]
        if not found:
            known = ", ".join(p.name.split("_", 1)[0] for p in folders) or "none"
            raise UnknownExercise(f"unknown exercise '{name}' (known: {known})")
        chosen += [p for p in found[:1] if p not in chosen]
    return chosen


def check_bank(bank: Bank, folders: list[Path], opts: BankOptions,
               progress: Callable[[int, int, str], None] | None = None) -> list[ExerciseReport]:
    """Check each exercise folder; the gradings of all of them share the runner's workers.
    Mutants are graded after the references: their time limits come from the reference's."""
    reports = {f.name: ExerciseReport(f.name.split("_")[0]) for f in folders}
    first: list[Grading] = []
    mutants: dict[str, list[mutation.Mutant]] = {}
    exercises: dict[str, Exercise] = {}
    for folder in folders:
        rep = reports[folder.name]
        rep.problems += static_problems(bank, folder)
        try:
            ex = load_exercise(folder)
        except CheckNamesDiffer:
            continue  # said above, name by name; nothing can be graded against it
        except SpecError as e:
            rep.unusable = str(e)
            continue
        exercises[folder.name] = ex
        first += verify.gradings(bank, ex)
        if opts.seeds:
            first += seeding.gradings(bank, ex, opts.seeds)
        if opts.mutants and bank.reference(ex).exists():
            every = mutation.mutants(bank.reference(ex).read_text(encoding="utf-8"))
            mutants[folder.name] = mutation.select(every, opts.max_mutants)
            rep.mutants = MutationReport(total=len(mutants[folder.name]), candidates=len(every))
    total = len(first) + sum(len(m) for m in mutants.values())
    done = [0]

    def tick(g: Grading) -> None:
        done[0] += 1
        if progress:
            progress(done[0], total, f"{g.exercise.id} {g.label}")

    seed_outcomes: dict[str, list] = {}
    reference_s: dict[str, float] = {}
    keep = _Keeper(opts.keep) if opts.keep else None
    for g, outcome in opts.runner.run(first, tick):
        name = g.exercise.folder.name
        if keep and isinstance(outcome, Result):
            keep(g, outcome)
        if g.tag == "seed":
            seed_outcomes.setdefault(name, []).append((g, outcome))
            continue
        reports[name].problems += verify.judge(g, outcome)
        if g.tag == verify.REFERENCE and isinstance(outcome, Result) and outcome.full_marks:
            reference_s[name] = outcome.run.wall_s if outcome.run else 0.0
    for name, outcomes in seed_outcomes.items():
        reports[name].seeds = seeding.rates(outcomes)
        reports[name].problems += seeding.problems(reports[name].seeds)
    if mutants:
        _grade_mutants(bank, exercises, mutants, reference_s, reports, opts, tick)
    return [reports[f.name] for f in folders]


def fingerprint(exercises: Path, submission: Path) -> str:
    """What a grading's Result depends on besides the grader: every file of the bank's
    exercises/ (an exercise may load a sibling's checks) and the submission's bytes."""
    h = hashlib.sha256()
    for f in sorted(p for p in exercises.rglob("*") if p.is_file() and "__pycache__" not in
                    p.parts):
        h.update(str(f.relative_to(exercises)).encode() + b"\0" + f.read_bytes() + b"\0")
    h.update(Path(submission).read_bytes())
    return h.hexdigest()


class _Keeper:
    """Appends each Result to KEPT, a line at a time (a check-bank cut short leaves whole lines)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / KEPT

    def __call__(self, g: Grading, result: Result) -> None:
        record = {"exercise": g.exercise.id, "folder": str(g.exercise.folder.resolve()),
                  "path": str(Path(g.path).resolve()), "seed": g.seed,
                  "audit_causes": g.audit_causes, "hidden": True,
                  "fingerprint": fingerprint(g.exercise.folder.parent, g.path),
                  "result": json.loads(result.to_json(indent=None))}
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")


# A mutant gets `mutant_time_factor` times the reference's wall time (at least opts.mutant_min_s), as its
# limits in CPU time, within the exercise's own: a mutant that loops or crawls is caught by the
# limit, and does not hold a worker for the whole of a generous time_limit_s. (Wall time, not
# CPU time: it is the larger, so a loaded machine only makes the limit more generous.)


def _grade_mutants(bank: Bank, exercises: dict[str, Exercise],
                   mutants: dict[str, list[mutation.Mutant]], reference_s: dict[str, float],
                   reports: dict[str, ExerciseReport], opts: BankOptions,
                   tick: Callable[[Grading], None]) -> None:
    work = []
    with tempfile.TemporaryDirectory(prefix="check-bank-") as tmp:
        for name, chosen in mutants.items():
            rep, ex = reports[name], exercises[name]
            if name not in reference_s:
                rep.problems.append("mutants not graded: the reference does not get full marks")
                rep.mutants = MutationReport(candidates=rep.mutants.candidates)
                continue
            limit = max(opts.mutant_min_s, current().mutant_time_factor * reference_s[name])
            timed = dataclasses.replace(ex, time_limit_s=min(ex.time_limit_s, limit),
                                        call_time_limit_s=min(ex.call_time_limit_s, limit))
            ref = bank.reference(ex)
            for i, m in enumerate(chosen):
                folder = Path(tmp) / f"{ex.id}-m{i}"
                folder.mkdir()
                path = folder / ref.name  # the submission keeps the reference's file name
                path.write_text(m.source, encoding="utf-8")
                work.append(Grading(timed, path, f"mutant {m.where(f'solutions/{ref.name}')}",
                                    tag=m))
        for g, outcome in opts.runner.run(work, tick):
            _judge_mutant(reports[g.exercise.folder.name], g, outcome)
    for rep in reports.values():
        m = rep.mutants
        if m is not None:
            m.survived.sort(key=lambda s: s["where"])
            if m.total and m.score < opts.min_mutation_score:
                rep.problems.append(f"mutation score {m.score:.0%} ({m.killed} of {m.total} "
                                    f"mutants caught); expected at least "
                                    f"{opts.min_mutation_score:.0%}")


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
    counts = rep.mutants.by_kind.setdefault(m.kind, [0, 0])
    counts[1] += 1
    if outcome.full_marks and not broken:
        rep.mutants.survived.append({"where": where, "change": change})
    else:
        rep.mutants.killed += 1
        counts[0] += 1
