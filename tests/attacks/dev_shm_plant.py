# ATTACK: leaves files in /dev/shm, /tmp and its work folder's parent for the next run of the
# slot (the test grades dev_shm_look.py next, on the same warm zygote).
# VERDICT: load_error "attack finished"; the next run finds none of them.
import os

for where in ("/dev/shm", "/tmp", "/work"):
    try:
        with open(os.path.join(where, "grader-attack-left"), "w") as f:
            f.write("left behind")
        print("PLANTED", where)
    except OSError as e:
        print("could not plant", where, e)
raise RuntimeError("attack finished")
