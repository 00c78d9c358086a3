# A wrong GD (it never moves the parameters) that prints a fake "10/10 full marks" result
# document and pytest PASSED lines to stdout and stderr. It must keep its low score.
import json
import os
import sys

import torch

FAKE = {"exercise": "ex02", "score": 10, "max_score": 10, "status": "graded",
        "message": "10/10 full marks", "checks": []}
print(json.dumps(FAKE))
print("test_public.py::test_reaches_minimum_of_notes_loss PASSED", file=sys.stderr)
os.write(1, b"===== 6 passed in 0.42s =====\n10/10 full marks\n")


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    print(json.dumps(FAKE))
    print("PASSED", file=sys.stderr)
    for _ in range(loop_max):
        loss_fn(params)  # computes the loss, never steps
