# ATTACK (ex02, class "a run acts on the zygote"): give every other process in its pid
# namespace (the warm zygote, bwrap's init) the lowest priority, the SCHED_IDLE class, one CPU
# and the idle I/O class, which the next students forked from the zygote would inherit: by pid,
# by process group, by the whole uid (PRIO_USER, IOPRIO_WHO_USER), and through the raw calls.
# VERDICT: graded, 0 points; every attempt is refused, none says REACHED.
import ctypes
import errno
import os

libc = ctypes.CDLL(None, use_errno=True)
NR = {"x86_64": dict(ioprio_set=251, sched_setattr=314, setpriority=141),
      "aarch64": dict(ioprio_set=30, sched_setattr=274, setpriority=140)}[os.uname().machine]


def attempt(name, fn):
    try:
        fn()
        print(f"REACHED {name}")
    except OSError as e:
        print(f"refused {name}: {errno.errorcode.get(e.errno, e.errno)}")


def raw(name, *args):
    if libc.syscall(NR[name], *args) != 0:
        raise OSError(ctypes.get_errno(), name)


class SchedAttr(ctypes.Structure):
    _fields_ = [("size", ctypes.c_uint32), ("policy", ctypes.c_uint32),
                ("flags", ctypes.c_uint64), ("nice", ctypes.c_int32),
                ("priority", ctypes.c_uint32), ("runtime", ctypes.c_uint64),
                ("deadline", ctypes.c_uint64), ("period", ctypes.c_uint64)]


me = os.getpid()
IDLE_IO = (3 << 13) | 7
for pid in sorted(int(p) for p in os.listdir("/proc") if p.isdigit()):
    if pid == me:
        continue
    attempt(f"setpriority({pid})", lambda: os.setpriority(os.PRIO_PROCESS, pid, 19))
    attempt(f"setpriority(pgrp {pid})", lambda: os.setpriority(os.PRIO_PGRP, pid, 19))
    attempt(f"SCHED_IDLE({pid})", lambda: os.sched_setscheduler(pid, os.SCHED_IDLE,
                                                                 os.sched_param(0)))
    attempt(f"SCHED_BATCH({pid})", lambda: os.sched_setscheduler(pid, os.SCHED_BATCH,
                                                                  os.sched_param(0)))
    attempt(f"affinity({pid})", lambda: os.sched_setaffinity(pid, {0}))
    attempt(f"ioprio_set({pid})", lambda: raw("ioprio_set", 1, pid, IDLE_IO))
    attr = SchedAttr(ctypes.sizeof(SchedAttr), 5, 0, 19, 0, 0, 0, 0)
    attempt(f"sched_setattr({pid})", lambda: raw("sched_setattr", pid, ctypes.byref(attr), 0))
attempt("setpriority(PRIO_USER)", lambda: os.setpriority(os.PRIO_USER, 0, 19))
attempt("setpriority(PRIO_USER, raw)", lambda: raw("setpriority", 2, os.getuid(), 19))
attempt("ioprio_set(IOPRIO_WHO_USER)", lambda: raw("ioprio_set", 3, os.getuid(), IDLE_IO))


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    loss_fn(params)
