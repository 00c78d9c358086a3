"""How a sandboxed process is started: which isolation layers exist here, and the command line.

Layers, strongest first:
- bubblewrap (Linux): new PID, network, IPC, UTS and mount namespaces, every capability dropped,
  the file system read-only except a private scratch folder, and only the interpreter, its
  packages and the submission visible: not the grader, the checks, the solutions or other
  students' files.
- POSIX resource limits (everywhere but Windows): CPU time, address space, file size, processes.
- A process group of its own, killed as a whole on timeout.
"""
from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

SANDBOX_DIR = Path(__file__).resolve().parent
INSIDE_HELPERS = "/sandbox"      # where child.py and wire.py are mounted inside bwrap
INSIDE_WORK = "/work"            # the scratch folder, as the submission sees it
INSIDE_DATA = "/data"            # read-only data files (MNIST training images, ...)


@dataclass(frozen=True)
class Limits:
    wall_s: float
    memory_mb: int
    cpu_s: float
    file_mb: int = 64
    nproc: int = 64


@dataclass(frozen=True)
class Layers:
    bwrap: str | None            # path of a working bwrap, or None
    rlimits: bool

    @property
    def strong(self) -> bool:
        return self.bwrap is not None

    def describe(self) -> str:
        parts = ["bubblewrap namespaces (pid, net, ipc, uts, mount), caps dropped"] if self.bwrap \
            else ["plain subprocess (no namespaces: weak isolation)"]
        if self.rlimits:
            parts.append("rlimits (cpu, memory, file size)")
        parts.append("own process group")
        return "; ".join(parts)


def detect_layers(allow_bwrap: bool = True) -> Layers:
    bwrap = shutil.which("bwrap") if allow_bwrap and sys.platform.startswith("linux") else None
    if bwrap and not _bwrap_works(bwrap):
        bwrap = None
    return Layers(bwrap=bwrap, rlimits=os.name == "posix")


_BWRAP_OK: dict[str, bool] = {}


def _bwrap_works(bwrap: str) -> bool:
    # Some containers forbid namespaces; find out once, quietly, instead of failing every run.
    if bwrap not in _BWRAP_OK:
        import subprocess
        try:
            r = subprocess.run([bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/",
                                "--cap-drop", "ALL", "true"], capture_output=True, timeout=10)
            _BWRAP_OK[bwrap] = r.returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            _BWRAP_OK[bwrap] = False
    return _BWRAP_OK[bwrap]


def python_paths() -> list[str]:
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
    return out


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
    """The unprivileged uid a run uses when the grader is root; None when it is not root."""
    return SLOT_UID + slot if os.name == "posix" and os.geteuid() == 0 else None


def bwrap_argv(bwrap: str, scratch: Path, inner: list[str], device: str,
               data_files: tuple[tuple[str, str], ...] = (), forbidden: tuple[str, ...] = (),
               uid: int | None = None) -> list[str]:
    """The bwrap command line. As root, bwrap keeps every capability (sandboxed code could
    remount / read-write), so root skips the user namespace and instead drops to an
    unprivileged slot uid with setpriv inside, losing every capability for good."""
    if uid is None:
        argv = [bwrap, "--unshare-all", "--cap-drop", "ALL"]
    else:
        argv = [bwrap, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                "--unshare-cgroup-try"]
    argv += ["--die-with-parent", "--new-session", "--clearenv", "--proc", "/proc",
             "--dev", "/dev", "--tmpfs", "/tmp"]
    made: set[str] = set()
    for system_dir in ("/usr", "/lib", "/lib64", "/bin", "/etc/ld.so.cache", "/etc/alternatives",
                       "/etc/localtime"):
        if os.path.exists(system_dir):
            argv += _ro_bind(system_dir, system_dir, made)
    for p in [sys.base_prefix] + python_paths():
        argv += _ro_bind(p, p, made)
        for name in forbidden + ("grader",):  # not there at all: no import trick reaches it
            if os.path.isdir(os.path.join(p, name)) and p.endswith("-packages"):
                argv += ["--tmpfs", os.path.join(p, name)]
    if device == "cuda":
        for dev in ("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia0"):
            if os.path.exists(dev):
                argv += ["--dev-bind", dev, dev]
    argv += _ro_bind(str(SANDBOX_DIR / "child.py"), f"{INSIDE_HELPERS}/child.py", made)
    argv += _ro_bind(str(SANDBOX_DIR / "wire.py"), f"{INSIDE_HELPERS}/wire.py", made)
    argv += ["--bind", str(scratch), INSIDE_WORK, "--chdir", INSIDE_WORK]
    for name, host in data_files:
        argv += _ro_bind(host, f"{INSIDE_DATA}/{name}", made)
    for k, v in sandbox_env(INSIDE_WORK).items():
        argv += ["--setenv", k, v]
    if uid is not None:
        inner = ["/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
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
            "MKL_NUM_THREADS": "1", "CUBLAS_WORKSPACE_CONFIG": ":4096:8", "TMPDIR": "/tmp"}


def preexec(limits: Limits):
    """A function run in the child between fork and exec: apply the resource limits."""
    def apply() -> None:
        import resource
        mb = 1024 * 1024
        soft_cpu = max(1, int(limits.cpu_s))
        resource.setrlimit(resource.RLIMIT_CPU, (soft_cpu, soft_cpu + 5))
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb * mb, limits.memory_mb * mb))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_mb * mb, limits.file_mb * mb))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if os.getuid() != 0:  # root ignores RLIMIT_NPROC; the pid namespace bounds it there
            resource.setrlimit(resource.RLIMIT_NPROC, (limits.nproc, limits.nproc))
    return apply
