# Uses torch in the numpy-only exercise: refused before anything runs.
# expect-fail: test_predictions_are_labels, test_accuracy_at_least_85
# expect-text: imports torch, which ex05 forbids
# expect-next-step: imports torch, which ex05 forbids
import numpy as np
import torch


def train(images, labels, device="cpu"):
    return torch.nn.Linear(784, 10)


def predict(model, images, device="cpu"):
    return np.zeros(len(images), dtype=np.int64)
