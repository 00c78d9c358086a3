"""Hidden checks for ex01: random graphs built through the student's Net, judged against
torch.autograd in float64. torch runs here, in the grader; the submission never sees it."""
import math

import torch

from grader.grading.checks import (CheckFailed, as_float, diagnosed, expect_close, expect_gradients,
                           fail, sibling)

public = sibling(__file__, "test_public")  # the causes of ex01's usual mistakes

SIZES = [(2, 4), (3, 8), (4, 14), (3, 20), (5, 20)]  # (variables, ops) of the random graphs
CONSTANTS = [-1, 2, 3, 0.5]                            # made with variable() too


# ---- the oracle ------------------------------------------------------------------------------
def autograd(spec):
    """Every node's value and d(output)/d(node), from torch in float64."""
    nodes = []
    for op in spec:
        if op[0] == "var":
            t = torch.tensor(float(op[1]), dtype=torch.float64, requires_grad=True)
        else:
            a, b = nodes[op[1]], nodes[op[2]]
            t = a + b if op[0] == "add" else a * b
            t.retain_grad()
        nodes.append(t)
    nodes[-1].backward()
    return ([float(t.detach()) for t in nodes],
            [float(t.grad) if t.grad is not None else 0.0 for t in nodes])


def descent(spec, loops, every, step):
    """What gradient_descendent(loops, every, step) prints and leaves in every variable."""
    spec = [list(op) for op in spec]
    printed = {}
    for i in range(loops):
        v, g = autograd(spec)
        if i % every == 0:
            printed[i] = v[-1]
        for k, op in enumerate(spec):
            if op[0] == "var":
                op[1] = op[1] - step * g[k]
    return printed, [op[1] if op[0] == "var" else None for op in spec]


# ---- random graphs ---------------------------------------------------------------------------
def random_graph(rng, n_vars, n_ops, shared=None):
    """Variables (some of them round constants), then add/mul ops that mostly use recent nodes
    (deep chains) and may use one node twice; nodes left unused are added into the output so
    that every node matters. `shared`: a node index each op uses with probability 1/2."""
    spec, vals = [], []
    for _ in range(n_vars):
        v = float(rng.choice(CONSTANTS)) if rng.random() < 0.3 else \
            round(float(rng.uniform(-2, 2)), 3)
        spec.append(["var", v])
        vals.append(v)
    for _ in range(n_ops):
        for _ in range(20):
            n = len(spec)
            i = int(rng.integers(max(0, n - 3), n)) if rng.random() < 0.7 else int(rng.integers(n))
            j = i if rng.random() < 0.15 else int(rng.integers(n))
            if shared is not None and rng.random() < 0.5:
                i = shared
            op = "mul" if rng.random() < 0.5 else "add"
            val = vals[i] * vals[j] if op == "mul" else vals[i] + vals[j]
            if abs(val) <= 30:
                break
        spec.append([op, i, j])
        vals.append(val)
    used = {k for op in spec if op[0] != "var" for k in op[1:]}
    for k in range(len(spec) - 1):
        if k not in used:
            spec.append(["add", len(spec) - 1, k])
    return spec


def describe(spec, k):
    return f"n{k} = {definition(spec, k)}"


def definition(spec, k):
    """`mul(n2, n2), used by n7, n9`: what a node is and where it goes."""
    op = spec[k]
    what = f"variable({op[1]:g})" if op[0] == "var" else f"{op[0]}(n{op[1]}, n{op[2]})"
    users = [f"n{m}" for m, o in enumerate(spec) if o[0] != "var" and k in o[1:]]
    used = f", used by {', '.join(users[:4])}{' ...' if len(users) > 4 else ''}" if users else ""
    return f"{what}{used}"


def in_graph(spec, number):
    return f"in random graph {number} ({len(spec)} nodes, output n{len(spec) - 1})"


def expect_every_gradient(spec, got, want, rtol, context):
    """expect_gradients over every node, with each node named by its definition."""
    names = [f"n{k} (= {definition(spec, k)})" for k in range(len(spec))]
    try:
        expect_gradients(dict(zip(names, got)), dict(zip(names, want)), tol=rtol,
                         what="gradient")
    except CheckFailed as e:
        fail(f"{context}: {e} [expected from torch.autograd]")


