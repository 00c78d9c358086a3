# Returns the labels as floats (argmax, then .float()), not as integers.
# (The classifier is the nearest class mean: quick, and about 82% accurate.)
# expect-fail: test_predictions_are_labels
# expect-text: expected integer labels
# expect-next-step: as floats
import numpy as np
import torch


def train(images, labels, device="cpu"):
    x = torch.as_tensor(images.reshape(len(images), -1) / 255, dtype=torch.float32)
    y = torch.as_tensor(labels)
    return torch.stack([x[y == d].mean(dim=0) for d in range(10)])


def predict(model, images, device="cpu"):
    x = torch.as_tensor(images.reshape(len(images), -1) / 255, dtype=torch.float32)
    return torch.cdist(x, model).argmin(dim=1).float().numpy()
