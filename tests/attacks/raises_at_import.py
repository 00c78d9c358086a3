# Prints a line, then raises at import time. The message must name the exception and the line
# it came from, and what the file printed before that must be kept for the report.
# (No torch import: the test grades it in a sandbox without torch, to start fast.)
import math

SCALE = math.pi
print("loading my GD...")
raise ValueError("hostile: this file refuses to be imported")
