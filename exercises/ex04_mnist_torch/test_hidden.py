"""Hidden checks for ex04 (and ex05, which loads this file): predict() must label each image by
its pixels. A shuffled part of the test set, predicted again by the same model, must get the
labels the whole set got; answers stored in advance by position cannot pass."""
import numpy as np

from grader.grading.checks import cause, fail, sibling

public = sibling(__file__, "test_public")

@cause("predict() labels images by their position, not by their pixels: the same image must "
       "get the same label whatever the order or number of images it comes with.")
def labels_by_position(_):
    return True


MIN_AGREEMENT = 0.99     # of the shuffled images labelled as before (float rounding in batches)


def test_labels_each_image_by_its_pixels(student, dataset):
    """A shuffled part of the test set gets the same labels as the whole set did"""
    run = public.trained(student)
    labels = public.predicted_labels(run, len(public.true_labels(dataset)))
    subset = run["subset"]
    if "error" in subset:
        fail(f"predict() on {len(subset['order'])} of the test images, in another order, "
             f"raised {subset['error']}")
    order = np.asarray(subset["order"], dtype=np.int64)
    again = public.predicted_labels(subset, len(order))
    agree = float((again == labels[order]).mean())
    if agree < MIN_AGREEMENT:
        fail(f"predict() gave {len(order)} shuffled test images the labels they had got in "
             f"the whole set only {agree:.1%} of the time; expected at least "
             f"{MIN_AGREEMENT:.0%}: does predict() depend on the images' order or count?",
             labels_by_position)
