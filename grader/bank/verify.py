"""The bank's gradings and what each must show: the reference full marks, the stub 0 without
crashing, every known-wrong submission failing the checks its header names, every `ok_*`
alternative full marks. No check may end as a grader error on any of them."""
from __future__ import annotations

from pathlib import Path

from grader.core.result import GRADED, GRADER_ERROR, Result
from grader.core.spec import Exercise
from grader.bank import expectations
from grader.bank.jobs import Grading
from grader.bank.layout import Bank

REFERENCE, STUB, KNOWN = "reference", "stub", "known"


def gradings(bank: Bank, ex: Exercise) -> list[Grading]:
    out = []
    if bank.reference(ex).exists():
        out.append(Grading(ex, bank.reference(ex), f"solutions/{ex.id}.py", tag=REFERENCE,
                           audit_causes=True))
    if ex.stub.exists():
        out.append(Grading(ex, ex.stub, f"the stub {ex.stub.name}", tag=STUB))
    for p in bank.known(ex):
        out.append(Grading(ex, p, bank.relative(p), tag=KNOWN))
    return out


def judge(g: Grading, outcome: Result | str) -> list[str]:
    """What is wrong with one grading's outcome, one line each."""
    if isinstance(outcome, str):
        return [f"{g.label}: could not be graded: {outcome}"]
    problems = grader_errors(g.label, outcome)
    if g.tag == STUB:
        passed = [c.name for c in outcome.checks if c.passed]
        if outcome.status != GRADED:
            problems.append(f"{g.label}: expected to load and score 0; it ended as "
                            f"{outcome.status}: {outcome.message}")
        elif passed:
            problems.append(f"{g.label}: expected 0 points; these checks passed on it: "
                            f"{', '.join(passed)} (can they fail?)")
        return problems
    if g.tag == REFERENCE or Path(g.path).name.startswith("ok_"):
        return problems + lost_points(g.label, outcome)
    want = expectations.read(g.path)
    if not want.fail:
        return problems + [f"{g.label}: its header names no check it must fail "
                           f"(# expect-fail: test_...), nor is it an ok_* alternative"]
    by_name = {c.name: c for c in outcome.checks}
    for name in want.fail + want.passes:
        if name not in by_name:
            problems.append(f"{g.label}: its header names check '{name}', which "
                            f"{outcome.exercise} does not have")
    for name in want.fail:
        if name in by_name and by_name[name].passed:
            problems.append(f"{g.label}: expected {name} to fail; it passed (no check catches "
                            f"this mistake)")
    for name in want.passes:
        c = by_name.get(name)
        if c is not None and not c.passed:
            problems.append(f"{g.label}: expected {name} to pass; it ended {c.status}: "
                            f"{c.message.splitlines()[0] if c.message else ''}")
    said = " ".join(by_name[n].message + " " + by_name[n].hint
                    for n in want.fail if n in by_name).lower()
    for words in want.text:
        if words.lower() not in said:
            problems.append(f"{g.label}: expected '{words}' in the failing checks' messages or "
                            f"hints; they say: {said[:300]}")
    for words in want.next_step:
        if words.lower() not in outcome.next_step.lower():
            problems.append(f"{g.label}: expected '{words}' in next_step; it says: "
                            f"{outcome.next_step[:300]}")
    return problems


def lost_points(label: str, r: Result) -> list[str]:
    if r.status != GRADED:
        return [f"{label}: expected full marks; it ended as {r.status}: {r.message}"]
    return [f"{label}: expected full marks; {c.name} ended {c.status}: "
            f"{c.message.splitlines()[0] if c.message else ''}"
            for c in r.checks if not c.passed and c.status != GRADER_ERROR]


def grader_errors(label: str, r: Result) -> list[str]:
    out = []
    for c in r.checks:
        if c.status == GRADER_ERROR:
            last = next((ln for ln in reversed(c.traceback.splitlines()) if ln.strip()), "")
            out.append(f"{label}: {c.name} could not run (grader error): {last}")
    return out
