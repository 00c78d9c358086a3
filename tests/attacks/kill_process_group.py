# ATTACK: os.killpg(0, SIGKILL) at import: kills its whole process group, hoping the grader is
# in it.
# VERDICT: load_error, "was killed while being imported"; the grader (another group) survives.
import os
import signal

os.killpg(0, signal.SIGKILL)
