"""The kernel's own accounting of a run: a memory and pids control group per sandbox slot.

RLIMIT_AS bounds address space only. Memory that is not address space (a memfd, files in the
run's tmpfs, /dev/shm) escaped it: a submission could hold gigabytes more than its limit and
report a fraction of it. A cgroup counts every page the run's processes charge, whatever holds
it, caps it (memory and memory+swap), caps the number of tasks, and gives the true peak, the CPU
time and whether the kernel's OOM killer ended the run: facts the submission cannot write.

One group per grader process and slot, reused run after run (its counters reset at each start;
the previous run's processes are all gone by then). Version 1 hierarchies (memory, pids,
cpuacct mounted apart) and the unified version 2 hierarchy are both handled; where neither is
writable (not root, a locked-down container), runs go without, and `grade doctor` says so.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox import holdings
from grader.sandbox.holdings import Holdings

ROOT = Path("/sys/fs/cgroup")
PREFIX = "nn-grader"


@dataclass
class Facts:
    peak_mb: float = 0.0
    cpu_s: float = 0.0
    oom_killed: bool = False
    tasks_peak: int = 0


class Group:
    """The interface of both versions."""

    def start(self, memory_mb: int | None, tasks: int) -> None:  # pragma: no cover
        raise NotImplementedError

    def add(self, pid: int) -> None:  # pragma: no cover
        raise NotImplementedError

    def facts(self) -> Facts:  # pragma: no cover
        raise NotImplementedError

    def cpu_now(self) -> float | None:  # pragma: no cover
        """CPU seconds the run has used since `start`; None where the group does not count."""
        raise NotImplementedError

    def remove(self) -> None:  # pragma: no cover
        raise NotImplementedError


def _write(path: Path, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


class _Counter:
    """One counter file, kept open and read again with pread: the CPU budget reads it each
    time the grader waits (1 us, where opening it each time took 15)."""

    def __init__(self, path: Path):
        self.path, self._fd = path, None

    def read(self) -> str:
        try:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
            return os.pread(self._fd, 4096, 0).decode("ascii", "replace")
        except OSError:
            return ""

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _int(text: str) -> int:
    try:
        return int(text.split()[0])
    except (ValueError, IndexError):
        return 0


class V1(Group):
    """memory, pids and cpuacct, each in its own hierarchy, below the grader's own group."""

    def __init__(self, dirs: dict[str, Path]):
        self.dirs = dirs
        self._oom_before = 0
        for d in dirs.values():
            d.mkdir(exist_ok=True)
        self._usage = _Counter(dirs["cpuacct"] / "cpuacct.usage") if "cpuacct" in dirs else None

    def start(self, memory_mb: int | None, tasks: int) -> None:
        mem, pids = self.dirs["memory"], self.dirs["pids"]
        limit = str(memory_mb * 1024 * 1024) if memory_mb else "-1"
        swap = mem / "memory.memsw.limit_in_bytes"
        # memsw may never be below the memory limit: raise the one that goes up first.
        order = [("memory.limit_in_bytes", limit), ("memory.memsw.limit_in_bytes", limit)]
        current = _int(_read(mem / "memory.limit_in_bytes"))
        if memory_mb and memory_mb * 1024 * 1024 > current:
            order.reverse()
        for name, value in order:
            if name == "memory.memsw.limit_in_bytes" and not swap.exists():
                continue
            _write(mem / name, value)
        _write(mem / "memory.max_usage_in_bytes", "0")  # the peak, from now on
        _write(pids / "pids.max", str(tasks))
        if "cpuacct" in self.dirs:
            _write(self.dirs["cpuacct"] / "cpuacct.usage", "0")
        self._oom_before = self._ooms()
        self._pids_peak_before = _int(_read(pids / "pids.peak"))

    def add(self, pid: int) -> None:
        for d in self.dirs.values():
            _write(d / "cgroup.procs", str(pid))

    def _ooms(self) -> int:
        for line in _read(self.dirs["memory"] / "memory.oom_control").splitlines():
            if line.startswith("oom_kill "):
                return _int(line.split(" ", 1)[1])
        return 0

    def cpu_now(self) -> float | None:
        if self._usage is None:
            return None
        return _int(self._usage.read()) / 1e9

    def facts(self) -> Facts:
        mem = self.dirs["memory"]
        return Facts(peak_mb=_int(_read(mem / "memory.max_usage_in_bytes")) / 2**20,
                     cpu_s=self.cpu_now() or 0.0, oom_killed=self._ooms() > self._oom_before,
                     tasks_peak=_int(_read(self.dirs["pids"] / "pids.peak")))

    def remove(self) -> None:
        if self._usage is not None:
            self._usage.close()
        for d in self.dirs.values():
            try:
                d.rmdir()
            except OSError:
                pass


