# ATTACK: leaves with os._exit(0) at import: no exception, no answer, exit code 0 ("success").
# VERDICT: load_error, "exited with code 0 ... before any check could run"; 0 points.
import os

print("bye")
os._exit(0)
