"""Grading kept apart from its result where bubblewrap cannot sandbox (a Docker container that
forbids namespaces, as Gradescope's may).

The weak sandbox runs the submission as the grader's own user; in Gradescope's container that
is root, which could rewrite /autograder/results/results.json. So there the grading (the
grader and the submission it runs) goes to a uid of its own, and root keeps the result:

    root: run_autograder -> `python -m grader.commands.autograder run`  (the driver)
      |-- pipe (stdout) <-- uid grading_uid: `python -I -m grader.commands.apart child ...`
      |                       not dumpable, no_new_privs, seccomp filter, RLIMIT_NPROC
      |                       `-- the weak sandbox: keeper and submission, same uid
      `-- once that process has ended and no process of grading_uid is left: results.json

What the submission can then do: everything the grading uid can. It cannot write what root owns
(the results folder, the grader's files), nor open the grader process's pipe or memory (a
process that is not dumpable has its /proc entries owned by root, and ptrace refuses it), nor
outlive the grading (every process of the uid is killed before the result is written). It can
read what the grader reads (the checks, data files: exercises with data are refused here, for
their test labels) and it can stop or kill its own grading, which gives it 0, never more.

Run as a module (as root), `child UID ARGV_JSON` becomes UID and runs `grade ARGV`.
"""
from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

from grader.core.settings import current

PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 4, 38, 22, 2
PR_SET_PDEATHSIG = 1


def grading_uid() -> int:
    """Below the sandbox's slot uids (61000 and up); no passwd entry needed. Tests give each
    run a uid of its own ($GRADER_GRADING_UID)."""
    return current().grading_uid


def why_not() -> str:
    """Why the grading cannot be kept apart here ("" when it can)."""
    if not sys.platform.startswith("linux"):
        return f"not Linux ({sys.platform})"
    if os.geteuid() != 0:
        return "not root, so it cannot switch to a user of its own"
    return ""


def layers(uid: int) -> list[str]:
    """What keeps the submission from the result, in words (for extra_data)."""
    from grader.sandbox import seccomp
    out = [f"grading as uid {uid}, not root", "grading process not dumpable (no ptrace, no "
           "/proc/PID/fd or mem of it)", "no_new_privs"]
    if seccomp.supported():
        out.append(f"seccomp filter ({len(seccomp.DENIED)} system calls refused, no new "
                   f"namespaces)")
    return out + [f"RLIMIT_NPROC {current().grading_nproc}", "result over a pipe, written by root once no "
                  f"process of uid {uid} is left"]


# ---- root's side -------------------------------------------------------------------------------

def run_apart(argv: list[str], uid: int, home: Path, work: Path,
              timeout_s: float) -> tuple[int, str, str]:
    """Run `grade ARGV` as `uid` (`work` becomes its TMPDIR, `home` a folder it cannot write);
    return (exit code, stdout, stderr) once no process of `uid` is left. A grading stopped by
    its submission or by the time limit has no result on stdout."""
    os.chown(work, uid, uid)
    os.chmod(work, 0o700)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "TMPDIR": str(work), "LANG": "C.UTF-8",
           "LC_ALL": "C.UTF-8"}
    proc = subprocess.Popen([sys.executable, "-I", "-m", "grader.commands.apart", "child",
                             str(uid), json.dumps(argv)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=work, env=env,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout_s)
        rc = proc.returncode
    except subprocess.TimeoutExpired:
        sweep(uid)
        proc.kill()
        out, err = proc.communicate()
        rc, err = 124, err + f"\ngrade: the grading took more than {timeout_s:g} s".encode()
    finally:
        sweep(uid)
    return rc, out.decode(errors="replace"), err.decode(errors="replace")


def pids_of(uid: int) -> list[int]:
    """Live processes with `uid` as real, effective or saved uid (zombies do nothing)."""
    found = []
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = Path(f"/proc/{name}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        uids = fields.get("Uid", "").split()[:3]
        if str(uid) in uids and not fields.get("State", "").strip().startswith(("Z", "X")):
            found.append(int(name))
    return found


def sweep(uid: int, rounds: int = 100) -> bool:
    """Kill every process of `uid`; True once none is left. kill(-1) from a process of that
    uid reaches all of them at once, and a process with SIGKILL pending cannot fork, so a
    fork loop cannot outrun it."""
    for _ in range(rounds):
        if not pids_of(uid):
            return True
        pid = os.fork()
        if pid == 0:
            try:
                os.setresgid(uid, uid, uid)
                os.setresuid(uid, uid, uid)
                os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        time.sleep(0.02)
    return not pids_of(uid)


# ---- the grading's side ------------------------------------------------------------------------

def _prctl(option: int, *args: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    values = [ctypes.c_ulong(a) if isinstance(a, int) else a for a in args]
    values += [ctypes.c_ulong(0)] * (4 - len(values))
    if libc.prctl(option, *values) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}) failed")


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install_seccomp() -> None:
    """The sandbox's own filter (grader.sandbox.seccomp), on this process and its children."""
    from grader.sandbox import seccomp
    if not seccomp.supported():
        return
    code = seccomp.program()
    buf = ctypes.create_string_buffer(code, len(code))
    prog = _SockFprog(len(code) // 8, ctypes.cast(buf, ctypes.c_void_p))
    _prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog))


def become(uid: int) -> None:
    """Root to `uid` for good, then the layers: nothing of this can be undone by the child."""
    parent = os.getppid()
    nproc = current().grading_nproc  # the grader's and the run's; read while still root
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.getresuid() != (uid, uid, uid) or os.getgroups():
        raise OSError(f"could not become uid {uid}")
    _prctl(PR_SET_DUMPABLE, 0)                   # after the uid change: it may have reset it
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)     # the same (a uid change clears it)
    if os.getppid() != parent:                   # the driver was gone before it took effect
        os._exit(1)
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    install_seccomp()
    resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.umask(0o077)


def child(uid: int, argv: list[str]) -> int:
    become(uid)
    # The submission (same uid) may signal the grader: SIGINT would raise KeyboardInterrupt
    # wherever the grader is, so it does nothing here (a handler, not SIG_IGN: the runs it
    # starts get the default back). Signals that end the process end the grading: 0.
    signal.signal(signal.SIGINT, lambda signum, frame: None)
    from grader.cli import main
    return main(argv)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "child":
        sys.exit(child(int(sys.argv[2]), json.loads(sys.argv[3])))
    print("usage: python -m grader.commands.apart child UID ARGV_JSON", file=sys.stderr)
    sys.exit(2)
