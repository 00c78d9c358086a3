"""Exercise ex05: classify MNIST digits with numpy alone.

Write train and predict below, then run `grade ex05` in this folder. The grader calls
    model = train(train_images, train_labels)
    labels = predict(model, test_images)
once (and predict() again on a shuffled part of the test images, which must get the same
labels), and computes the test accuracy itself: 85% earns the points. torch, tensorflow, keras,
jax and sklearn may not be imported: the forward pass, the gradients and the updates are yours.
"""
import numpy as np


def train(images, labels, device="cpu"):
    """Train a classifier on MNIST with numpy and return it (any object predict() understands:
    a dict of weight arrays, say).

    images: numpy uint8 array [N, 28, 28], pixel values 0-255 (N = 60000 when graded).
    labels: numpy int64 array [N], the digit 0-9 of each image.
    device: always "cpu" here; it keeps the same signature as ex04.
    A network x -> relu(x W1 + b1) W2 + b2 -> softmax, with x the image flattened to 784
    pixels scaled to [0, 1], trained by minibatch SGD on the cross-entropy loss, does it.
    The gradient of the mean cross-entropy with respect to the scores z is
    (softmax(z) - onehot(labels)) / batch_size; backpropagate it through W2, the relu and W1.
    """
    raise NotImplementedError("write train: see the docstring")


def predict(model, images, device="cpu"):
    """Return one integer label (0-9) per image, as a numpy array of shape [N].

    images: numpy uint8 array [N, 28, 28], scaled the way train() scaled them.
    The label is the index of the largest score: scores.argmax(axis=1).
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
