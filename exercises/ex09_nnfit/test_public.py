"""Public checks for ex09: the notes' examples. Morvan's Net on y = x^2 + 0.2 rand, his two
clusters at (2, 2) and (-2, -2), the same net as torch.nn.Sequential, and his DataLoader over
x = 1..10, y = 10..1 in batches of 5.

The judges (`judge_fit`, `judge_classes`, `judge_same_output`, `judge_epochs`) are shared with
test_hidden.py.
"""
import numpy as np

from grader.grading import trajectory
from grader.grading.checks import as_array, cause, diagnosed, fail, fmt

PLOT_POINTS = 200
MIN_STEPS = 10


def relu_net(weights, x):
    """What Net and sequential_net compute: predict(relu(hidden(x)))."""
    w1, b1, w2, b2 = (np.asarray(w, dtype=np.float64) for w in weights)
    return np.maximum(x @ w1.T + b1, 0.0) @ w2.T + b2


def notes_parabola(n=100):
    """x = linspace(-1, 1, 100), y = x^2 + 0.2 rand: the noise has mean 0.1, so the curve to
    find is x^2 + 0.1."""
    x = np.linspace(-1, 1, n)
    y = x ** 2 + 0.2 * np.random.default_rng(1).random(n)
    return x, y, lambda t: t ** 2 + 0.1


