# Returns the softmax probabilities of the 10 digits instead of one label per image.
# (The classifier is the nearest class mean, scored by minus the squared distance.)
# expect-fail: test_predictions_are_labels, test_accuracy_at_least_85, test_bonus_accuracy_95
# expect-text: predict() returned a tensor of shape (10000, 10): return one label per image (use argmax)
# expect-next-step: a score for every digit
import numpy as np
import torch


def train(images, labels, device="cpu"):
    x = torch.as_tensor(images.reshape(len(images), -1) / 255, dtype=torch.float32)
    y = torch.as_tensor(labels)
    return torch.stack([x[y == d].mean(dim=0) for d in range(10)])


def predict(model, images, device="cpu"):
    x = torch.as_tensor(images.reshape(len(images), -1) / 255, dtype=torch.float32)
    return torch.softmax(-torch.cdist(x, model) ** 2, dim=1)
