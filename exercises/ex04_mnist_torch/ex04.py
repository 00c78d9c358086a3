"""Exercise ex04: classify MNIST digits with PyTorch.

Write train and predict below, then run `grade ex04` in this folder. The grader calls
    model = train(train_images, train_labels, device=device)
    labels = predict(model, test_images, device=device)
once (and predict() again on a shuffled part of the test images, which must get the same
labels), and computes the test accuracy itself: 85% earns the points, 95% and 98% a bonus each.
"""
import numpy as np
import torch
from torch import nn


def train(images, labels, device="cpu"):
    """Train a classifier on MNIST and return it (any object predict() understands).

    images: numpy uint8 array [N, 28, 28], pixel values 0-255 (N = 60000 when graded).
    labels: numpy int64 array [N], the digit 0-9 of each image.
    device: "cpu" or "cuda": train there (model.to(device), and each batch too).
    Scale the pixels to [0, 1] (images / 255), train an nn.Module with a torch.optim optimizer
    on minibatches (e.g. 128 images, shuffled each epoch) with nn.functional.cross_entropy.
    Record the loss of every step, loss.item(), in a list and keep it on the model:
        model.losses = losses
    The grader checks that it falls.
    """
    raise NotImplementedError("write train: see the docstring")


def predict(model, images, device="cpu"):
    """Return one integer label (0-9) per image, as a numpy array of shape [N].

    images: numpy uint8 array [N, 28, 28], scaled the way train() scaled them.
    Call model.eval() and work inside torch.no_grad(); the label is the index of the largest
    output: logits.argmax(dim=1). Bring it back to the CPU: .cpu().numpy().
    """
    raise NotImplementedError("write predict: see the docstring")


if __name__ == "__main__":
    # A quick try on a slice of MNIST; the paths are those `grade data mnist` installs into.
    import sys
    from pathlib import Path
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "data/mnist")

    def read(name, header_bytes):
        return np.fromfile(folder / name, np.uint8, offset=header_bytes)

    x = read("train-images-idx3-ubyte", 16).reshape(-1, 28, 28)
    y = read("train-labels-idx1-ubyte", 8).astype(np.int64)
    model = train(x[:50000], y[:50000])
    print("accuracy on 10,000 held-out training digits:",
          (predict(model, x[50000:]) == y[50000:]).mean())
