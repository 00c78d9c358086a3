# ATTACK (ex02, class "hooks that see the grader's frames"): a SIGALRM handler on a fast
# interval timer. Python hands a handler the frame it interrupted: often the child's serving
# loop or a probe, and from there every frame below (f_back is not audited).
# VERDICT: graded, 0 points; the handler runs, but is always handed None for its frame, so
# none says REACHED; signal.getsignal gives back the handler it set.
import signal

seen = {"calls": 0, "frames": 0}


def handler(signum, frame):
    seen["calls"] += 1
    if frame is not None:
        seen["frames"] += 1
        print("REACHED a frame", frame.f_code.co_filename)


signal.signal(signal.SIGALRM, handler)
assert signal.getsignal(signal.SIGALRM) is handler
signal.setitimer(signal.ITIMER_REAL, 0.0005, 0.0005)


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(2000):
        loss_fn(params)
    print("handler calls", seen["calls"], "frames", seen["frames"])
