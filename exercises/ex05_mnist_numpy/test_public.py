"""Public checks for ex05: a numpy-only classifier, judged like ex04's (whose check helpers these
are: one judge of MNIST predictions for both exercises). Accuracy is computed here, against test
labels that never enter the sandbox; torch and other ML frameworks are refused by exercise.yaml.
"""
from grader.grading.checks import sibling

# ex04's judge, as a copy of ex05's own: its cache of training runs holds ex05's runs only.
judge = sibling(__file__, "../ex04_mnist_torch/test_public")

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
