# A sound softmax regression, trained on the first 100 training images only (a slice left over
# from debugging), so it cannot generalise.
# expect-fail: test_accuracy_at_least_85
# expect-text: expected at least 85.00%
# expect-pass: test_predictions_are_labels
# expect-next-step: all 60,000 images
import numpy as np


def flat(images):
    return images.reshape(len(images), -1) / 255


def train(images, labels, device="cpu"):
    x, y = flat(images[:100]), labels[:100]
    W, b = np.zeros((784, 10)), np.zeros(10)
    for _ in range(300):
        z = x @ W + b
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(len(y)), y] -= 1
        W -= 0.5 * x.T @ p / len(y)
        b -= 0.5 * p.mean(axis=0)
    return W, b


def predict(model, images, device="cpu"):
    W, b = model
    return (flat(images) @ W + b).argmax(axis=1)
