"""Probes for ex04: they run inside the sandbox, train the student's model once and report data.

`device` ("cpu" or "cuda") and `DATA` (standard MNIST file name -> read-only path; the test
labels are not among them) are put in this namespace by the sandbox. Accuracy is computed in
the grader, from the predictions sent back: no expected value lives here.
"""
import time

import numpy as np
import torch

MAX_LOSSES = 100_000      # a longer history is thinned: the check needs its trend only
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


def _numpy(value):
    """A tensor (on any device, any dtype) as a numpy array; anything else unchanged."""
    if isinstance(value, torch.Tensor):
        t = value.detach().cpu()
        return (t.float() if t.dtype == torch.bfloat16 else t).numpy()
    return value


def _described(value, n_images):
    """What predict() returned: its type, device, shape, dtype, and the values when they are
    plain numbers of a sendable size (None otherwise). GPU tensors are read all the same: the
    check says what was wrong and still counts the right labels."""
    out = {"type": type(value).__name__, "device": "", "shape": None, "dtype": "",
           "values": None}
    if isinstance(value, torch.Tensor):
        out["device"] = str(value.device)
    try:
        items = [_numpy(v) for v in value] if isinstance(value, (list, tuple)) else value
        arr = np.asarray(_numpy(items))
    except Exception:  # whatever it was, it is not an array of labels: the check says so
        return out
    out.update(shape=list(arr.shape), dtype=arr.dtype.name)
    if arr.dtype.kind in "biuf" and arr.size <= MAX_VALUES_PER_IMAGE * n_images:
        out["values"] = arr
    return out


def _losses(model):
    """`model.losses` as float64 numbers, or a description of what was there instead."""
    value = getattr(model, "losses", None)
    if value is None:
        return {"values": None, "type": "missing"}
    try:
        arr = np.asarray([float(v) for v in _numpy(value)], dtype=np.float64)
    except Exception:  # unreadable losses cost the loss check only, not the accuracy
        return {"values": None, "type": type(value).__name__}
    if arr.size > MAX_LOSSES:
        arr = arr[np.linspace(0, arr.size - 1, MAX_LOSSES).astype(int)]
    return {"values": arr, "type": type(value).__name__}


def _again(sub, model, test_images):
    """predict() on a shuffled part of the test set; what it raised, if it did (the first
    predict() worked: that part of the checks still counts)."""
    order = np.random.default_rng(SUBSET_SEED).permutation(len(test_images))[:SUBSET]
    try:
        again = sub.predict(model, test_images[order], device=device)
    except Exception as e:  # the hidden check says what was raised
        return {"order": order, "error": f"{type(e).__name__}: {e}"[:300]}
    return {"order": order, "predictions": _described(again, SUBSET)}


def train_and_predict(sub):
    """train() on the 60,000 training digits, then predict() on the 10,000 test digits."""
    images, labels, test_images = _mnist()
    t0 = time.perf_counter()
    model = sub.train(images, labels, device=device)
    t1 = time.perf_counter()
    predicted = sub.predict(model, test_images, device=device)
    t2 = time.perf_counter()
    # The same model asked again about a shuffled part of the test set: labels that depend on
    # an image's position, not its pixels (answers stored in advance), disagree with the first.
    return {"predictions": _described(predicted, len(test_images)),
            "subset": _again(sub, model, test_images), "losses": _losses(model),
            "train_s": t1 - t0, "predict_s": t2 - t1, "device": device}
