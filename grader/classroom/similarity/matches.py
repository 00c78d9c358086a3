"""The fragments two submissions share, as line ranges in both files (what the side-by-side
page highlights, and the JSON's `matches`).

Shared fingerprints worth something (grader.classroom.similarity.index) are taken in the order they
come in the first file; one joins the fragment before it while it stays in the same function
in both files and moves forward in the second by at most `similarity_gap` k-grams, as Dolos builds its
fragments. A reordered function so is a fragment of its own.
"""
from __future__ import annotations

from dataclasses import dataclass

from grader.classroom.similarity.fingerprint import Fingerprint
from grader.classroom.similarity.index import Index
from grader.core.settings import current


@dataclass(frozen=True)
class Match:
    a: tuple[int, int]       # first and last line in the first file
    b: tuple[int, int]       # ... and in the second
    weight: float            # the summed weight of its fingerprints

    def to_dict(self) -> dict:
        return {"lines": [list(self.a), list(self.b)], "weight": round(self.weight, 3)}


def matches(index: Index, i: int, j: int) -> list[Match]:
    """The fragments documents i and j share, in the order of the first file."""
    shared = {h for h in index.hashes[i] & index.hashes[j] if index.weight(h) > 0}
    in_b: dict[int, list[Fingerprint]] = {}
    for f in index.docs[j].fingerprints:
        if f.hash in shared:
            in_b.setdefault(f.hash, []).append(f)
    hits = [(fa, fb) for fa in index.docs[i].fingerprints if fa.hash in shared
            for fb in in_b[fa.hash]]
    hits.sort(key=lambda h: (h[0].position, h[1].position))
    runs: list[list[tuple[Fingerprint, Fingerprint]]] = []
    gap = current().similarity_gap
    for fa, fb in hits:
        run = next((r for r in reversed(runs[-4:]) if _continues(r[-1], fa, fb, gap)), None)
        if run is None:
            runs.append([(fa, fb)])
        else:
            run.append((fa, fb))
    out = [Match((min(a.first_line for a, _ in r), max(a.last_line for a, _ in r)),
                 (min(b.first_line for _, b in r), max(b.last_line for _, b in r)),
                 sum(index.weight(h) for h in {a.hash for a, _ in r})) for r in runs]
    return _merged(out)


def _continues(last: tuple[Fingerprint, Fingerprint], fa: Fingerprint, fb: Fingerprint,
               gap: int) -> bool:
    """`gap`: k-gram positions a fragment may skip in either file."""
    la, lb = last
    return fa.unit == la.unit and fb.unit == lb.unit and \
        0 <= fa.position - la.position <= gap and 0 < fb.position - lb.position <= gap


def _merged(ms: list[Match]) -> list[Match]:
    """Fragments whose line ranges overlap in both files are one."""
    out: list[Match] = []
    for m in sorted(ms, key=lambda m: (m.a, m.b)):
        prev = out[-1] if out else None
        if prev and m.a[0] <= prev.a[1] and m.b[0] <= prev.b[1] and m.b[1] >= prev.b[0]:
            out[-1] = Match((prev.a[0], max(prev.a[1], m.a[1])),
                            (min(prev.b[0], m.b[0]), max(prev.b[1], m.b[1])),
                            prev.weight + m.weight)
        else:
            out.append(m)
    return out
