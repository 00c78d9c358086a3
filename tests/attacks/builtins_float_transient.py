# ATTACK (ex02): replaces builtins.float only while its GD runs (restored before returning, so
# nothing is left for a check after the call to see), hoping the probe's records of each step,
# taken inside loss_fn while GD runs, read 2.0. It takes no step.
# VERDICT: graded, 0 points, no tampering named: the probes' float is the one from before the
# submission ran, so what they record is the truth (x never moves).
import builtins

import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    real = builtins.float
    builtins.float = lambda *a: 2.0
    try:
        for _ in range(loop_max):
            loss_fn(params)
    finally:
        builtins.float = real