def notes_clusters(seed, n=100):
    """Class 0 around (2, 2), class 1 around (-2, -2), each normal with standard deviation 1."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(2, 1, (n, 2)), rng.normal(-2, 1, (n, 2))])
    return x, np.repeat([0, 1], n)


# ---- judges -------------------------------------------------------------------------------------

def plot_losses(report, title, losses):
    losses = as_array(losses, "the recorded losses")
    if losses.ndim == 1 and losses.size:
        keep = np.unique(np.linspace(0, losses.size - 1, 500).astype(int))
        report.plot(title, {"loss": {"x": keep.tolist(), "y": losses[keep].tolist()}},
                    xlabel="backward() call", ylabel="loss", log_y=True)


@cause("Your net's output is a straight line in x, which fits no curve: Net.forward needs the "
       "ReLU between its layers, predict(torch.relu(hidden(x))).")
def straight_line(seen):
    x, pred = np.ravel(seen["x"]), np.ravel(seen["pred"])
    line = np.polyval(np.polyfit(x, pred, 1), x)
    return float(np.max(np.abs(line - pred))) <= 1e-3 * max(1.0, float(np.ptp(pred)))


@cause("The training loss swings up and down instead of falling: torch adds each backward()'s "
       "gradients to the last ones. Call optimizer.zero_grad() before each loss.backward().")
def gradients_pile_up(seen):
    losses = np.asarray(seen["losses"], dtype=float)
    return losses.size > 20 and float(np.mean(np.diff(losses) > 0)) > 0.3


def judge_fit(run, x, y, f, exercise, report, title):
    with diagnosed({"x": x, "pred": run["pred"], "losses": run["losses"], "points": len(x)},
                   gradients_pile_up, straight_line, trajectory.FIT_WENT_WRONG):
        _judge_fit(run, x, y, f, exercise, report, title)


def _judge_fit(run, x, y, f, exercise, report, title):
    """The trained net's mean squared error on the data may exceed the noise's own, mean((f(x) -
    y)^2), by at most fit_tol times the variance of the curve f(x) over x."""
    if run["pred"] is None:
        fail(f"net(x) returned {run['kind']}; expected a tensor of predictions (fit_regression "
             f"returns the trained net)")
    pred = as_array(run["pred"], "net(x)", (len(x), 1))[:, 0]
    grid = np.linspace(float(x.min()), float(x.max()), PLOT_POINTS)
    keep = np.linspace(0, len(x) - 1, min(len(x), PLOT_POINTS)).astype(int)
    series = {"data": {"x": x[keep].tolist(), "y": y[keep].tolist()}}
    if run["curve"] is not None:
        series["your net"] = {"x": grid.tolist(), "y": np.ravel(run["curve"]).tolist()}
    series["the curve"] = {"x": grid.tolist(), "y": f(grid).tolist()}
    report.plot(title, series, kind="scatter+line", xlabel="x", ylabel="y")
    plot_losses(report, f"{title}: the loss at each backward()", run["losses"])
    noise = float(np.mean((f(x) - y) ** 2))
    limit = noise + exercise.thresholds["fit_tol"] * float(np.var(f(x)))
    mse = float(np.mean((pred - y) ** 2)) if np.isfinite(pred).all() else float("nan")
    if not mse <= limit:
        fail(f"the trained net's mean squared error on the data is {fmt(mse)}; expected at most "
             f"{fmt(limit)} (the noise alone gives {fmt(noise)}): train longer, or with Adam?")


def judge_trains(run, report, title):
    """At least MIN_STEPS steps of a torch.optim optimizer, and a loss that falls."""
    with diagnosed({"losses": run["losses"]}, gradients_pile_up, trajectory.FIT_WENT_WRONG):
        _judge_trains(run, report, title)


def _judge_trains(run, report, title):
    plot_losses(report, title, run["losses"])
    steps = int(run["optimizer_steps"])
    if steps < MIN_STEPS:
        fail(f"fit_regression took {steps} steps of a torch.optim optimizer; expected a "
             f"training loop with at least {MIN_STEPS} (optimizer.step() after loss.backward())")
    losses = as_array(run["losses"], "the recorded losses")
    k = max(1, losses.size // 10)
    first, last = float(np.mean(losses[:k])), float(np.mean(losses[-k:]))
    if losses.size < MIN_STEPS or not np.isfinite(losses).all() or not last <= first / 2:
        fail(f"the training loss went from {fmt(first)} (mean of the first {k} backward() "
             f"calls) to {fmt(last)} (the last {k}); expected it to fall to half or less")


def judge_classes(run, x_test, labels, at_least, report, title):
    """The class with the larger output, argmax over net(x)'s two columns, is right for at
    least `at_least` of the test points (never seen in training)."""
    if run["logits"] is None:
        fail(f"net(x) returned {run['kind']}; expected a tensor with one column per class "
             f"(fit_classifier returns the trained net)")
    logits = as_array(run["logits"], "net(x)", (len(x_test), 2))
    predicted = np.argmax(logits, axis=1)
    series = {f"data: predicted {c}": {"x": x_test[predicted == c, 0].tolist(),
                                       "y": x_test[predicted == c, 1].tolist()} for c in (0, 1)}
    wrong = predicted != labels
    if wrong.any():
        series["data: wrong"] = {"x": x_test[wrong, 0].tolist(), "y": x_test[wrong, 1].tolist()}
    report.plot(title, series, kind="scatter+line", xlabel="x[0]", ylabel="x[1]")
    accuracy = float(np.mean(~wrong))
    if not accuracy >= at_least:
        fail(f"the trained net labels {accuracy:.1%} of {len(labels)} new points right; "
             f"expected at least {at_least:.0%}")


def judge_same_output(run, weights, x):
    """Net and sequential_net, given the same weights, both compute predict(relu(hidden(x)))."""
    want = relu_net(weights, x)
    shapes = [list(np.shape(weights[0])), list(np.shape(weights[2]))]
    if not run["sequential"]["is_sequential"]:
        fail(f"sequential_net returned a {run['sequential']['type']}; expected a "
             f"torch.nn.Sequential")
    for key, name in (("net", "Net"), ("sequential", "sequential_net")):
        got = run[key]
        if got["linear_shapes"] != shapes:
            fail(f"{name}(n_feature={x.shape[1]}, n_hidden={shapes[0][0]}, n_output="
                 f"{shapes[1][0]}) has Linear layers with weights of shapes "
                 f"{[tuple(s) for s in got['linear_shapes']]}; expected {[tuple(s) for s in shapes]}")
        if got["y"] is None:
            fail(f"{name}'s forward returned {got['kind']}; expected a tensor")
        y = as_array(got["y"], f"the output of {name}", want.shape)
        off = ~np.isfinite(y) | (np.abs(y - want) > 1e-4 + 1e-4 * np.abs(want))
        if off.any():
            i = np.unravel_index(int(np.argmax(np.where(off, np.abs(y - want), 0))), want.shape)
            fail(f"with the same weights, {name} outputs {fmt(y[i])} at row {i[0]}; "
                 f"predict(relu(hidden(x))) is {fmt(want[i])} ({int(off.sum())} of {y.size} "
                 f"outputs off)")


def judge_epochs(run, x, y, batch_size, epochs):
    """Every epoch yields each (x_i, y_i) pair exactly once, in batches of batch_size (the last
    one holds what is left); rows are told apart by x's first column, which is unique."""
    n = len(x)
    ids = x[:, 0] if x.ndim == 2 else x
    y_of = dict(zip(ids.tolist(), y.tolist()))
    sizes = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    if len(run["epochs"]) != epochs:
        fail(f"iterated {len(run['epochs'])} epochs; expected {epochs}")
    for e, batches in enumerate(run["epochs"]):
        if any(b is None for b in batches):
            fail(f"epoch {e}: a batch is not a pair (batch_x, batch_y); return (x[i], y[i]) "
                 f"from __getitem__")
        bxs = [as_array(bx, "batch_x").reshape(len(bx), *x.shape[1:]) for bx, _ in batches]
        bys = [as_array(by, "batch_y").reshape(-1) for _, by in batches]
        got_sizes = [len(b) for b in bxs]
        if got_sizes != sizes:
            fail(f"epoch {e}: batches of sizes {got_sizes}; expected {sizes} ({n} samples in "
                 f"batches of {batch_size})")
        seen = np.concatenate([b[:, 0] if b.ndim == 2 else b for b in bxs])
        counts = {k: 0 for k in ids.tolist()}
        for v in seen.tolist():
            counts[v] = counts.get(v, 0) + 1
        missing = [k for k, c in counts.items() if c == 0]
        repeated = [k for k, c in counts.items() if c > 1]
        if missing or repeated:
            fail(f"epoch {e}: {len(missing)} of {n} samples never came, {len(repeated)} came "
                 f"more than once (e.g. x = {fmt((missing or repeated)[0])}); expected each "
                 f"exactly once per epoch")
        for bx, by in zip(bxs, bys):
            for xi, yi in zip((bx[:, 0] if bx.ndim == 2 else bx).tolist(), by.tolist()):
                if abs(yi - y_of[xi]) > 1e-5 * max(1.0, abs(y_of[xi])):
                    fail(f"epoch {e}: the sample x = {fmt(xi)} came with y = {fmt(yi)}; "
                         f"expected its own y = {fmt(y_of[xi])}")


