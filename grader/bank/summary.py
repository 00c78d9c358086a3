"""The check-bank report: plain lines for a terminal or a CI log, or one JSON document."""
from __future__ import annotations

import json

from grader.bank.check import ExerciseReport


def to_json(reports: list[ExerciseReport]) -> str:
    return json.dumps({"ok": all(r.ok for r in reports),
                       "exercises": [r.to_dict() for r in reports]}, indent=2)


def to_text(reports: list[ExerciseReport]) -> str:
    lines = []
    for r in reports:
        lines.append(f"{r.exercise}: {'ok' if r.ok else 'FAILS'}"
                     + ("" if r.ok else f" ({len(r.problems)} problem"
                        f"{'s' if len(r.problems) != 1 else ''})"))
        lines += [f"  - {p}" for p in r.problems]
        if r.seeds is not None:
            n = max((s.seeds for s in r.seeds), default=0)
            flaky = [s for s in r.seeds if s.passed < s.seeds]
            lines.append(f"  seeds: {len(flaky)} flaky check{'s' if len(flaky) != 1 else ''} "
                         f"over {n} seeds" if flaky else
                         f"  seeds: every check passes at all {n} seeds")
        if r.mutants is not None:
            m = r.mutants
            bound = f", {m.candidates} possible" if m.candidates > m.total else ""
            kinds = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(m.by_kind.items()))
            lines.append(f"  mutants: {m.killed} of {m.total} caught ({m.score:.0%}{bound})"
                         + (f"; by kind: {kinds}" if kinds else ""))
            if m.survived:
                lines.append("  survivors (bugs no check catches; `# no-mutate` marks a line "
                             "whose change is no bug):")
                lines += [f"    {s['where']}: {s['change']}" for s in m.survived]
    bad = [r.exercise for r in reports if not r.ok]
    lines.append(f"bank: {'holds' if not bad else 'FAILS: ' + ', '.join(bad)} "
                 f"({len(reports)} exercise{'s' if len(reports) != 1 else ''} checked)")
    return "\n".join(lines)
