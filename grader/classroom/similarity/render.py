"""The side-by-side page of a pair: both files with the fragments they share highlighted in
the same colour on both sides, each linking to its twin, as Dolos and MOSS show them. One
file, inline CSS, no scripts, autoescaped (code and ids are the students')."""
from __future__ import annotations

import re
from pathlib import Path

from grader import __version__
from grader.rendering.report import environment
from grader.core.spec import Exercise
from grader.classroom.similarity.index import Document

COLOURS = 6


def pair_page(exercise: Exercise, pair: dict, a: Document, b: Document) -> str:
    """`pair`: one of the report's pairs (students, similarity, files, matches)."""
    fragments = [{"n": n, "colour": n % COLOURS, "a": m["lines"][0], "b": m["lines"][1],
                  "weight": m["weight"]} for n, m in enumerate(pair["matches"], start=1)]
    return environment().get_template("similarity_pair.html").render(
        exercise=exercise, pair=pair, fragments=fragments, version=__version__,
        sides=[_side("a", a, [f["a"] for f in fragments]),
               _side("b", b, [f["b"] for f in fragments])])


def _side(tag: str, doc: Document, ranges: list[list[int]]) -> dict:
    lines = re.split(r"\r\n|\r|\n", doc.code.rstrip("\n")) if doc.code else []
    owner: dict[int, int] = {}
    first: dict[int, list[int]] = {}
    for n, (lo, hi) in enumerate(ranges, start=1):
        first.setdefault(lo, []).append(n)
        for ln in range(lo, hi + 1):
            owner.setdefault(ln, n)
    return {"tag": tag, "student": doc.student, "path": doc.path,
            "lines": [{"no": i, "text": text, "fragment": owner.get(i),
                       "colour": owner[i] % COLOURS if i in owner else None,
                       "anchors": first.get(i, [])}
                      for i, text in enumerate(lines, start=1)]}


def to_text(report: dict, klass: Path, top: int = 10) -> str:
    from grader.classroom.intake.names import shown     # ids with control characters, escaped
    lines = [] if report["exercises"] else [f"{klass}: no graded submissions to compare"]
    for x in report["exercises"]:
        lines.append(f"{x['exercise']}: {x['compared']} of {x['submissions']} submissions "
                     f"compared; {sum(p['flagged'] for p in x['pairs'])} pairs at or above "
                     f"{x['threshold']:g}")
        for p in x["pairs"][:top]:
            mark = "!" if p["flagged"] else " "
            lines.append(f"  {mark} {p['similarity']:.2f}  {shown(p['students'][0])}  "
                         f"{shown(p['students'][1])}  {Path(klass) / p['page']}")
        for c in x["clusters"]:
            lines.append(f"  cluster: {', '.join(map(shown, c))}")
        for n in x["not_compared"]:
            lines.append(f"  not compared: {shown(n['student'])} ({n['reason']})")
    return "\n".join(lines) + "\n"
