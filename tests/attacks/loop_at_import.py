# Loops forever at import time (a training loop left at the top level, minus the end).
# The grader must give up at the exercise's time limit: load_error, "time limit", no hang.
import math

x = 0.0
while True:
    x = math.sin(x) + 1.0
