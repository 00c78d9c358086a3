"""What this machine offers the grader: its usable cores (the default of every `--jobs`)."""
from __future__ import annotations

import os


def cores() -> int:
    """The cores this process may run on (a container's or taskset's share, not the machine's
    count), at least 1."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)
