# ATTACK: plants symlinks in its working folder: shadow -> /etc/shadow, root -> /,
# repo -> the repository (its host path read from pid 1's command line), canary -> a file the
# test owns (CANARY below), and replaces its own file ex02.py with a link to the canary, hoping
# the grader writes through it when it restarts the sandbox (or follows the links when it
# cleans up). Its GD kills its own process, forcing that restart.
# VERDICT: every check fails, 0 points; /etc/shadow, the repository and the canary are
# untouched; the links go away with the scratch folder, their targets stay.
import os
import re

CANARY = ""  # replaced by tests/test_attacks.py with the path of a file it owns

links = {"shadow": "/etc/shadow", "root": "/", "canary": CANARY}
try:
    cmdline = open("/proc/1/cmdline", "rb").read().decode(errors="replace")
    m = re.search(r"(/[\w./+-]+)/grader/sandbox/child\.py", cmdline)
    if m:
        links["repo"] = m.group(1)
except OSError:
    pass
for name, target in links.items():
    try:
        os.symlink(target, name)
    except OSError as e:
        print("no link", name, e)
try:
    os.replace("canary", "ex02.py")
    print("REPLACED ex02.py with a link to the canary")
except OSError as e:
    print("could not replace ex02.py:", e)


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    os._exit(3)
