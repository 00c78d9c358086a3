# Predicts the most frequent training digit for every image, without learning anything else.
# expect-fail: test_accuracy_at_least_85, test_bonus_accuracy_95, test_bonus_accuracy_98, test_training_loss_falls
# expect-text: expected at least 85.00%
# expect-pass: test_predictions_are_labels
# expect-next-step: same digit
import numpy as np


class MostFrequent:
    def __init__(self, label):
        self.label = label


def train(images, labels, device="cpu"):
    return MostFrequent(int(np.bincount(labels).argmax()))


def predict(model, images, device="cpu"):
    return np.full(len(images), model.label, dtype=np.int64)
