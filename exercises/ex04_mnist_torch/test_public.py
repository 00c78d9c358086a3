"""Public checks for ex04: train() on the 60,000 MNIST training digits, predict() the 10,000 test
digits. Accuracy is computed here, against test labels that never enter the sandbox.

Training is expensive, so it happens once per grading run (`trained`) and every check judges
that one run. `trained`, `predicted_labels` and `show_results` are shared with ex05's checks.
"""
import numpy as np

from grader.grading.checks import (CheckFailed, as_array, cause, expect_accuracy, expect_converged, fail,
                           fmt)

PROBE = "train_and_predict"
SHOWN_MISTAKES = 32      # misclassified test digits drawn in the report
LOSS_POINTS = 1000       # points of the loss curve drawn

def trained(student):
    """The probe's result, from a single training per grading run, shared by every check of
    both files (the session keeps it, and a fault too)."""
    return student.probe_once(PROBE)


def true_labels(dataset):
    """The test labels (int64: uint8 would overflow in the confusion matrix's 10 * truth)."""
    return np.asarray(dataset["mnist"].test_labels, dtype=np.int64)


# Causes (grader.grading.checks.cause): the usual mistakes, named where the check sees them. Shared
# with ex05, whose checks judge with these functions.
def _always(_):
    return True


scores_not_labels = cause("predict() returns a score for every digit, one row per image: "
                          "return one label per image, the index of the largest score "
                          "(argmax over the digits).")(_always)
missing_last_batch = cause("predict() stops before the last, smaller batch: predict every test "
                           "image, the rest of the batches included.")(_always)
not_integer_labels = cause("predict() returns the labels as floats: return integer labels "
                           "(argmax gives integers; leave out .float()).")(_always)
one_digit_for_all = cause("predict() gives every image the same digit, so nothing was learnt: "
                          "train on the images with their own labels, and predict from each "
                          "image's pixels.")(_always)


def _returned(got):
    kind = {"ndarray": "an array", "Tensor": "a tensor", "list": "a list", "tuple": "a tuple",
            "NoneType": "None", "int": "a single number", "float": "a single number"}
    return kind.get(got["type"], f"a {got['type']}")


def predicted_labels(run, n):
    """predict()'s answer as an array of n labels, or CheckFailed saying what came back."""
    got = run["predictions"]
    what = _returned(got)
    shape = tuple(got["shape"] or ())
    if not shape:  # unreadable, or one object (a generator, a dict, a number)
        fail(f"predict() returned {what}; expected one integer label per image")
    if len(shape) == 2 and shape[0] == n and shape[1] > 1:
        fail(f"predict() returned {what} of shape {shape}: return one label per image "
             f"(use argmax)", scores_not_labels)
    if len(shape) == 1 and shape[0] != n:
        fail(f"predict() returned {shape[0]} labels for {n} images; expected one label per "
             f"image (is a last, smaller batch missing?)",
             missing_last_batch if shape[0] < n else None)
    if shape != (n,):
        fail(f"predict() returned {what} of shape {shape}; expected one label per image, "
             f"shape ({n},)")
    if got["values"] is None:
        fail(f"predict() returned {what} of {got['dtype']}; expected integer labels",
             not_integer_labels if "float" in str(got["dtype"]) else None)
    values = got["values"]
    if not isinstance(values, np.ndarray) or values.shape != (n,):
        fail(f"predict() returned {what} that could not be read as {n} labels")
    return values


def judge_accuracy(run, labels, truth, at_least, report):
    """Accuracy against the hidden labels, with how long training took and where: the
    message says it whether the bar was reached or not."""
    when = f"after {run['train_s']:.1f} s of training on {run['device']}"
    try:
        acc = expect_accuracy(labels, truth, at_least, what="test accuracy")
    except CheckFailed as e:
        fail(f"{e} ({when})", one_digit_for_all if np.unique(labels).size == 1 else None)
    report.note(f"test accuracy {acc:.2%} >= {at_least:.0%}, {when}")