# ---- checks -------------------------------------------------------------------------------------

def test_net_has_hidden_and_predict_layers(student):
    """Net(1, 10, 1) has the notes' layers: hidden = Linear(1, 10), predict = Linear(10, 1)"""
    run = student.probe("net_parameters", 1, 10, 1)
    for name in ("hidden", "predict"):
        if run[name] != "Linear":
            fail(f"Net(1, 10, 1).{name} is {run[name]}; expected a torch.nn.Linear")
    want = {"hidden.weight": [10, 1], "hidden.bias": [10], "predict.weight": [1, 10],
            "predict.bias": [1]}
    if run["parameters"] != want:
        got = ", ".join(f"{k} {tuple(v)}" for k, v in run["parameters"].items()) or "none"
        fail(f"Net(1, 10, 1) has the parameters {got}; expected "
             + ", ".join(f"{k} {tuple(v)}" for k, v in want.items()))


def test_regression_fits_notes_parabola(student, exercise, report):
    """fit_regression fits y = x^2 + 0.2 rand on the notes' 100 points down to the noise"""
    x, y, f = notes_parabola()
    grid = np.linspace(-1, 1, PLOT_POINTS)
    run = student.probe("fit_curve", x.tolist(), y.tolist(), grid.tolist())
    judge_fit(run, x, y, f, exercise, report, "fit_regression on y = x^2 + 0.2 rand")


def test_classifier_separates_notes_clusters(student, exercise, report):
    """fit_classifier learns the notes' two clusters and labels new points from them"""
    x, labels = notes_clusters(seed=1)
    x_test, labels_test = notes_clusters(seed=2)
    run = student.probe("fit_classes", x.tolist(), labels.tolist(), x_test.tolist())
    judge_classes(run, x_test, labels_test, exercise.thresholds["accuracy"], report,
                  "new points from the notes' clusters, by the class your net gives them")


def test_sequential_matches_net(student):
    """Net(1, 10, 1) and sequential_net(1, 10, 1) with the same weights give the same outputs"""
    rng = np.random.default_rng(10)
    weights = [rng.normal(0, 1, (10, 1)), rng.normal(0, 1, 10), rng.normal(0, 1, (1, 10)),
               rng.normal(0, 1, 1)]
    x = np.linspace(-1, 1, 50).reshape(-1, 1)
    run = student.probe("same_weights", 1, 10, 1, [w.tolist() for w in weights], x.tolist())
    judge_same_output(run, weights, x)


def test_dataset_gives_pairs(student):
    """PairDataset(x, y) has len(x) items, and item i is the pair (x[i], y[i])"""
    x, y = np.linspace(1, 10, 10), np.linspace(10, 1, 10)
    run = student.probe("dataset_items", x.tolist(), y.tolist(), [0, 3, 9])
    if not run["is_dataset"]:
        fail("PairDataset is not a torch.utils.data.Dataset; expected class "
             "PairDataset(torch.utils.data.Dataset)")
    if run["len"] != len(x):
        fail(f"len(PairDataset(x, y)) = {run['len']} for {len(x)} samples; expected {len(x)}")
    for i, item in zip([0, 3, 9], run["items"]):
        if item is None:
            fail(f"PairDataset(x, y)[{i}] is not a pair; expected (x[{i}], y[{i}])")
        xi, yi = (float(np.ravel(v)[0]) if np.size(v) == 1 else None for v in item)
        if xi != x[i] or yi != y[i]:
            fail(f"PairDataset(x, y)[{i}] = ({fmt(xi)}, {fmt(yi)}); expected "
                 f"({fmt(x[i])}, {fmt(y[i])})")


def test_loader_yields_notes_batches(student):
    """make_loader(x, y, 5) over the notes' 10 pairs: 2 batches of 5, every pair once an epoch"""
    x, y = np.linspace(1, 10, 10), np.linspace(10, 1, 10)
    run = student.probe("loader_epochs", x.tolist(), y.tolist(), 5, 3)
    judge_epochs(run, x, y, batch_size=5, epochs=3)
