# ATTACK (ex02, class "values read through the submission's own classes"): a GD that does no
# descent, but puts detach, item, tolist and __float__ on each of the probe's own tensors (an
# instance attribute shadows the class's method when the probe writes p.detach()).
# VERDICT: graded, 0 points: the probes read tensors through their class as it was before the
# submission ran, never through the instance.
import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    two = torch.tensor(2.0, dtype=torch.float64)
    for p in params:
        p.detach = lambda two=two: two
        p.item = lambda: 2.0
        p.tolist = lambda: 2.0
    loss_fn(params)
