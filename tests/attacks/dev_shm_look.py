# ATTACK: looks for what dev_shm_plant.py left in the run before it.
# VERDICT: load_error "attack finished"; "FOUND" never printed.
import os

for where in ("/dev/shm", "/tmp", "/work"):
    if os.path.exists(os.path.join(where, "grader-attack-left")):
        print("FOUND", where)
print("LOOKED")
raise RuntimeError("attack finished")
