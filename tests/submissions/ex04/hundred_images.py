# Trains a sound network, but on the first 100 training images only (a slice left over from
# debugging), so it cannot generalise.
# expect-fail: test_accuracy_at_least_85, test_bonus_accuracy_95, test_bonus_accuracy_98
# expect-text: expected at least 85.00%
# expect-pass: test_predictions_are_labels, test_training_loss_falls
# expect-next-step: all 60,000 images
import numpy as np
import torch
from torch import nn


def as_input(images, device):
    return torch.as_tensor(np.asarray(images), device=device).float().div(255).flatten(1)


def train(images, labels, device="cpu"):
    x, y = as_input(images[:100], device), torch.as_tensor(labels[:100], device=device)
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.losses = []
    for _ in range(100):
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        model.losses.append(loss.item())
    return model


def predict(model, images, device="cpu"):
    with torch.no_grad():
        return model(as_input(images, device)).argmax(dim=1).cpu().numpy()
