"""How a sandboxed process is started: which isolation layers exist here, and the command line.

Layers, strongest first:
- bubblewrap (Linux): new PID, network, IPC, UTS and mount namespaces, every capability dropped,
  the file system read-only except a private, size-limited /work and /tmp (memory, gone with the
  run), and only the interpreter, its packages and the submission visible: not the grader, the
  checks, the solutions or other students' files. As root, the run drops to an unprivileged
  slot uid (setpriv) inside.
- POSIX resource limits (everywhere but Windows): CPU time, address space, file size, processes.
- A process group of its own, killed as a whole on timeout.
- Without bubblewrap, a keeper process between the grader and the submission: what the
  submission signals as its parent is the keeper, and on Linux the keeper (a child subreaper)
  also kills whatever the submission left running. Weaker: see `weak_warning`.
"""
from __future__ import annotations

import functools
import os
import shutil
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from .limits import Limits
from .procs import apply_rlimits

SANDBOX_DIR = Path(__file__).resolve().parent
INSIDE_HELPERS = "/sandbox"      # where child.py and wire.py are mounted inside bwrap
INSIDE_WORK = "/work"            # the scratch folder, as the submission sees it
INSIDE_DATA = "/data"            # read-only data files (MNIST training images, ...)
SETPRIV = "/usr/bin/setpriv"
# The files that run inside the sandbox (standard library only; the grader is not visible there).
INSIDE_FILES = ("child.py", "wire.py", "guard.py", "forkserver.py", "keeper.py", "procs.py",
                "seccomp.py", "hooks.py", "readers.py", "skills.py")


@dataclass(frozen=True)
class Layers:
    bwrap: str | None            # path of a working bwrap, or None
    rlimits: bool

    @property
    def strong(self) -> bool:
        return self.bwrap is not None

    @property
    def keeper(self) -> bool:
        """Weak mode on POSIX: a keeper process stands between the grader and the submission."""
        return not self.strong and hasattr(os, "fork")

    def describe(self) -> str:
        if self.bwrap:
            parts = ["bubblewrap namespaces (pid, net, ipc, uts, mount), caps dropped, "
                     "private /work and /tmp, seccomp filter"]
            if is_root():
                parts.append("unprivileged slot uid")
        else:
            parts = ["plain subprocess (no namespaces: weak isolation)"]
            if self.keeper:
                parts.append("keeper process")
        if self.rlimits:
            parts.append("rlimits (cpu, memory, file size, processes)")
        parts.append("own process group")
        return "; ".join(parts)


def is_root() -> bool:
    return os.name == "posix" and os.geteuid() == 0


def detect_layers(allow_bwrap: bool = True) -> Layers:
    bwrap = shutil.which("bwrap") if allow_bwrap and sys.platform.startswith("linux") else None
    if bwrap and (_bwrap_problem(bwrap) or (is_root() and not os.access(SETPRIV, os.X_OK))):
        bwrap = None
    return Layers(bwrap=bwrap, rlimits=os.name == "posix")


_BWRAP_PROBLEM: dict[str, str] = {}


def _bwrap_problem(bwrap: str) -> str:
    """Why bwrap cannot sandbox here ("" when it can). Some containers forbid namespaces: find
    out once, quietly, instead of failing every run."""
    if bwrap not in _BWRAP_PROBLEM:
        import subprocess
        try:
            r = subprocess.run([bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/",
                                "--cap-drop", "ALL", "true"], capture_output=True, timeout=10)
            why = r.stderr.decode(errors="replace").strip().splitlines()
            _BWRAP_PROBLEM[bwrap] = "" if r.returncode == 0 else \
                (why[0] if why else f"exit code {r.returncode}")
        except (OSError, subprocess.TimeoutExpired) as e:
            _BWRAP_PROBLEM[bwrap] = str(e)
    return _BWRAP_PROBLEM[bwrap]


