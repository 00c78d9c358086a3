"""Public checks for ex01: the example of the course notes, o = x*x + y*y at x=1, y=3.

net1.py: forward() = 10, x.g = 2, y.g = 6. net2.py prints 10, 9.216, 8.4934656, ... and ends at
x = 0.01687..., y = 0.05061...: its net.py moved a variable once per *use* in an op, so x (used
twice by mul(x, x)) moved twice per loop. Here every variable moves once, by -step * g, which
gives net2.py's numbers exactly with step=0.02.
"""
import math

from grader.checks import expect_close, fail

NOTES = [["var", 1], ["var", 3], ["mul", 0, 0], ["mul", 1, 1], ["add", 2, 3]]
NAMES = ["x", "y", "x*x", "y*y", "o"]
EXAMPLE = "(o = x*x + y*y at x=1, y=3)"

# net2.py's printout (course notes) and its final x, y.
NET2_PRINTED = {0: 10.0, 1: 9.216, 2: 8.4934656, 3: 7.827577896960003, 50: 0.1687031935884965,
                99: 0.003088190920893857}
NET2_X, NET2_Y = 0.01687031935884968, 0.050610958076549


def test_forward_of_notes_example(student, exercise):
    """forward() returns 10 for the notes' o = x*x + y*y at x=1, y=3"""
    run = student.probe("backprop", NOTES, rounds=["f"])[0]
    rtol = exercise.thresholds["value_rtol"]
    if run["forward"] is None:
        fail(f"forward() returned None {EXAMPLE}; expected 10, the value of o (a missing return?)")
    expect_close("forward()", run["forward"], 10.0, tol=10 * rtol, after=f"returned {EXAMPLE}")
    for name, got, want in zip(NAMES[2:], run["v"][2:], [1.0, 9.0, 10.0]):
        expect_close(f"{name}.v", got, want, tol=max(1.0, want) * rtol,
                     after=f"after forward() {EXAMPLE}")


def test_backward_of_notes_example(student, exercise):
    """backward() gives x.g = 2, y.g = 6 and o.g = 1, as in net1.py"""
    run = student.probe("backprop", NOTES)[0]
    rtol = exercise.thresholds["grad_rtol"]
    # Output first: a missing seed (o.g) explains every other wrong gradient.
    for k, want in ((4, 1.0), (2, 1.0), (3, 1.0), (0, 2.0), (1, 6.0)):
        expect_close(f"{NAMES[k]}.g", run["g"][k], want, tol=max(1.0, want) * rtol,
                     after=f"after backward() {EXAMPLE}")


def test_descent_of_notes_example(student, exercise, report):
    """gradient_descendent(step=0.02) prints net2.py's 10, 9.216, 8.4934656, ... and its x, y"""
    run = student.probe("descend", NOTES, step=0.02)
    values = printed_values(run, loops=100, every=1, call="gradient_descendent(step=0.02)")
    notes = [10.0 * 0.9216 ** k for k in range(100)]
    report.plot("o = x*x + y*y per loop", {"yours": finite(values), "net2.py": finite(notes)},
                xlabel="loop", ylabel="o", log_y=True)
    rtol = exercise.thresholds["descent_rtol"]
    after = "after 100 loops with step=0.02"
    expect_close("x", run["v"][0], NET2_X, tol=NET2_X * rtol, after=after)
    expect_close("y", run["v"][1], NET2_Y, tol=NET2_Y * rtol, after=after)
    for i, want in NET2_PRINTED.items():
        expect_close(f"the value printed at loop {i}", values[i], want, tol=want * rtol,
                     after="(net2.py printed it, with step=0.02)")


def test_descent_defaults(student, exercise):
    """gradient_descendent() defaults to 100 loops, printing every loop, step 0.01"""
    run = student.probe("descend", NOTES)
    printed_values(run, loops=100, every=1, call="gradient_descendent()")
    x, y = 1.0, 3.0
    for _ in range(100):
        x, y = x - 0.01 * (x + x), y - 0.01 * (y + y)
    rtol = exercise.thresholds["descent_rtol"]
    expect_close("x", run["v"][0], x, tol=x * rtol, after="after gradient_descendent() from x=1")
    expect_close("y", run["v"][1], y, tol=y * rtol, after="after gradient_descendent() from y=3")


def printed_values(run, loops, every, call):
    """The printed `i => value` lines as a list of floats, one per printed loop, or CheckFailed."""
    printed = run["printed"]
    want = list(range(0, loops, every))
    got = [p[0] for p in printed]
    if got != want:
        shown = f"; it printed: {run['text'][:120]!r}" if run["text"] else " and printed nothing"
        fail(f"{call} printed `i => value` for loops {_span(got)}; expected loops "
             f"{_span(want)}{shown}")
    for i, v in printed:
        if not isinstance(v, (int, float)):
            fail(f"{call} printed `{i} => {v}` at loop {i}; expected a number, the value "
                 f"forward() returned")
    return [float(v) for _, v in printed]


def finite(values):
    """A plot series of the finite values only (a diverging run reaches inf)."""
    kept = [(i, float(v)) for i, v in enumerate(values) if math.isfinite(v)]
    return {"x": [i for i, _ in kept], "y": [v for _, v in kept]}


def _span(loops):
    if not loops:
        return "(none)"
    if len(loops) <= 4:
        return ", ".join(map(str, loops))
    return f"{loops[0]}, {loops[1]}, ..., {loops[-1]} ({len(loops)} lines)"
