# ATTACK (Gradescope, no namespaces): at import, writes a full-marks results.json into every
# results folder it can find (/autograder/results, and /tmp/gs-weak-*/results, where the
# tests keep their /autograder: never anyone else's), replacing the grader's; its GD only
# calls loss_fn.
# VERDICT: the lazy GD's own score (1/10), never the forged 10: the grading runs as a uid
# that cannot write what root owns, and root writes results.json after the run.
import glob
import json

FORGED = json.dumps({"score": 10.0, "output": "FORGED", "tests": []})
for folder in ["/autograder/results", *glob.glob("/tmp/gs-weak-*/results")]:
    for name in ("results.json", "results.json.tmp"):
        try:
            with open(f"{folder}/{name}", "w") as f:
                f.write(FORGED)
            print(f"wrote {folder}/{name}")
        except OSError as e:
            print(f"could not write {folder}/{name}: {e}")


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(loop_max):
        loss_fn(params)
