# Predicts in batches of 128 but stops before the last, smaller batch: 9984 labels, not 10000.
# (The classifier is the nearest class mean: quick, and about 82% accurate when complete.)
# expect-fail: test_predictions_are_labels, test_accuracy_at_least_85, test_bonus_accuracy_95
# expect-text: 9984 labels for 10000 images
# expect-next-step: last, smaller batch
import numpy as np


def train(images, labels, device="cpu"):
    x = images.reshape(len(images), -1) / 255
    return np.stack([x[labels == d].mean(axis=0) for d in range(10)])


def predict(model, images, device="cpu"):
    x = images.reshape(len(images), -1) / 255
    out = []
    for start in range(0, len(x) - 128 + 1, 128):
        batch = x[start:start + 128]
        distances = ((batch[:, None, :] - model[None]) ** 2).sum(axis=2)
        out.append(distances.argmin(axis=1))
    return np.concatenate(out)
