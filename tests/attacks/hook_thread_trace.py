# ATTACK (ex02, class "hooks that see the grader's frames"): the threading twins of settrace
# and setprofile, for every thread started later, and a thread of its own that calls the
# probe's loss function (grader code) under them.
# VERDICT: graded, 0 points; the hook is never installed in any thread (the thread's start
# refuses it), no frame of the grader's is seen (none says REACHED).
import sys
import threading


def spy(frame, event, arg):
    if "<probes>" in frame.f_code.co_filename or "/sandbox/" in frame.f_code.co_filename:
        print("REACHED", frame.f_code.co_filename, event)
    return spy


threading.settrace(spy)
threading.setprofile(spy)


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    t = threading.Thread(target=lambda: [loss_fn(params) for _ in range(3)])
    t.start()
    t.join()
    print("thread trace now:", sys.gettrace())
