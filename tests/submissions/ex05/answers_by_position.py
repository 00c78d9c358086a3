# Labels the test set once, keeps the answers, and hands them out by position afterwards (as a
# submission that stored answers in advance would): a shuffled part of the test set gets the
# labels of the first images instead of its own.
# (The classifier is the nearest class mean: quick, and about 82% accurate.)
# expect-fail: test_labels_each_image_by_its_pixels
# expect-text: depend on the images' order
# expect-pass: test_predictions_are_labels
# expect-next-step: by their position
import numpy as np

_answers = []


def train(images, labels, device="cpu"):
    x = images.reshape(len(images), -1) / 255
    return np.stack([x[labels == d].mean(axis=0) for d in range(10)])


def predict(model, images, device="cpu"):
    if _answers:
        return _answers[0][:len(images)]
    x = images.reshape(len(images), -1) / 255
    labels = np.concatenate([((b[:, None, :] - model[None]) ** 2).sum(axis=2).argmin(axis=1)
                             for b in np.array_split(x, 100)])
    _answers.append(labels)
    return labels
