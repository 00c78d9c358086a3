"""Pair scores in [0, 1], and clusters: groups of submissions joined by pairs above a threshold.

    similarity = S / min(n_a, n_b) * (1 - exp(-S / EVIDENCE))

S is the summed weight of the fingerprints the two share (grader.similarity.index: 1 for one
nobody else has, less the more students have it), n_x the number of x's fingerprints that can
count (not given, not common). The first factor is how much of the smaller submission the
other holds, each shared passage counted by how rare it is: a copy with code added still holds
all of the original (1), two independent solutions that both wrote what many wrote hold each
other's common code only (its weight, well below 1). The second is how much evidence that is:
two files that share only a line or two are not called alike however short they are.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .index import Index

EVIDENCE = 2.0      # S at which the evidence factor is 1 - 1/e: about two rare fingerprints
THRESHOLD = 0.5     # pairs at or above it are flagged and join clusters


@dataclass(frozen=True)
class Pair:
    a: int           # document indices, a < b
    b: int
    similarity: float
    shared: float    # S


def score(shared: float, size_a: int, size_b: int) -> float:
    smaller = min(size_a, size_b)
    if shared <= 0 or smaller <= 0:
        return 0.0
    return max(0.0, min(1.0, shared / smaller)) * (1.0 - math.exp(-shared / EVIDENCE))


def rank(index: Index, floor: float = 0.0) -> list[Pair]:
    """Every pair scoring above `floor`, the most similar first (ties: by document order)."""
    pairs = [Pair(i, j, round(s, 4), shared)
             for (i, j), shared in index.shared_mass().items()
             if (s := score(shared, index.size[i], index.size[j])) > floor]
    pairs.sort(key=lambda p: (-p.similarity, p.a, p.b))
    return pairs


def clusters(pairs: list[Pair], threshold: float = THRESHOLD) -> list[list[int]]:
    """Union-find over the pairs at or above `threshold`: each group of two or more documents
    joined by such pairs, largest first."""
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
