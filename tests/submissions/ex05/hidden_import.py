# Reaches for scikit-learn under a computed name, which the source check cannot see: the
# sandbox refuses the import when train() runs.
# expect-fail: test_predictions_are_labels, test_accuracy_at_least_85
# expect-text: 'sklearn' may not be used in ex05
# expect-next-step: 'sklearn' may not be used in ex05
import importlib

import numpy as np


def train(images, labels, device="cpu"):
    linear_model = importlib.import_module("sk" + "learn.linear_model")
    return linear_model.LogisticRegression().fit(images.reshape(len(images), -1), labels)


def predict(model, images, device="cpu"):
    return model.predict(images.reshape(len(images), -1))