# ---- checks ----------------------------------------------------------------------------------
def test_random_graph_forward(student, rng, exercise):
    """forward() computes every node of random add/mul graphs and returns the output's value"""
    rtol = exercise.thresholds["value_rtol"]
    for number, (n_vars, n_ops) in enumerate(SIZES, 1):
        spec = random_graph(rng, n_vars, n_ops)
        want, _ = autograd(spec)
        run = student.probe("backprop", spec, rounds=["f"])[0]
        context = in_graph(spec, number)
        if run["forward"] is None:
            fail(f"forward() returned None {context}; expected {want[-1]:g}, the value of the "
                 f"last node created (a missing return?)")
        out = as_float(run["forward"], f"forward() {context}")
        if not math.isclose(out, want[-1], rel_tol=rtol, abs_tol=rtol):
            fail(f"forward() returned {out:g} {context}; expected {want[-1]:g}, the value of the "
                 f"last node created (n{len(spec) - 1})")
        for k in range(len(spec)):
            expect_close(f"n{k}.v", run["v"][k], want[k], tol=rtol * max(1.0, abs(want[k])),
                         after=f"after forward() {context} ({describe(spec, k)})")


def test_random_graph_gradients(student, rng, exercise):
    """backward() gives every node of random graphs (depth up to 20) torch.autograd's gradient"""
    rtol = exercise.thresholds["grad_rtol"]
    for number, (n_vars, n_ops) in enumerate(SIZES, 1):
        spec = random_graph(rng, n_vars, n_ops)
        _, want = autograd(spec)
        run = student.probe("backprop", spec)[0]
        with diagnosed({"spec": spec, "g": run["g"]}, *public.CAUSES):
            expect_every_gradient(spec, run["g"], want, rtol,
                                  f"after backward() {in_graph(spec, number)}")


def test_node_used_many_times(student, rng, exercise):
    """A node used by several ops (and twice by one) gets the sum of all its gradients"""
    rtol = exercise.thresholds["grad_rtol"]
    spec = random_graph(rng, 4, 10, shared=0)
    spec.append(["mul", 0, 0])  # n0 is used twice by one op as well
    spec.append(["add", len(spec) - 2, len(spec) - 1])
    _, want = autograd(spec)
    run = student.probe("backprop", spec)[0]
    uses = sum(op[1:].count(0) for op in spec if op[0] != "var")
    with diagnosed({"spec": spec, "g": run["g"]}, *public.CAUSES):
        expect_close("n0.g", run["g"][0], want[0], tol=rtol * max(1.0, abs(want[0])),
                     after=f"after backward(); n0 is used {uses} times ({describe(spec, 0)}), "
                           f"so its .g is the sum of {uses} shares")
        expect_every_gradient(spec, run["g"], want, rtol,
                              f"after backward() {in_graph(spec, 1)}")


def test_backward_twice_same_gradients(student, rng, exercise):
    """Calling backward() again (with or without forward()) gives the same gradients"""
    spec = random_graph(rng, 3, 10)
    first, again, both = student.probe("backprop", spec, rounds=["fb", "b", "fb"])
    rtol = exercise.thresholds["grad_rtol"]
    for run, calls in ((again, "backward() a second time"),
                       (both, "forward() and backward() a second time")):
        for k in range(len(spec)):
            g1 = as_float(first["g"][k], f"n{k}.g")
            g2 = as_float(run["g"][k], f"n{k}.g")
            if not math.isclose(g1, g2, rel_tol=rtol, abs_tol=rtol):
                fail(f"after {calls}, n{k}.g = {g2:g}; the first backward() gave {g1:g} "
                     f"({describe(spec, k)}; {in_graph(spec, 1)})",
                     public.gradients_not_reset)


