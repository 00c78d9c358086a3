# ATTACK (ex02): a GD that does nothing, whose file gives torch.Tensor a __float__ that always
# says 2.0 (the minimum of the notes' loss), so that a probe reading float(x) would see success.
# VERDICT: load_error, 0 points: "your code added torch.Tensor.__float__: the grader cannot
# trust this run".
import torch

torch.Tensor.__float__ = lambda self: 2.0


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    loss_fn(params)
