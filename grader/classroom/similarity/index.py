"""An inverted index of fingerprints -> the submissions holding them, and what each is worth.

A fingerprint says little when many have it. Its weight is 0 where it is in what every student
was given (the stub, the course notes) or in more than `max_share` submissions (MOSS's m), and
otherwise falls with the number of submissions holding it, as an IDF does:

    weight = log((N + 1) / df) / log((N + 1) / 2),  clipped to [0, 1]

so a passage two submissions share and nobody else has weighs 1, and one that half the class
wrote (the natural six-line gradient descent) almost nothing. Pairs are found from the
postings alone: never all pairs, text against text.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from grader.classroom.similarity.fingerprint import Fingerprint
from grader.core.settings import current


@dataclass(frozen=True)
class Document:
    """One student's submission as compared: its code and its fingerprints."""
    student: str
    path: str                                    # as shown, relative to the class folder
    code: str                                    # the code compared (a notebook's code cells)
    fingerprints: tuple[Fingerprint, ...] = ()
    problem: str = ""                            # why it could not be compared, if so


@dataclass
class Index:
    docs: list[Document]
    given: frozenset[int] = frozenset()
    max_share: int = 0
    df: dict[int, int] = field(default_factory=dict)
    postings: dict[int, list[int]] = field(default_factory=dict)
    hashes: list[frozenset[int]] = field(default_factory=list)   # per document, given left out
    size: list[int] = field(default_factory=list)    # its fingerprints that can count

    @classmethod
    def build(cls, docs: list[Document], given: frozenset[int] = frozenset(),
              max_share: int | None = None) -> "Index":
        n = len(docs)
        # similarity_max_share: MOSS's default m (10); a larger class gets a tenth of its size
        idx = cls(docs, given, max_share or max(current().similarity_max_share,
                                                 math.ceil(n / 10)))
        for i, d in enumerate(docs):
            own = frozenset(f.hash for f in d.fingerprints) - given
            idx.hashes.append(own)
            for h in own:
                idx.postings.setdefault(h, []).append(i)
        idx.df = {h: len(p) for h, p in idx.postings.items()}
        idx.size = [sum(1 for h in own if idx.weight(h) > 0) for own in idx.hashes]
        return idx

    def weight(self, h: int) -> float:
        """What sharing fingerprint `h` says: 1 (only two have it) down to 0 (given, or
        common)."""
        df = self.df.get(h, 0)
        if h in self.given or df > self.max_share:
            return 0.0
        if df <= 2:
            return 1.0
        n = len(self.docs) + 1
        return max(0.0, min(1.0, math.log(n / df) / math.log(n / 2)))

    def shared(self) -> dict[tuple[int, int], tuple[float, int]]:
        """(i, j) with i < j -> (the summed weight, the number) of the fingerprints both hold
        that are worth anything, for every pair that shares one."""
        out: dict[tuple[int, int], list] = {}
        for h, docs in self.postings.items():
            if len(docs) < 2:
                continue
            w = self.weight(h)
            if w <= 0:
                continue
            for x in range(len(docs)):
                for y in range(x + 1, len(docs)):
                    acc = out.get((docs[x], docs[y]))
                    if acc is None:
                        out[(docs[x], docs[y])] = [w, 1]
                    else:
                        acc[0] += w
                        acc[1] += 1
        return {k: (v[0], v[1]) for k, v in out.items()}
