"""Hidden checks for ex08: random lines and random numbers of features the student has not seen,
and every epoch of train() compared with plain SGD on the mean squared error."""
import numpy as np

from grader.grading.checks import as_array, cause, diagnosed, fail, fmt, sibling

# Shared with the public checks.
public = sibling(__file__, "test_public")

LINE_EPOCHS, FEATURE_EPOCHS, LR = 500, 400, 0.1   # both converge to 1e-5 from any start


def least_squares(x, y, x_new):
    """The best line (or plane) through the data, and what it predicts at x_new."""
    ones = lambda m: np.hstack([m, np.ones((len(m), 1))])
    coefs = np.linalg.lstsq(ones(x), y, rcond=None)[0]
    return ones(x_new) @ coefs


def test_random_line_prediction(student, rng, exercise, report):
    """Trained on a random noisy line, saved and loaded, the model predicts the best line's y"""
    lo, hi = -rng.uniform(1, 2), rng.uniform(1, 2)
    n = int(rng.integers(20, 201))
    x = rng.uniform(lo, hi, (n, 1))
    y = rng.uniform(-3, 3) * x + rng.uniform(-3, 3) + rng.normal(0, rng.uniform(0.05, 0.3),
                                                                 (n, 1))
    x_new = np.vstack([rng.uniform(lo, hi, (5, 1)), np.linspace(lo, hi, 21).reshape(-1, 1)])
    run = student.probe("save_and_reload", x, y, x_new, epochs=LINE_EPOCHS, learning_rate=LR)
    got = public.predicted(run, len(x_new))
    public.plot_fit(report, f"the loaded model's line over {n} random points", x, y,
                    x_new[5:], got[5:])
    public.judge_prediction(got[:5], least_squares(x, y, x_new[:5]),
                            exercise.thresholds["pred_tol"],
                            [f"x = {fmt(float(v))}" for v in x_new[:5, 0]])


def sgd(before, x, y, epochs, lr, mistake=None):
    """Plain SGD on mean((x W^T + b - y)^2) from the model's starting parameters, in float64:
    the loss at each epoch and the parameters at the end. With a `mistake` (for the causes):
    "sum" (the loss summed, not averaged) or "accumulate" (gradients never cleared)."""
    w = np.array(before["linear.weight"], dtype=np.float64)
    b = np.array(before["linear.bias"], dtype=np.float64)
    losses, gw, gb = [], 0.0, 0.0
    scale = 1.0 if mistake == "sum" else 1.0 / len(x)
    for _ in range(epochs):
        r = x @ w.T + b - y
        losses.append(float(np.sum(r ** 2) * scale))
        dw, db = 2 * r.T @ x * scale, 2 * r.sum(axis=0) * scale
        gw, gb = (gw + dw, gb + db) if mistake == "accumulate" else (dw, db)
        w, b = w - lr * gw, b - lr * gb
    return np.array(losses), w, b


def _follows(seen, mistake):
    want = sgd(seen["before"], seen["x"], seen["y"], seen["epochs"], seen["lr"], mistake)[0]
    got = np.asarray(seen["losses"], dtype=np.float64)
    k = min(len(got), len(want), 5)
    return k > 1 and np.allclose(got[:k], want[:k], rtol=1e-3, atol=1e-6)


@cause("Your loss adds the squared errors up (MSELoss(reduction='sum')): its gradient is n times "
       "the mean's, so every step overshoots. Use torch.nn.MSELoss(), the mean.")
def loss_is_a_sum(seen):
    return _follows(seen, "sum")


@cause("train() never clears the gradients: backward() adds to .grad, so every step uses the sum "
       "of all gradients so far. Call optimizer.zero_grad() before each loss.backward().")
def gradients_never_cleared(seen):
    return _follows(seen, "accumulate")


def test_each_epoch_is_one_sgd_step(student, rng, exercise):
    """Each epoch of train() is one plain SGD step on the mean squared error, fresh gradients"""
    x = rng.uniform(-2, 2, (int(rng.integers(10, 40)), 1))
    y = rng.uniform(-3, 3) * x + rng.uniform(-3, 3)
    epochs, lr = int(rng.integers(15, 31)), float(rng.choice([0.02, 0.05, 0.1]))
    x, y = (v.astype(np.float32).astype(np.float64) for v in (x, y))
    run = student.probe("train_losses", x, y, epochs=epochs, learning_rate=lr)
    if run["before"] is None or sorted(run["before"]) != sorted(public.KEYS):
        fail("LinearRegression(1) has no parameters linear.weight and linear.bias to follow")
    want, w, b = sgd(run["before"], x, y, epochs, lr)
    if run["losses"] is None or len(run["losses"]) != epochs:
        fail(f"train returned {run['returned']} for epochs={epochs}; expected {epochs} losses")
    got = as_array(run["losses"], "the losses train returned", (epochs,))
    rtol = exercise.thresholds["loss_rtol"]
    seen = {"before": run["before"], "x": x, "y": y, "epochs": epochs, "lr": lr, "losses": got}
    with diagnosed(seen, loss_is_a_sum, gradients_never_cleared):
        _judge_sgd(run, got, want, w, b, epochs, lr, rtol)


def _judge_sgd(run, got, want, w, b, epochs, lr, rtol):
    for t in range(epochs):
        if not abs(got[t] - want[t]) <= rtol * abs(want[t]) + 1e-6:
            fail(f"losses[{t}] = {fmt(got[t])}; plain SGD with lr = {lr} on the mean squared "
                 f"error, from the model's own starting weights, gives {fmt(want[t])}")
    after = np.concatenate([np.ravel(run["after"]["linear.weight"]),
                            np.ravel(run["after"]["linear.bias"])])
    if not np.allclose(after, np.concatenate([w.ravel(), b.ravel()]), rtol=1e-3, atol=1e-4):
        fail(f"after {epochs} epochs the model has (w, b) = {np.round(after, 4).tolist()}; "
             f"plain SGD gives {np.round([w.item(), b.item()], 4).tolist()}")


def test_state_dict_of_random_features(student, rng, exercise):
    """With 2 to 5 input features, the saved state_dict and the reloaded model are right"""
    k, n = int(rng.integers(2, 6)), 100
    x = rng.uniform(-1, 1, (n, k))
    y = x @ rng.uniform(-2, 2, (k, 1)) + rng.uniform(-2, 2) + rng.normal(0, 0.1, (n, 1))
    x_new = rng.uniform(-1, 1, (5, k))
    run = student.probe("save_and_reload", x, y, x_new, epochs=FEATURE_EPOCHS,
                        learning_rate=LR)
    state = public.judge_state_dict(run, k)
    got = public.predicted(run, len(x_new))
    rows = [f"row {i} of new {k}-feature data" for i in range(5)]
    public.judge_prediction(got, least_squares(x, y, x_new), exercise.thresholds["pred_tol"],
                            rows)
    public.judge_prediction(got, public.predict_from(state, x_new), 1e-4, rows)
