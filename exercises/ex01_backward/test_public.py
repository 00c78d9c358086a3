"""Public checks for ex01: the example of the course notes, o = x*x + y*y at x=1, y=3.

net1.py: forward() = 10, x.g = 2, y.g = 6. net2.py prints 10, 9.216, 8.4934656, ... and ends at
x = 0.01687..., y = 0.05061...: its net.py moved a variable once per *use* in an op, so x (used
twice by mul(x, x)) moved twice per loop. Here every variable moves once, by -step * g, which
gives net2.py's numbers exactly with step=0.02.
"""
import math

from grader.grading.checks import cause, diagnosed, expect_close, fail

NOTES = [["var", 1], ["var", 3], ["mul", 0, 0], ["mul", 1, 1], ["add", 2, 3]]
NAMES = ["x", "y", "x*x", "y*y", "o"]
EXAMPLE = "(o = x*x + y*y at x=1, y=3)"

# net2.py's printout (course notes) and its final x, y.
NET2_PRINTED = {0: 10.0, 1: 9.216, 2: 8.4934656, 3: 7.827577896960003, 50: 0.1687031935884965,
                99: 0.003088190920893857}
NET2_X, NET2_Y = 0.01687031935884968, 0.050610958076549


# ---- causes: ex01's usual mistakes, recognised by redoing the student's run with that mistake --
def backprop_with(spec, mistake=None, g=None):
    """Values and gradients of the graph `spec`, right or with one mistake: "assign" (= where
    += belongs), "no_seed" (the output's .g left at 0), "mul_own" (mul's rule with the input's
    own value); `g`: gradients left over from before (a backward() that does not reset)."""
    v = []
    for op in spec:
        v.append(float(op[1]) if op[0] == "var" else
                 v[op[1]] + v[op[2]] if op[0] == "add" else v[op[1]] * v[op[2]])
    g = list(g) if g is not None else [0.0] * len(spec)
    g[-1] = 0.0 if mistake == "no_seed" else 1.0
    for k in reversed(range(len(spec))):
        op = spec[k]
        if op[0] == "var":
            continue
        a, b = op[1], op[2]
        if op[0] == "add":
            sa = sb = g[k]
        elif mistake == "mul_own":
            sa, sb = g[k] * v[a], g[k] * v[b]
        else:
            sa, sb = g[k] * v[b], g[k] * v[a]
        if mistake == "assign":
            g[a], g[b] = sa, sb
        else:
            g[a] += sa
            g[b] += sb
    return v, g


def descent_with(spec, loops, step, sign=1.0, keep=False):
    """Every variable's value after gradient descent, right, uphill (sign=-1) or with the
    gradients of all loops added up (keep)."""
    spec = [list(op) for op in spec]
    g = None
    for _ in range(loops):
        _, g = backprop_with(spec, g=g if keep else None)
        for k, op in enumerate(spec):
            if op[0] == "var":
                op[1] = op[1] - sign * step * g[k]
    return [op[1] if op[0] == "var" else None for op in spec]


def _close(got, want):
    pairs = [(a, b) for a, b in zip(got, want) if b is not None]
    return len(got) == len(want) and all(
        isinstance(a, (int, float)) and math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
        for a, b in pairs)


@cause("backward() never seeds the output: set the output's .g to 1 (d(output)/d(output) = 1) "
       "before walking back, or every gradient stays 0.")
def output_not_seeded(seen):
    return "g" in seen and _close(seen["g"], backprop_with(seen["spec"], "no_seed")[1])


@cause("A node used twice (mul(x, x)) or by several ops keeps only its last share: use +=, "
       "not =, when an op adds its share to its inputs' .g.")
def gradients_assigned(seen):
    return "g" in seen and _close(seen["g"], backprop_with(seen["spec"], "assign")[1])


@cause("mul's backward rule uses the input's own value: a.g += b.v * o.g and b.g += a.v * o.g, "
       "the other input's value.")
def mul_rule_own_value(seen):
    return "g" in seen and _close(seen["g"], backprop_with(seen["spec"], "mul_own")[1])


@cause("Your descent steps along the gradient, uphill: move every variable against it, "
       "x.v -= step * x.g.")
def steps_uphill(seen):
    return "loops" in seen and _close(seen["v"], descent_with(seen["spec"], seen["loops"],
                                                              seen["step"], sign=-1.0))


@cause("backward() does not reset the gradients, so each call adds onto the last: reset every "
       "node's .g to 0 at the start of backward().")
def gradients_not_reset(seen):
    return "loops" in seen and _close(seen["v"], descent_with(seen["spec"], seen["loops"],
                                                              seen["step"], keep=True))


CAUSES = (output_not_seeded, gradients_assigned, mul_rule_own_value, steps_uphill,
          gradients_not_reset)


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
    with diagnosed({"spec": NOTES, "g": run["g"]}, *CAUSES):
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
    with diagnosed({"spec": NOTES, "v": run["v"], "loops": 100, "step": 0.02}, *CAUSES):
        _judge_notes_descent(run, values, rtol, after)


def _judge_notes_descent(run, values, rtol, after):
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
