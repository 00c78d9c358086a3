import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=0.001):
    # gradient descent, as in torchGd2.py
    for step in range(loop_max):
        loss = loss_fn(params)
        loss.backward()
        with torch.no_grad():
            for param in params:
                param -= learning_rate * param.grad
                param.grad.zero_()