def weak_warning(layers: Layers) -> str | None:
    """The one warning the CLI prints when isolation is weak; None when it is strong."""
    if layers.strong:
        return None
    who = "as root, so it can change any file on this machine" if is_root() else \
        "as you, so it can read and change your files"
    return (f"warning: weak sandbox: no bubblewrap namespaces here, so the submission runs {who}, "
            f"can see the network and can find the grader's process. Grade only code you trust "
            f"this way; `grade doctor` says what is missing.")


@dataclass(frozen=True)
class LayerStatus:
    name: str
    active: bool
    detail: str


def diagnose() -> list[LayerStatus]:
    """Every layer, whether it is active on this machine, and why (not): for `grade doctor`."""
    layers = detect_layers()
    found = shutil.which("bwrap") if sys.platform.startswith("linux") else None
    if not sys.platform.startswith("linux"):
        bw = f"not available on {sys.platform} (Linux only)"
    elif not found:
        bw = "not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    elif _bwrap_problem(found):
        bw = f"{found} is installed but cannot create namespaces here: {_bwrap_problem(found)}"
    elif not layers.strong:
        bw = f"{found} works, but {SETPRIV} (util-linux) is missing: as root it is needed to " \
             f"drop to an unprivileged uid"
    else:
        bw = f"{found}: new pid, network, ipc, uts and mount namespaces; only the interpreter, " \
             f"its packages and the submission are visible; /work and /tmp are private " \
             f"size-limited tmpfs"
    out = [LayerStatus("bubblewrap namespaces", layers.strong, bw)]
    if is_root():
        uid = (True, f"root drops to a uid from {SLOT_UID} with setpriv (no capabilities, "
                     f"no_new_privs), leased machine-wide: no two graders share one") \
            if layers.strong else \
            (False, "without bubblewrap the submission runs as root")
    elif layers.strong:
        uid = (True, "not root: runs as your uid inside a user namespace, every capability "
                     "dropped")
    else:
        uid = (False, "not root: runs as your user, with your permissions")
    out.append(LayerStatus("unprivileged uid", *uid))
    if layers.rlimits:
        nproc = "processes per slot uid" if is_root() else \
            ("processes on top of your user's current count" if _can_count_tasks() else
             "no process limit (it counts all of your user's processes here)")
        out.append(LayerStatus("resource limits", True, f"CPU time, address space, file size, "
                                                        f"{nproc}"))
    else:
        out.append(LayerStatus("resource limits", False, f"no POSIX rlimits on {os.name}: only "
                                                         f"the wall-clock limit holds"))
    if layers.keeper:
        sweep = "kills what the submission leaves running (child subreaper)" \
            if sys.platform.startswith("linux") else "cannot adopt daemons on this OS"
        out.append(LayerStatus("keeper process", True, f"the submission's parent is a keeper, "
                                                       f"not the grader; it {sweep}"))
    out.append(LayerStatus("process group", True, "killed as a whole at the time limit (CPU "
                                                  "time; a wall-clock ceiling above it); output "
                                                  "capped at 64 KB"))
    out.append(_seccomp_layer(layers))
    from . import cgroups
    active, detail = cgroups.describe() if layers.strong and is_root() else \
        (False, "only as root, with bubblewrap: memory held outside the address space "
                "(memfd, tmpfs) is not counted")
    out.append(LayerStatus("cgroups", active, detail))
    return out


def _seccomp_layer(layers: Layers) -> LayerStatus:
    from . import seccomp
    if not layers.strong:
        return LayerStatus("seccomp filter", False, "needs bubblewrap (bwrap --seccomp)")
    if not seccomp.supported():
        return LayerStatus("seccomp filter", False, f"no filter written for this machine's "
                                                    f"architecture ({os.uname().machine})")
    return LayerStatus("seccomp filter", True,
                       f"{len(seccomp.DENIED)} system calls refused: SysV and POSIX IPC, kernel "
                       f"keyrings, ptrace, new namespaces, mounts, io_uring, bpf, perf, modules")


