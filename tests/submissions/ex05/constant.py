# Predicts the most frequent training digit for every image, without learning anything else.
# expect-fail: test_accuracy_at_least_85
# expect-text: expected at least 85.00%
# expect-pass: test_predictions_are_labels
# expect-next-step: same digit
import numpy as np


def train(images, labels, device="cpu"):
    return {"label": int(np.bincount(labels).argmax())}


def predict(model, images, device="cpu"):
    return np.full(len(images), model["label"], dtype=np.int64)
