# Raises at import time. The message must name the exception and the line it came from.
# (No torch import: the test grades it in a sandbox without torch, to start fast.)
import math

SCALE = math.pi
raise ValueError("hostile: this file refuses to be imported")
