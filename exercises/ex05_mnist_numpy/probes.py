"""Probes for ex05: they run inside the sandbox (where torch and friends are absent), train the
student's numpy model once and report data.

`DATA` (standard MNIST file name -> read-only path; the test labels are not among them) is put
in this namespace by the sandbox. Accuracy is computed in the grader, from the predictions sent
back: no expected value lives here.
"""
import time

import numpy as np

SUBSET, SUBSET_SEED = 2000, 20261123  # a shuffled part of the test set, predicted again
MAX_VALUES_PER_IMAGE = 10  # predictions bigger than this are described, not sent


def _idx(name, header_bytes, shape):
    """An IDX file as a private, writable array: a student may scale it in place."""
    return np.fromfile(DATA[name], np.uint8, offset=header_bytes).reshape(shape)


def _mnist():
    """Training images uint8 [60000, 28, 28], their labels int64 [60000], test images."""
    images = _idx("train-images-idx3-ubyte", 16, (-1, 28, 28))
    labels = _idx("train-labels-idx1-ubyte", 8, (-1,)).astype(np.int64)
    return images, labels, _idx("t10k-images-idx3-ubyte", 16, (-1, 28, 28))


def _described(value, n_images):
    """What predict() returned: its type, shape, dtype, and the values when they are plain
    numbers of a sendable size (None otherwise)."""
    out = {"type": type(value).__name__, "device": "", "shape": None, "dtype": "",
           "values": None}
    try:
        arr = np.asarray(value)
    except Exception:  # whatever it was, it is not an array of labels: the check says so
        return out
    out.update(shape=list(arr.shape), dtype=arr.dtype.name)
    if arr.dtype.kind in "biuf" and arr.size <= MAX_VALUES_PER_IMAGE * n_images:
        out["values"] = arr
    return out


def _again(sub, model, test_images):
    """predict() on a shuffled part of the test set; what it raised, if it did (the first
    predict() worked: that part of the checks still counts)."""
    order = np.random.default_rng(SUBSET_SEED).permutation(len(test_images))[:SUBSET]
    try:
        again = sub.predict(model, test_images[order])
    except Exception as e:  # the hidden check says what was raised
        return {"order": order, "error": f"{type(e).__name__}: {e}"[:300]}
    return {"order": order, "predictions": _described(again, SUBSET)}


def train_and_predict(sub):
    """train() on the 60,000 training digits, then predict() on the 10,000 test digits."""
    images, labels, test_images = _mnist()
    t0 = time.perf_counter()
    model = sub.train(images, labels)
    t1 = time.perf_counter()
    predicted = sub.predict(model, test_images)
    t2 = time.perf_counter()
    # The same model asked again about a shuffled part of the test set: labels that depend on
    # an image's position, not its pixels (answers stored in advance), disagree with the first.
    return {"predictions": _described(predicted, len(test_images)),
            "subset": _again(sub, model, test_images), "train_s": t1 - t0,
            "predict_s": t2 - t1, "device": "cpu"}
