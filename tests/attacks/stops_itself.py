# ATTACK: stops itself (SIGSTOP) in the middle of a call, and again at import in a thread, so
# that neither a read nor a write on the channel is ever answered.
# VERDICT: graded, 0 points; every check says it did not finish; the grading ends within the
# time limit plus a margin.
import os
import signal


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    os.kill(os.getpid(), signal.SIGSTOP)
