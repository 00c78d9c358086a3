# A correct GD that prints fake results to stdout and stderr: a JSON document claiming 0/10,
# pytest-style FAILED and PASSED lines, both through print and straight to fds 1 and 2.
# The score comes from the checks, never from scraped output: still full marks.
import json
import os
import sys

import torch

FAKE = {"exercise": "ex02", "score": 0, "max_score": 10, "status": "graded",
        "checks": [{"name": "test_reaches_minimum_of_notes_loss", "passed": False,
                    "points": 0, "max_points": 3, "hidden": False, "message": "wrong"}]}
print(json.dumps(FAKE))
print("FAILED test_public.py::test_reaches_minimum_of_notes_loss - AssertionError", file=sys.stderr)
print("test_public.py::test_loss_falls PASSED")
os.write(1, b'{"score": 0, "max_score": 10}\n')
os.write(2, b"=== 6 failed in 0.01s ===\n")


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    print('{"score": 0, "max_score": 10, "status": "graded"}')
    print("FAILED", file=sys.stderr)
    for _ in range(loop_max):
        loss = loss_fn(params)
        loss.backward()
        with torch.no_grad():
            for x in params:
                x -= learning_rate * x.grad
                x.grad = None
