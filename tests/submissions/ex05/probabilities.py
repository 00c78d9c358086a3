# Returns the softmax probabilities of the 10 digits instead of one label per image.
# (The classifier is the nearest class mean, scored by minus the squared distance.)
# expect-fail: test_predictions_are_labels, test_accuracy_at_least_85
# expect-text: predict() returned an array of shape (10000, 10): return one label per image (use argmax)
# expect-next-step: a score for every digit
import numpy as np


def train(images, labels, device="cpu"):
    x = images.reshape(len(images), -1) / 255
    return np.stack([x[labels == d].mean(axis=0) for d in range(10)])


def predict(model, images, device="cpu"):
    x = images.reshape(len(images), -1) / 255
    scores = -((x ** 2).sum(axis=1, keepdims=True) - 2 * x @ model.T + (model ** 2).sum(axis=1))
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True)
