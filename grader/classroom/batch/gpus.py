"""GPU slots for parallel gradings: one run per GPU at a time, across every grader process on
the machine (two batches at once included), through one lock file per GPU.

A CUDA run claims a GPU, sees only that one (CUDA_VISIBLE_DEVICES pinned by the sandbox) and
may use a capped share of its memory; CPU runs claim nothing and keep the cores busy meanwhile.
"""
from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from grader.classroom.locks import first_free

LOCKS = Path(tempfile.gettempdir()) / "grader-gpu-locks"


@contextmanager
def claim(count: int, prefer: int = 0, locks: Path = LOCKS, poll_s: float = 0.05
          ) -> Iterator[int]:
    """Hold GPU number 0..count-1 (the first free one, trying `prefer` first) until the block
    ends; wait while every GPU is held."""
    if count < 1:
        raise ValueError("no GPU to claim")
    locks.mkdir(parents=True, exist_ok=True)
    order = [(prefer + i) % count for i in range(count)]
    with first_free([locks / f"gpu{gpu}.lock" for gpu in order], poll_s) as i:
        yield order[i]
