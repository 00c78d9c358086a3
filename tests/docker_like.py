"""Run a command as Docker runs a container's processes by default, where bubblewrap cannot
create namespaces: a seccomp filter refuses new namespaces and mounts (unshare, setns, clone
with CLONE_NEW*, mount: Docker's default profile refuses them too) and, as root, CAP_SYS_ADMIN
is gone from the bounding set. Not a fake bwrap: the real one runs and fails as it would there.

    python tests/docker_like.py COMMAND [ARG...]

The filter is the sandbox's own (grader.sandbox.seccomp), which refuses exactly those calls.
"""
from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from grader.sandbox import seccomp  # noqa: E402

PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 24, 38, 22, 2
CAP_SYS_ADMIN = 21


class _Fprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _prctl(*args) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    values = [ctypes.c_ulong(a) if isinstance(a, int) else a for a in args]
    if libc.prctl(*values, *[ctypes.c_ulong(0)] * (5 - len(values))) != 0:
        raise OSError(ctypes.get_errno(), f"prctl{args[:1]}")


def main(argv: list[str]) -> None:
    code = seccomp.program()
    buf = ctypes.create_string_buffer(code, len(code))
    if os.geteuid() != 0:   # a filter needs no_new_privs without CAP_SYS_ADMIN
        _prctl(PR_SET_NO_NEW_PRIVS, 1)
    _prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER,
           ctypes.byref(_Fprog(len(code) // 8, ctypes.cast(buf, ctypes.c_void_p))))
    if os.geteuid() == 0:
        _prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN)
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    main(sys.argv[1:])
