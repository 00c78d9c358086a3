# Shuffles the images and the labels with two different permutations, so every image is
# trained against a random digit: softmax regression can only learn the digits' frequencies.
# expect-fail: test_accuracy_at_least_85
# expect-text: expected at least 85.00%
# expect-pass: test_predictions_are_labels
# expect-next-step: with their own labels
import numpy as np


def flat(images):
    return images.reshape(len(images), -1).astype(np.float32) / 255


def train(images, labels, device="cpu"):
    x = flat(images)[np.random.permutation(len(images))]
    y = labels[np.random.permutation(len(labels))]  # a second permutation!
    W, b = np.zeros((784, 10), np.float32), np.zeros(10, np.float32)
    for start in range(0, len(x), 100):  # one epoch is enough to show it
        xb, yb = x[start:start + 100], y[start:start + 100]
        z = xb @ W + b
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(len(yb)), yb] -= 1
        W -= 0.1 * xb.T @ p / len(yb)
        b -= 0.1 * p.mean(axis=0)
    return W, b


def predict(model, images, device="cpu"):
    W, b = model
    return (flat(images) @ W + b).argmax(axis=1)