@functools.cache
def python_paths() -> tuple[str, ...]:
    """The interpreter's stdlib and package folders: what a submission may import from."""
    keys = ("stdlib", "platstdlib", "purelib", "platlib")
    paths = [sysconfig.get_path(k) for k in keys]
    # lib-dynload (_struct and friends) sits in the base install, not in a venv: take it, and
    # the package folders, from the running interpreter's own path.
    paths += [p for p in sys.path if p.endswith(("site-packages", "dist-packages", ".zip",
                                                  "lib-dynload"))]
    out: list[str] = []
    for p in paths:
        if p and os.path.exists(p) and p not in out and not _inside_repo(p):
            out.append(p)
    return tuple(out)


def _inside_repo(path: str) -> bool:
    repo = SANDBOX_DIR.parent.parent
    try:
        Path(path).resolve().relative_to(repo)
    except ValueError:
        return False
    # A virtual environment inside the repository is fine: it holds packages, not checks.
    return "site-packages" not in path and "lib-dynload" not in path and "/lib/python" not in path


SLOT_UID = 61000                 # root drops to uid SLOT_UID + slot inside the sandbox


def slot_uid(slot: int) -> int | None:
    """The unprivileged uid a run uses when the grader is root (leased: no other grader
    process on the machine uses it meanwhile); None when it is not root."""
    from . import uids
    return uids.lease(slot, SLOT_UID) if is_root() else None


def bwrap_argv(bwrap: str, scratch: Path, inner: list[str], device: str,
               data_files: tuple[tuple[str, str], ...] = (), forbidden: tuple[str, ...] = (),
               uid: int | None = None, scratch_mb: int = 256,
               seccomp_fd: int | None = None) -> list[str]:
    """The bwrap command line. As root, bwrap keeps every capability (sandboxed code could
    remount / read-write), so root skips the user namespace and instead drops to an
    unprivileged slot uid with setpriv inside, losing every capability for good.

    /work and /tmp are fresh tmpfs of `scratch_mb` each, world-writable (sticky) so that the
    slot uid may write there; the files in `scratch` (the submission) are bound read-only into
    /work. Nothing the submission writes reaches the host, and a restart starts clean."""
    if uid is None:
        argv = [bwrap, "--unshare-all", "--cap-drop", "ALL"]
    else:
        argv = [bwrap, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                "--unshare-cgroup-try"]
    size = str(scratch_mb * 1024 * 1024)
    argv += ["--die-with-parent", "--new-session", "--clearenv", "--proc", "/proc",
             "--dev", "/dev", "--perms", "1777", "--size", size, "--tmpfs", "/tmp",
             "--perms", "1777", "--size", size, "--tmpfs", INSIDE_WORK,
             # POSIX semaphores and shared memory (multiprocessing's locks, DataLoader workers)
             # live here: writable by the run's uid, size-limited, counted by its cgroup
             "--perms", "1777", "--size", size, "--tmpfs", "/dev/shm"]
    # Both tmpfs come first: the interpreter may live below one of them on the host (a venv in
    # /work/repo/.venv), and a later tmpfs would hide its binds.
    made: set[str] = {"/tmp", INSIDE_WORK}
    for system_dir in ("/usr", "/lib", "/lib64", "/bin", "/etc/ld.so.cache", "/etc/alternatives",
                       "/etc/localtime", "/etc/fonts"):
        if os.path.exists(system_dir):
            argv += _ro_bind(system_dir, system_dir, made)
    for p in [sys.base_prefix, *python_paths()]:
        argv += _ro_bind(p, p, made)
        for name in forbidden + ("grader",):  # not there at all: no import trick reaches it
            if os.path.isdir(os.path.join(p, name)) and p.endswith("-packages"):
                argv += ["--tmpfs", os.path.join(p, name)]
    if device == "cuda":
        for dev in ("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia0"):
            if os.path.exists(dev):
                argv += ["--dev-bind", dev, dev]
    for name in INSIDE_FILES:
        argv += _ro_bind(str(SANDBOX_DIR / name), f"{INSIDE_HELPERS}/{name}", made)
    for f in sorted(scratch.iterdir()):
        if f.is_file() and not f.is_symlink():
            argv += ["--ro-bind", str(f), f"{INSIDE_WORK}/{f.name}"]
    argv += ["--chdir", INSIDE_WORK]
    for name, host in data_files:
        argv += _ro_bind(host, f"{INSIDE_DATA}/{name}", made)
    for k, v in sandbox_env(INSIDE_WORK).items():
        argv += ["--setenv", k, v]
    if seccomp_fd is not None:  # installed last, just before the command runs
        argv += ["--seccomp", str(seccomp_fd)]
    if uid is not None:
        inner = [SETPRIV, f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                 "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"] + inner
    return argv + ["--"] + inner