def show_results(report, labels, truth, images):
    """The confusion matrix and a grid of misclassified test digits, for the report."""
    valid = np.isin(labels, np.arange(10))
    if not valid.any():
        return
    pred = labels[valid].astype(np.int64)
    counts = np.bincount(truth[valid] * 10 + pred, minlength=100).reshape(10, 10)
    report.plot(f"Confusion matrix of the {len(truth):,} test digits",
                {"matrix": counts.tolist(), "labels": [str(d) for d in range(10)]},
                kind="matrix", xlabel="predicted", ylabel="true")
    wrong = np.flatnonzero(valid & (labels != truth))
    if wrong.size:
        shown = wrong[np.linspace(0, wrong.size - 1, min(SHOWN_MISTAKES, wrong.size)).astype(int)]
        report.plot(f"Misclassified test digits: predicted (true), {wrong.size} in all",
                    # inverted: dark digits on the report's white page
                    {"images": [(255 - images[i]).tolist() for i in shown],
                     "captions": [f"{int(labels[i])} (true {truth[i]})" for i in shown]},
                    kind="image-grid")


def test_predictions_are_labels(student, dataset):
    """predict() returns one integer label from 0 to 9 per test image, on the CPU"""
    run = trained(student)
    labels = predicted_labels(run, len(true_labels(dataset)))
    device = run["predictions"]["device"]
    if device and not device.startswith("cpu"):
        fail(f"predict() returned a tensor on {device}: return the labels on the CPU, e.g. "
             f"logits.argmax(dim=1).cpu().numpy()")
    if labels.dtype.kind not in "iu":
        fail(f"predict() returned {labels.dtype} values; expected integer labels (argmax "
             f"gives them)", not_integer_labels)
    if labels.min() < 0 or labels.max() > 9:
        fail(f"predict() returned labels from {labels.min()} to {labels.max()}; expected "
             f"digits 0 to 9")


def test_accuracy_at_least_85(student, dataset, exercise, report):
    """At least 85% of the 10,000 test digits are classified correctly"""
    run, truth = trained(student), true_labels(dataset)
    labels = predicted_labels(run, len(truth))
    show_results(report, labels, truth, dataset["mnist"].test_images)
    judge_accuracy(run, labels, truth, exercise.thresholds["accuracy"], report)


def test_training_loss_falls(student, report):
    """The training loss recorded in model.losses falls"""
    losses = trained(student)["losses"]
    if losses["values"] is None:
        fail("the model train() returned has no losses attribute: put the list of each "
             "step's loss.item() on it (model.losses = losses)" if losses["type"] == "missing"
             else f"model.losses is a {losses['type']}; expected a list of numbers")
    values = as_array(losses["values"], "model.losses")
    if values.ndim != 1 or values.size < 2:
        fail(f"model.losses holds {values.size} number(s); expected the loss of every step")
    keep = np.unique(np.linspace(0, values.size - 1, LOSS_POINTS).astype(int))
    report.plot("Training loss", {"loss": {"x": keep.tolist(), "y": values[keep].tolist()}},
                xlabel="step", ylabel="loss", log_y=bool((values[keep] > 0).all()))
    expect_converged(values, below=float("inf"), what="training loss")
    if not values[-1] < values[0]:
        fail(f"the last training loss ({fmt(values[-1])}) is not below the first "
             f"({fmt(values[0])})")


def test_bonus_accuracy_95(student, dataset, exercise, report):
    """Bonus: at least 95% of the test digits are classified correctly"""
    run, truth = trained(student), true_labels(dataset)
    judge_accuracy(run, predicted_labels(run, len(truth)), truth,
                   exercise.thresholds["accuracy_bonus"], report)


def test_bonus_accuracy_98(student, dataset, exercise, report):
    """Bonus: at least 98% of the test digits are classified correctly"""
    run, truth = trained(student), true_labels(dataset)
    judge_accuracy(run, predicted_labels(run, len(truth)), truth,
                   exercise.thresholds["accuracy_top"], report)
