# ATTACK (ex06): enters a TorchFunctionMode at import and never leaves it: the mode sees every
# tensor operation the probes make afterwards and answers 0 for every gradient.
# VERDICT: load_error, 0 points: "your code left a torch function or dispatch mode active".
import torch
from torch.overrides import TorchFunctionMode


class Liar(TorchFunctionMode):
    def __torch_function__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        return torch.zeros_like(out) if isinstance(out, torch.Tensor) else out


Liar().__enter__()
