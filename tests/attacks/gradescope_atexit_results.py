# ATTACK (Gradescope, no namespaces): writes a full-marks results.json when its process ends
# (atexit, SIGTERM's handler and a finalizer), i.e. after the grader wrote its own; its GD
# only calls loss_fn.
# VERDICT: the lazy GD's own score (1/10): results.json is root's, written after every
# process of the grading uid is gone.
import atexit
import glob
import json
import signal
import weakref

FORGED = json.dumps({"score": 10.0, "output": "FORGED", "tests": []})


def forge(*_):
    for folder in ["/autograder/results", *glob.glob("/tmp/gs-weak-*/results")]:
        try:
            with open(f"{folder}/results.json", "w") as f:
                f.write(FORGED)
        except OSError:
            pass


class _Later:
    pass


_keep = _Later()
weakref.finalize(_keep, forge)
atexit.register(forge)
signal.signal(signal.SIGTERM, lambda *a: (forge(), exit(0)))


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(loop_max):
        loss_fn(params)