def _ro_bind(host: str, inside: str, made: set[str]) -> list[str]:
    """A read-only bind whose parent folders are world-traversable. bwrap copies the host's
    modes for the folders it creates, so a 0700 /root would lock the slot user out."""
    out: list[str] = []
    parents = list(Path(inside).parents)[::-1][1:]  # skip "/"
    for parent in map(str, parents):
        if parent not in made:
            made.add(parent)
            out += ["--perms", "0755", "--dir", parent]
    return out + ["--ro-bind", host, inside]


def sandbox_env(home: str) -> dict[str, str]:
    """The whole environment of a submission: nothing inherited, so no secret leaks in."""
    return {"HOME": home, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin",
            "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1", "CUBLAS_WORKSPACE_CONFIG": ":4096:8", "TMPDIR": "/tmp",
            # plots in student code draw to memory: plt.show() returns instead of opening a window
            "MPLBACKEND": "Agg"}


def rlimit_values(limits: Limits, uid: int | None = None, device: str = "cpu",
                  running: int | None = None) -> dict[str, int | None]:
    """The resource limits of one run, as numbers (a warm zygote applies them in its forked
    child; `preexec` between fork and exec).

    RLIMIT_NPROC counts every process and thread of a user, and root is exempt from it. As
    root it is set all the same: bwrap ignores it, and it binds once setpriv has dropped to the
    slot `uid`. Either way it is counted on top of what that user already runs (other runs in
    the same slot, a zygote, or a student's own desktop), measured here, before the fork
    (`running`: counted already, by a caller that knows)."""
    nproc = None
    if uid is not None or not is_root():
        if running is None:
            running = count_tasks(uid if uid is not None else os.getuid())
        if running is not None:
            nproc = running + limits.nproc
    # CUDA maps huge virtual ranges: an address-space limit breaks it (GPU memory is capped
    # with torch.cuda.set_per_process_memory_fraction instead).
    return {"cpu_s": max(1, int(limits.rlimit_cpu_s)),
            "memory_mb": None if device == "cuda" else limits.memory_mb,
            "file_mb": limits.file_mb, "nproc": nproc}


def preexec(limits: Limits, uid: int | None = None, device: str = "cpu"):
    """A function run in the child between fork and exec: apply the resource limits."""
    values = rlimit_values(limits, uid, device)
    return lambda: apply_rlimits(values)


def _can_count_tasks() -> bool:
    return os.path.isdir("/proc/self/task")


def count_tasks(uid: int) -> int | None:
    """How many processes and threads the user `uid` runs now (Linux); None where unknown."""
    if not _can_count_tasks():
        return None
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            # /proc/PID belongs to the process's uid, or to root when it is not dumpable (a
            # zygote): a stat, not a read, rules out everyone else's.
            if os.stat(f"/proc/{pid}").st_uid not in (uid, 0):
                continue
            with open(f"/proc/{pid}/status", "rb") as f:
                status = f.read()
        except OSError:
            continue
        real_uid = status.partition(b"\nUid:")[2].split(None, 1)[:1]
        if real_uid and int(real_uid[0]) == uid:
            threads = status.partition(b"\nThreads:")[2].split(None, 1)[:1]
            total += int(threads[0]) if threads else 1
    return total
