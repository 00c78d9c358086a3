# ATTACK (Gradescope, no namespaces): SIGSTOPs every ancestor of the grading it may signal (the
# keeper and the grader: the same uid; root's driver: a command line naming grader.commands.autograder or
# child.py; never the test runner above them), hoping the grading hangs until Gradescope gives
# up with whatever results.json is there; then keeps running. Its GD only calls loss_fn.
# VERDICT: every stop is refused (the run's own seccomp filter: it may signal only its own
# descendants), so it is graded in full: its GD's own score, never more. Were a grading ever
# stopped, root's driver (which it cannot signal) would end it at its time limit with a 0.
import os
import signal


def parent_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rpartition(")")[2].split()[1])


def of_the_grading(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            line = f.read()
    except OSError:
        return False
    return b"grader.commands.autograder" in line or b"child.py" in line


pid = os.getpid()
while pid > 1:
    pid = parent_of(pid)
    if of_the_grading(pid):
        try:
            os.kill(pid, signal.SIGSTOP)
            print(f"stopped {pid}")
        except OSError as e:
            print(f"could not stop {pid}: {e}")


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(loop_max):
        loss_fn(params)
