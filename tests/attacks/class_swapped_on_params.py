# ATTACK (ex02, class "values read through the submission's own classes"): a GD that does no
# descent, but swaps the class of the probe's own tensors for a torch.Tensor subclass whose
# __float__, item, detach and tolist all say 2.0 (the minimum of the notes' loss).
# VERDICT: graded, 0 points: the swap is refused (PermissionError), the probes read the
# tensors as torch.Tensor; none says REACHED.
import torch


class Liar(torch.Tensor):
    def __float__(self):
        return 2.0

    def item(self):
        return 2.0

    def detach(self):
        return torch.tensor(2.0, dtype=torch.float64)

    def tolist(self):
        return 2.0


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for p in params:
        try:
            p.__class__ = Liar
            print("REACHED class swapped")
        except PermissionError as e:
            print("refused:", e)
    loss_fn(params)
