"""Hidden checks for ex05: judged like ex04's (whose hidden checks these are), so one rule
holds for both: predict() labels each image by its pixels."""
from grader.grading.checks import sibling

judge = sibling(__file__, "../ex04_mnist_torch/test_hidden")


def test_labels_each_image_by_its_pixels(student, dataset):
    """A shuffled part of the test set gets the same labels as the whole set did"""
    judge.test_labels_each_image_by_its_pixels(student, dataset)
