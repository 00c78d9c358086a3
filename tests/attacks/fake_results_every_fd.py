# ATTACK: a GD that never moves the parameters (one loss, no step), whose file prints a fake
# passing result (a JSON result document with full marks and pytest-style PASSED lines) to
# stdout, stderr and every other open file descriptor listed in /proc/self/fd, the grader's
# channel included, where it lands as garbage. It does so again on every call.
# VERDICT: 0 points: the score comes from checks run in the grader on data, never from output,
# and garbage on the channel is a failed call; the fake lines show up only as output.
import json
import os
import sys

FAKE = json.dumps({"exercise": "ex02", "score": 10, "max_score": 10, "status": "graded",
                   "full_marks": True, "checks": [{"name": "test_loss_falls", "passed": True}]})
LINES = (FAKE + "\ntest_public.py::test_reaches_minimum_of_notes_loss PASSED\n"
         "========== 6 passed in 0.42s ==========\n10/10 full marks\n").encode()


def shout():
    print(LINES.decode(), end="")
    print(LINES.decode(), end="", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    for name in os.listdir("/proc/self/fd"):
        try:
            os.write(int(name), LINES)
        except OSError:
            pass


shout()


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    shout()
    loss_fn(params)  # one step's loss, and no step
