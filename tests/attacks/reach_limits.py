# ATTACK (ex02, class "a run acts on the zygote"): lower the limits of every other process in
# its pid namespace (the warm zygote it was forked from is process 2, bwrap's init process 1),
# through resource.prlimit and through the raw prlimit64 system call, so that every later
# student forked from that zygote fails to load.
# VERDICT: graded, 0 points (its GD does nothing); every attempt is refused ("EPERM"), none
# says REACHED, and the next submission graded in the same slot gets full marks.
import ctypes
import errno
import os
import resource

libc = ctypes.CDLL(None, use_errno=True)
PRLIMIT64 = {"x86_64": 302, "aarch64": 261}[os.uname().machine]


def attempt(name, fn):
    try:
        fn()
        print(f"REACHED {name}")
    except OSError as e:
        print(f"refused {name}: {errno.errorcode.get(e.errno, e.errno)}")


def raw_prlimit(pid, res, value):
    new = (ctypes.c_uint64 * 2)(value, value)
    if libc.syscall(PRLIMIT64, pid, res, ctypes.byref(new), None) != 0:
        raise OSError(ctypes.get_errno(), "prlimit64")


me = os.getpid()
for pid in sorted(int(p) for p in os.listdir("/proc") if p.isdigit()):
    if pid == me:
        continue
    for res in (resource.RLIMIT_DATA, resource.RLIMIT_STACK, resource.RLIMIT_NOFILE,
                resource.RLIMIT_AS):
        attempt(f"prlimit({pid}, {res})", lambda: resource.prlimit(pid, res, (1 << 20, 1 << 20)))
    attempt(f"prlimit64({pid}) raw", lambda: raw_prlimit(pid, resource.RLIMIT_DATA, 1 << 20))
    attempt(f"prlimit({-pid}) negative", lambda: raw_prlimit(-pid, resource.RLIMIT_DATA, 1 << 20))


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    loss_fn(params)
