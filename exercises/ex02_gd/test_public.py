"""Public checks for ex02: the example from the course notes."""
from grader.checks import expect_close, expect_converged, series


def test_reaches_minimum_of_notes_loss(student, exercise):
    """GD moves x from -1.5 to 2, the minimum of x*x - 4*x + 4, in 5000 steps"""
    run = student.probe("notes_loss", start=-1.5, loop_max=5000)
    expect_close("x", run["x"], 2.0, tol=exercise.thresholds["x_tol"], after="after 5000 steps")


def test_loss_falls(student, report):
    """The loss falls steadily towards 0"""
    run = student.probe("notes_loss", start=-1.5, loop_max=5000)
    report.plot("loss of x*x - 4*x + 4", {"loss": series(run["losses"])}, xlabel="step",
                ylabel="loss", log_y=True)
    expect_converged(run["losses"], below=1e-3)