def test_output_gradient_is_one(student, rng):
    """After backward(), the output's g is 1 (d output / d output)"""
    spec = random_graph(rng, 3, 6)
    runs = student.probe("backprop", spec, rounds=["fb", "fb"])
    out = len(spec) - 1
    for run, when in zip(runs, ("backward()", "a second forward() and backward()")):
        with diagnosed({"spec": spec, "g": run["g"]}, public.output_not_seeded):
                expect_close(f"the output's g (n{out})", run["g"][out], 1.0, tol=1e-12,
                         after=f"after {when} {in_graph(spec, 1)}")


def test_descent_random_graph(student, rng, exercise, report):
    """gradient_descendent() with a random step, maxLoops and dumpPeriod on a quadratic bowl"""
    spec, loops, every, step = descent_case(rng)
    want_printed, want_v = descent(spec, loops, every, step)
    call = f"gradient_descendent(maxLoops={loops}, dumpPeriod={every}, step={step:g})"
    run = student.probe("descend", spec, maxLoops=loops, dumpPeriod=every, step=step)
    printed = run["printed"]
    got_loops = [p[0] for p in printed]
    if got_loops != list(want_printed):
        fail(f"{call} printed `i => value` for loops {got_loops[:6]}"
             f"{' ...' if len(got_loops) > 6 else ''}; expected {list(want_printed)[:6]} ..."
             f" ({len(want_printed)} lines)")
    for i, v in printed:
        if not isinstance(v, (int, float)):
            fail(f"{call} printed `{i} => {v}` at loop {i}; expected a number, the value "
                 f"forward() returned")
    finite = [(i, float(v)) for i, v in printed if math.isfinite(v)]  # a diverging run hits inf
    report.plot("output per printed loop", {
        "yours": {"x": [i for i, _ in finite], "y": [v for _, v in finite]},
        "reference": {"x": list(want_printed), "y": list(want_printed.values())}},
        xlabel="loop", ylabel="output")
    rtol = exercise.thresholds["descent_rtol"]
    seen = {"spec": spec, "v": run["v"], "loops": loops, "step": step}
    with diagnosed(seen, public.steps_uphill, public.gradients_not_reset):
        _judge_descent(spec, run, printed, want_printed, want_v, call, rtol)


def _judge_descent(spec, run, printed, want_printed, want_v, call, rtol):
    for k, op in enumerate(spec):
        if op[0] == "var":
            expect_close(f"n{k}.v", run["v"][k], want_v[k], tol=rtol * max(1.0, abs(want_v[k])),
                         after=f"after {call} (n{k} = {definition(spec, k)})")
    for (i, got), want in zip(printed, want_printed.values()):
        expect_close(f"the value printed at loop {i}", got, want,
                     tol=rtol * max(1.0, abs(want)), after=f"by {call}")


def descent_case(rng):
    """o = s0*(x0 + c0)*(x0 + c0) + s1*(x1 + c1)*(x1 + c1) + k*x0*x1; every one of x, c, s, k
    is a variable, so gradient descent moves all of them. Redrawn until the run stays tame."""
    for _ in range(100):
        x0, x1, c0, c1 = (round(float(v), 3) for v in rng.uniform(-2, 2, 4))
        s0, s1 = (round(float(v), 3) for v in rng.uniform(0.5, 2, 2))
        k = round(float(rng.uniform(-0.5, 0.5)), 3)
        spec = [["var", x0], ["var", x1], ["var", c0], ["var", c1], ["var", s0], ["var", s1],
                ["var", k],
                ["add", 0, 2], ["mul", 7, 7], ["mul", 4, 8],      # n9 = s0*(x0 + c0)^2
                ["add", 1, 3], ["mul", 10, 10], ["mul", 5, 11],   # n12 = s1*(x1 + c1)^2
                ["mul", 0, 1], ["mul", 6, 13],                     # n14 = k*x0*x1
                ["add", 9, 12], ["add", 15, 14]]
        loops, every = int(rng.integers(20, 61)), int(rng.integers(2, 6))
        step = round(float(rng.uniform(0.005, 0.04)), 4)
        printed, v = descent(spec, loops, every, step)
        if all(abs(x) < 100 for x in list(printed.values()) + [x for x in v if x is not None]):
            return spec, loops, every, step
    raise RuntimeError("descent_case: no tame case in 100 draws; narrow the ranges")
