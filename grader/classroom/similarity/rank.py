"""Pair scores in [0, 1], and clusters: groups of submissions joined by pairs above a threshold.

    similarity = c / n * S / n * (1 - exp(-S / E)),   n = min(n_a, n_b), E = similarity_evidence

c is the number of fingerprints the two share, S their summed weight (grader.classroom.similarity.index:
1 for one nobody else has, less the more students have it), n_x the number of x's fingerprints
that can count (not given, not common). c / n is how much of the smaller submission the other
holds: a copy, code added or not, holds nearly all of it; two independent solutions alike by
nature share some functions, not all. S / n is the same counted by rarity: two solutions that
both wrote what many wrote hold each other's common code, which weighs little. The last factor
is how much evidence that is: two files that share only a line or two are not called alike
however short they are. Measured on bench/similarity.py's corpus: copies (rings of up to four)
score 0.52 and more, independent solutions 0.41 and less (0.53 without the course notes).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from grader.classroom.similarity.index import Index
from grader.core.settings import current


@dataclass(frozen=True)
class Pair:
    a: int           # document indices, a < b
    b: int
    similarity: float
    shared: float    # S


def score(shared: float, count: int, size_a: int, size_b: int,
          evidence: float | None = None) -> float:
    """`shared`: S; `count`: how many fingerprints make it; `size_x`: n_x; `evidence`: S at
    which the evidence factor is 1 - 1/e (None: the `similarity_evidence` setting, about two
    rare fingerprints)."""
    evidence = current().similarity_evidence if evidence is None else evidence
    smaller = min(size_a, size_b)
    if shared <= 0 or smaller <= 0:
        return 0.0
    held = min(1.0, count / smaller)
    rare = min(1.0, shared / smaller)
    return held * rare * (1.0 - math.exp(-shared / evidence))


def rank(index: Index, floor: float = 0.0) -> list[Pair]:
    """Every pair scoring above `floor`, the most similar first (ties: by document order)."""
    evidence = current().similarity_evidence
    pairs = [Pair(i, j, round(s, 4), shared)
             for (i, j), (shared, count) in index.shared().items()
             if (s := score(shared, count, index.size[i], index.size[j], evidence)) > floor]
    pairs.sort(key=lambda p: (-p.similarity, p.a, p.b))
    return pairs


def clusters(pairs: list[Pair], threshold: float | None = None) -> list[list[int]]:
    """Union-find over the pairs at or above `threshold` (None: the `similarity_threshold`
    setting): each group of two or more documents joined by such pairs, largest first."""
    threshold = current().similarity_threshold if threshold is None else threshold
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        if p.similarity >= threshold:
            ra, rb = find(p.a), find(p.b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for x in parent:
        groups.setdefault(find(x), []).append(x)
    return sorted((sorted(g) for g in groups.values() if len(g) > 1),
                  key=lambda g: (-len(g), g))
