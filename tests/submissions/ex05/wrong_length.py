# Predicts in batches of 64 but stops before the last, smaller batch: 9984 labels, not 10000.
# (The classifier is the nearest class mean: quick, and about 82% accurate when complete.)
# expect-fail: test_predictions_are_labels, test_accuracy_at_least_85
# expect-text: 9984 labels for 10000 images
# expect-next-step: last, smaller batch
import numpy as np


def train(images, labels, device="cpu"):
    x = images.reshape(len(images), -1) / 255
    return np.stack([x[labels == d].mean(axis=0) for d in range(10)])


def predict(model, images, device="cpu"):
    x = images.reshape(len(images), -1) / 255
    batches = [x[start:start + 64] for start in range(0, len(x) - 64 + 1, 64)]
    return np.concatenate([((b[:, None, :] - model[None]) ** 2).sum(axis=2).argmin(axis=1)
                           for b in batches])
