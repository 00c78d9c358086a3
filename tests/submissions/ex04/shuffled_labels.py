# Shuffles the images and the labels with two different permutations, so every image is
# trained against a random digit: the network can only learn the digits' frequencies.
# expect-fail: test_accuracy_at_least_85, test_bonus_accuracy_95, test_bonus_accuracy_98
# expect-text: expected at least 85.00%
# expect-pass: test_predictions_are_labels
# expect-next-step: with their own labels
import numpy as np
import torch
from torch import nn


def as_input(images, device):
    return torch.as_tensor(np.asarray(images), device=device).float().div(255).flatten(1)


def train(images, labels, device="cpu"):
    x = as_input(images, device)[torch.randperm(len(images))]
    y = torch.as_tensor(labels, device=device)[torch.randperm(len(labels))]  # a second one!
    model = nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.losses = []
    for start in range(0, len(x), 500):  # one epoch is enough to show it
        loss = nn.functional.cross_entropy(model(x[start:start + 500]), y[start:start + 500])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        model.losses.append(loss.item())
    return model


def predict(model, images, device="cpu"):
    with torch.no_grad():
        return model(as_input(images, device)).argmax(dim=1).cpu().numpy()
