"""Exercise ex06: tensors and torch.autograd.

The course's autograd0.py, autograd1.py, autograd2.py and autograd2a.py let torch compute
gradients: make a tensor with requires_grad=True, compute a scalar from it, call backward(),
read .grad. Morvan's notebook adds a pitfall: torch.mm, tensor.dot and np.matmul are not the
same product. Write the functions below, then run `grade ex06` in this folder.
"""
import numpy as np
import torch


def leaf(values):
    """Return a NEW tensor holding `values` that can take a gradient (requires_grad=True).

    values: a Python number, a list of numbers, a numpy array or a tensor.
    Only floating-point tensors can take a gradient: for an integer tensor,
    torch.tensor([1, 3], requires_grad=True) raises
        RuntimeError: Only Tensors of floating point and complex dtype can require gradients
    ("浮點數才能算梯度" in the notes). So convert integers to torch's default float type,
    torch.float32, and leave floating-point values in their own precision.
    When `values` is already a tensor, return a copy (t.detach().clone()), never the tensor
    itself: backward() ADDS to .grad, so a tensor reused across calls would mix old gradients
    into new ones, and the caller's tensor must not change.
    """
    raise NotImplementedError("write leaf: see the docstring")


def gradient(f, point):
    """Return (f(point), the gradient of f at point): a Python float and a list of floats.

    f: a function that takes a 1-d tensor v and returns a scalar tensor, e.g.
       lambda v: v[0] * v[0] + v[1] * v[1]   (autograd0.py's x*x + y*y).
    point: a list of numbers, a numpy array or a 1-d tensor (integers included).
    Make x = leaf(point), compute f(x), call backward() on it, and read x.grad.
    At (1, 3) the notes' x*x + y*y gives (10.0, [2.0, 6.0]).
    .item() turns a one-element tensor into a Python float; .tolist() a tensor into a list.
    """
    raise NotImplementedError("write gradient: see the docstring")


def grad_norm(v):
    """Return (|v|, the gradient of |v|) for the vector v, with v.norm() (autograd2a.py).

    |v| = sqrt(v_1^2 + ... + v_n^2); at v = [1, 3]: (3.1623, [0.3162, 0.9487]).
    """
    raise NotImplementedError("write grad_norm: see the docstring")


def grad_norm_squared(v):
    """Return (|v|^2, the gradient of |v|^2) for the vector v (autograd2.py: n = x.norm();
    f = n * n). At v = [1, 3]: (10.0, [2.0, 6.0])."""
    raise NotImplementedError("write grad_norm_squared: see the docstring")


def matmul_numpy(a, b):
    """Return the matrix product of the 2-d numpy arrays a (n x k) and b (k x m), an n x m
    numpy array. Use np.matmul (or a @ b); with the notes' data [[1, 2], [3, 4]] times
    itself: [[7, 10], [15, 22]]."""
    raise NotImplementedError("write matmul_numpy: see the docstring")


def matmul_torch(a, b):
    """Return the matrix product of the 2-d tensors a (n x k) and b (k x m), an n x m tensor.
    Use torch.mm: the notes' [[1, 2], [3, 4]] times itself is [[7, 10], [15, 22]]."""
    raise NotImplementedError("write matmul_torch: see the docstring")


def flat_dot(a, b):
    """Return, as a Python float, what the notes' tensor.dot(tensor) printed: the dot product
    of a and b flattened to vectors, sum over i, j of a[i, j] * b[i, j] (30 for the notes'
    [[1, 2], [3, 4]] with itself). It is NOT a matrix product. Today's torch refuses
    tensor.dot on 2-d tensors ("1D tensors expected"): flatten them first."""
    raise NotImplementedError("write flat_dot: see the docstring")


if __name__ == "__main__":
    print(gradient(lambda v: v[0] * v[0] + v[1] * v[1], [1.0, 3.0]))  # (10.0, [2.0, 6.0])
    print(grad_norm([1.0, 3.0]))                                      # (3.16.., [0.316.., 0.948..])
    print(grad_norm_squared([1.0, 3.0]))                              # (10.0, [2.0, 6.0])
    print(leaf([1, 3]))                                               # floats, requires_grad
    data = [[1, 2], [3, 4]]
    tensor = torch.tensor(data, dtype=torch.float32)
    print(matmul_numpy(np.array(data), np.array(data)))               # [[7, 10], [15, 22]]
    print(matmul_torch(tensor, tensor))                               # [[7, 10], [15, 22]]
    print(flat_dot(tensor, tensor))                                   # 30.0
