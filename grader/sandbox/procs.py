"""Process primitives both sides of the sandbox use: the grader imports this module, and the
sandboxed child.py loads the very same file (standard library only; the grader package is not
visible in the sandbox). One copy of each, where there used to be one per side.
"""
import os
import sys

PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 1, 4, 36


def prctl(option, value):
    """Linux's prctl(option, value); nothing elsewhere, or where libc has no prctl."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def pidfd(pid):
    """A file descriptor that becomes readable when `pid` exits (Linux 5.3+); None elsewhere
    (then poll instead)."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def apply_rlimits(values):
    """Set a run's resource limits on this process, hard limits too (for good): `values` as
    isolation.rlimit_values makes them (cpu_s, memory_mb or None, file_mb, nproc or None)."""
    import resource
    mb = 1024 * 1024
    cpu = values["cpu_s"]
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    if values["memory_mb"] is not None:
        resource.setrlimit(resource.RLIMIT_AS, (values["memory_mb"] * mb,) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (values["file_mb"] * mb,) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if values.get("nproc") is not None:
        resource.setrlimit(resource.RLIMIT_NPROC, (values["nproc"],) * 2)