class V2(Group):
    """The unified hierarchy: one folder below ROOT/nn-grader with memory and pids enabled."""

    def __init__(self, folder: Path):
        self.dir = folder
        self._oom_before = 0
        folder.mkdir(exist_ok=True)
        self._stat = _Counter(folder / "cpu.stat")
        self._cpu_before = 0.0

    def start(self, memory_mb: int | None, tasks: int) -> None:
        _write(self.dir / "memory.max", str(memory_mb * 1024 * 1024) if memory_mb else "max")
        if (self.dir / "memory.swap.max").exists():
            _write(self.dir / "memory.swap.max", "0")
        if (self.dir / "memory.peak").exists():
            try:  # resettable since Linux 6.12; before, the peak is the group's lifetime one
                _write(self.dir / "memory.peak", "0")
            except OSError:
                pass
        _write(self.dir / "pids.max", str(tasks))
        self._oom_before = self._ooms()
        self._cpu_before = self._cpu()

    def add(self, pid: int) -> None:
        _write(self.dir / "cgroup.procs", str(pid))

    def _ooms(self) -> int:
        for line in _read(self.dir / "memory.events").splitlines():
            if line.startswith("oom_kill "):
                return _int(line.split(" ", 1)[1])
        return 0

    def _cpu(self) -> float:
        for line in self._stat.read().splitlines():
            if line.startswith("usage_usec "):
                return _int(line.split(" ", 1)[1]) / 1e6
        return 0.0

    def cpu_now(self) -> float | None:
        return self._cpu() - self._cpu_before

    def facts(self) -> Facts:
        return Facts(peak_mb=_int(_read(self.dir / "memory.peak")) / 2**20,
                     cpu_s=self.cpu_now(),
                     oom_killed=self._ooms() > self._oom_before,
                     tasks_peak=_int(_read(self.dir / "pids.peak")))

    def remove(self) -> None:
        self._stat.close()
        try:
            self.dir.rmdir()
        except OSError:
            pass


def _own_v1(controller: str) -> Path | None:
    """This process's group in the v1 hierarchy of `controller`, if it is mounted and ours."""
    for line in _read(Path("/proc/self/cgroup")).splitlines():
        _, names, path = line.split(":", 2)
        if controller in names.split(","):
            for mount in (ROOT / controller, ROOT / names):
                where = mount / path.lstrip("/")
                if (where / "cgroup.procs").exists():
                    return where
    return None


def _v1_dirs(name: str) -> dict[str, Path] | None:
    out = {}
    for controller in ("memory", "pids", "cpuacct"):
        own = _own_v1(controller)
        if own is not None and os.access(own, os.W_OK):
            out[controller] = own / name
    return out if {"memory", "pids"} <= set(out) else None


def _v2_base() -> Path | None:
    """ROOT/nn-grader with memory and pids handed down to its children; None where the unified
    hierarchy lacks them (a v1 machine) or cannot be written."""
    controllers = set(_read(ROOT / "cgroup.controllers").split())
    if not {"memory", "pids"} <= controllers or not os.access(ROOT, os.W_OK):
        return None
    base = ROOT / PREFIX
    try:
        base.mkdir(exist_ok=True)
        for folder in (ROOT, base):
            enabled = set(_read(folder / "cgroup.subtree_control").split())
            for c in ("memory", "pids", "cpu"):
                if c not in enabled and c in controllers:
                    try:
                        _write(folder / "cgroup.subtree_control", f"+{c}")
                    except OSError:
                        if c != "cpu":
                            raise
    except OSError:
        return None
    return base


def for_slot(slot: int, held: Holdings | None = None) -> Group | None:
    """The group of this process and `slot` (made once, kept in the process's holdings:
    grader.sandbox.holdings); None where cgroups are not usable."""
    held = held or holdings.current()
    if slot in held.groups:
        return held.groups[slot]
    if held.no_cgroups:
        return None
    name = f"{PREFIX}-{os.getpid()}-{slot}"
    try:
        _sweep()
        v2 = _v2_base()
        if v2 is not None:
            group: Group = V2(v2 / name)
        else:
            dirs = _v1_dirs(name)
            if dirs is None:
                held.no_cgroups = why_not()
                return None
            group = V1(dirs)
    except OSError as e:
        held.no_cgroups = f"{type(e).__name__}: {e}"
        return None
    held.groups[slot] = group
    return group


def _sweep() -> None:
    """Remove the empty groups of grader processes that are gone (a batch worker ends with
    os._exit, without the atexit below)."""
    parents = [p for c in ("memory", "pids", "cpuacct") if (p := _own_v1(c))]
    parents.append(ROOT / PREFIX)
    for parent in parents:
        try:
            names = [n for n in os.listdir(parent) if n.startswith(PREFIX + "-")]
        except OSError:
            continue
        for n in names:
            pid = n.split("-")[2] if n.count("-") >= 3 else ""
            if pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
                try:
                    os.rmdir(parent / n)
                except OSError:
                    pass


def why_not() -> str:
    """Why no group can be made here, in words ("" when one can)."""
    if not ROOT.exists():
        return "no /sys/fs/cgroup on this machine"
    if os.geteuid() != 0:
        return "not root: the grader cannot make control groups"
    return "no writable memory and pids controllers (neither cgroup v1 nor v2)"


def describe() -> tuple[bool, str]:
    """For `grade doctor`: whether runs get a group, and what it does."""
    g = for_slot(999)
    if g is None:
        return False, (holdings.current().no_cgroups or why_not()) + \
            ": memory held outside the address space (memfd, tmpfs) is not counted, and time " \
            "limits count the CPU of the run's process tree in /proc"
    kind = "v2" if isinstance(g, V2) else "v1"
    cpu = "time limits count its CPU time" if g.cpu_now() is not None else \
        "no CPU counter: time limits count the run's process tree in /proc"
    return True, (f"cgroup {kind}: every page a run charges (memfd, tmpfs, /dev/shm "
                  f"included) counts against its memory limit, no swap, a task limit; "
                  f"the kernel reports its peak memory, CPU time and OOM kills; {cpu}")
