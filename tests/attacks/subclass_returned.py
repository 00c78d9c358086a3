# ATTACK (ex06, class "values read through the submission's own classes"): every function
# returns a torch.Tensor subclass (or a float subclass) whose reads answer with a number of its
# choosing rather than what it holds.
# VERDICT: graded; no check passes on what it returns: the probes refuse a tensor subclass
# ("a subclass of torch.Tensor") and read a float subclass as the float it holds.
import torch


class Liar(torch.Tensor):
    def __float__(self):
        return 0.0

    def item(self):
        return 0.0

    def detach(self):
        return self

    def tolist(self):
        return [0.0]

    def numpy(self):
        import numpy
        return numpy.zeros(3)


class Lie(float):
    def __float__(self):
        return 0.0


def leaf(values):
    return torch.tensor(values, dtype=torch.float64, requires_grad=True).as_subclass(Liar)


def gradient(f, point):
    return torch.zeros(len(point), dtype=torch.float64).as_subclass(Liar)


def grad_norm(v):
    return Lie(1e9)


def grad_norm_squared(v):
    return Lie(1e9)


def matmul_numpy(a, b):
    return torch.zeros(1).as_subclass(Liar)


def matmul_torch(a, b):
    return torch.zeros(1).as_subclass(Liar)


def flat_dot(a, b):
    return Lie(1e9)
