# NOT AN ATTACK: an honest, correct GD that uses what real submissions use: torch and numpy,
# a temporary file in /tmp and one in $HOME, a subprocess, and printing.
# VERDICT: graded, full marks, under every sandbox layer.
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
    f.write("scratch")
    f.flush()
with open(os.path.join(os.path.expanduser("~"), "notes.txt"), "w") as f:
    f.write(str(np.arange(3).sum()))
print("child says", subprocess.run([sys.executable, "-c", "print(6 * 7)"], capture_output=True,
                                   text=True).stdout.strip())


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(loop_max):
        loss = loss_fn(params)
        loss.backward()
        with torch.no_grad():
            for x in params:
                x -= learning_rate * x.grad
                x.grad = None
