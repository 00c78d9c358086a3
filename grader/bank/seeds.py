"""Seed calibration: the reference (and every `ok_*` alternative) graded under N grading
seeds. A check that a right answer does not pass at every seed is flaky: whether a student
passes it would depend on the seed, not on the work."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from grader.core.result import Result
from grader.core.spec import Exercise
from grader.bank.jobs import Grading
from grader.bank.layout import Bank


@dataclass(frozen=True)
class CheckRate:
    file: str
    check: str
    passed: int
    seeds: int
    failed_at: tuple[int, ...]
    first_message: str

    @property
    def rate(self) -> float:
        return self.passed / self.seeds if self.seeds else 0.0


def gradings(bank: Bank, ex: Exercise, n: int) -> list[Grading]:
    files = [bank.reference(ex)] if bank.reference(ex).exists() else []
    files += bank.alternatives(ex)
    return [Grading(ex, f, bank.relative(f), seed=s, tag="seed") for f in files for s in range(n)]


def rates(outcomes: list[tuple[Grading, Result | str]]) -> list[CheckRate]:
    """Each (file, check)'s pass count over the seeds it was graded at. A grading that could
    not run at all counts as a failure of every check at that seed."""
    seen: dict[tuple[str, str], list[tuple[int, bool, str]]] = defaultdict(list)
    names = {c.name for g, r in outcomes if isinstance(r, Result) for c in r.checks}
    for g, r in outcomes:
        for name in names:
            if isinstance(r, str):
                seen[(g.label, name)].append((g.seed, False, r))
                continue
            c = next((c for c in r.checks if c.name == name), None)
            ok = c is not None and c.passed
            seen[(g.label, name)].append((g.seed, ok, "" if c is None else c.message))
    out = []
    for (file, check), runs in sorted(seen.items()):
        failed = sorted(s for s, ok, _ in runs if not ok)
        msg = next((m for s, ok, m in sorted(runs) if not ok), "")
        out.append(CheckRate(file, check, len(runs) - len(failed), len(runs), tuple(failed),
                             msg.splitlines()[0] if msg else ""))
    return out


def problems(check_rates: list[CheckRate]) -> list[str]:
    return [f"flaky: {r.check} passes on {r.file} at {r.passed} of {r.seeds} seeds (fails at "
            f"seed {', '.join(map(str, r.failed_at[:8]))}{' ...' if len(r.failed_at) > 8 else ''}"
            f": {r.first_message})" for r in check_rates if r.passed < r.seeds]
