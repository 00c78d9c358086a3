"""Public checks for ex05: a numpy-only classifier, judged like ex04's (whose check helpers these
are: one judge of MNIST predictions for both exercises). Accuracy is computed here, against test
labels that never enter the sandbox; torch and other ML frameworks are refused by exercise.yaml.
"""
import importlib.util
from pathlib import Path

# Loaded by path, because check files are imported one by one, not as a package. This copy has
# its own cache of training runs, which holds ex05's runs only.
_spec = importlib.util.spec_from_file_location(
    "_ex05_mnist_judge", Path(__file__).parent.parent / "ex04_mnist_torch" / "test_public.py")
judge = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(judge)

# The probe the judge calls, named here too: `grade release` keeps only the probes that a
# public check file names.
PROBE = "train_and_predict"
assert judge.PROBE == PROBE


def test_predictions_are_labels(student, dataset):
    """predict() returns one integer label from 0 to 9 per test image"""
    judge.test_predictions_are_labels(student, dataset)


def test_accuracy_at_least_85(student, dataset, exercise, report):
    """At least 85% of the 10,000 test digits are classified correctly"""
    judge.test_accuracy_at_least_85(student, dataset, exercise, report)
