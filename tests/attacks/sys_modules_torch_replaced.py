# ATTACK (ex03): puts a fake module in sys.modules["torch"] after its own import, so that the
# probes, loaded next, import a torch whose every function answers what the attack chooses.
# VERDICT: load_error, 0 points: "your code replaced sys.modules['torch']".
import sys
import types

import numpy as np
import torch


def fit_numpy(x, y):
    return 0.0, 1.0, 2.0, 3.0


fit_torch = fit_numpy
Polynomial3 = torch.nn.Linear
fake = types.ModuleType("torch")
fake.__dict__.update({k: v for k, v in vars(torch).items() if k != "as_tensor"})
fake.as_tensor = lambda *a, **k: torch.zeros(3)
sys.modules["torch"] = fake
