"""Token streams -> fingerprints: hashes of every k tokens in a row (k-grams), thinned by
winnowing (Schleimer, Wilkerson and Aiken, "Winnowing: local algorithms for document
fingerprinting", SIGMOD 2003): of every window of w consecutive k-gram hashes the smallest is
kept (the rightmost on a tie), each once. Any run of at least k + w - 1 tokens two files share
is then seen in both (the guarantee threshold), and a match shorter than k tokens never is
(the noise threshold). k and w are the `similarity_k` and `similarity_w` settings: 12 tokens
(about one line of code) and 4, so a shared run of 15 tokens is caught.

Hashes are the same in every process and on every run (the tokens' CRC-32s, then Python's
hash of a tuple of ints, which is not salted), so the same files give the same scores.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass

from grader.classroom.similarity.normalise import Unit
from grader.core.settings import current


@dataclass(frozen=True)
class Fingerprint:
    hash: int
    first_line: int      # the lines its k tokens came from, in the file as compared
    last_line: int
    position: int        # its k-gram's place in the file's token streams (units in order)
    unit: int = 0        # which unit (function, method, the module's other code) it is in


_TOKEN_IDS: dict[str, int] = {}


def _token_id(token: str) -> int:
    tid = _TOKEN_IDS.get(token)
    if tid is None:
        tid = _TOKEN_IDS[token] = zlib.crc32(token.encode("utf-8", "surrogatepass"))
    return tid


def fingerprints(units: list[Unit], k: int | None = None, w: int | None = None
                 ) -> list[Fingerprint]:
    """The winnowed fingerprints of every unit; k-grams never cross from one unit to the next,
    so the order of a file's functions does not change its fingerprints. A unit shorter than k
    tokens is one k-gram of its own. None: the settings' k and w."""
    k = current().similarity_k if k is None else k
    w = current().similarity_w if w is None else w
    out: list[Fingerprint] = []
    offset = 0
    for number, u in enumerate(units):
        ids = [_token_id(t) for t in u.tokens]
        n = max(1, len(ids) - k + 1)
        hashes = [hash(tuple(ids[i:i + k])) for i in range(n)]
        for i in winnow(hashes, w):
            lines = u.lines[i:i + k]
            out.append(Fingerprint(hashes[i], min(lines), max(lines), offset + i, number))
        offset += n
    return out


def winnow(hashes: list[int], w: int) -> list[int]:
    """The positions winnowing keeps: the rightmost smallest hash of every window of w, each
    position once, in order. Fewer than w hashes are one window."""
    if not hashes:
        return []
    kept: list[int] = []
    last = -1
    for start in range(max(1, len(hashes) - w + 1)):
        window = range(start, min(start + w, len(hashes)))
        best = min(window, key=lambda i: (hashes[i], -i))
        if best != last:
            kept.append(best)
            last = best
    return kept
