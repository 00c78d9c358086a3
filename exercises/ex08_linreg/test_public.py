"""Public checks for ex08: the notes' line y = 2x from x = 1, 2, 3, and the notes' cubic features.

The saved file comes back from the sandbox as bytes and is opened here, in the grader, only with
torch.load(..., weights_only=True): never a pickle of arbitrary classes. `load_safely`,
`judge_state_dict`, `judge_prediction`, `plot_fit` and `predict_from` are shared with
test_hidden.py.
"""
import io
import math
import re
import zipfile

import numpy as np
import torch

from grader.grading import explain, trajectory
from grader.grading.checks import (as_array, cause, diagnosed, expect_close, expect_converged, fail, fmt,
                           returned_none, series)

KEYS = ("linear.bias", "linear.weight")
MAX_UNPACKED_BYTES = 1 << 20   # a LinearRegression's state_dict takes about 1.5 KB
NOTES_X = [[1.0], [2.0], [3.0]]
NOTES_Y = [[2.0], [4.0], [6.0]]
NOTES_EPOCHS, NOTES_LR = 200, 0.1        # the notes stop at 40 epochs, still about 0.1 short
CUBIC_EPOCHS, CUBIC_LR = 2000, 0.005     # x^3 reaches 31 on [-pi, pi]: a small rate


def first_sentence(error):
    """`UnpicklingError: Weights only load failed`: torch's own message, without its advice
    (and the terminal colour codes in it)."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(error)).strip()
    sentence = re.split(r"[.\n]", text)[0][:160]
    return f"{type(error).__name__}: {sentence}"


def check_archive(data):
    """torch.save's default format is a zip of uncompressed entries. Anything else (a
    compressed entry could unpack to gigabytes, the legacy format declares its own storage
    sizes) is refused before torch.load sees it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        fail("the file train_and_save wrote is not in torch.save's format (a zip archive); "
             "expected torch.save(model.state_dict(), path)")
    if any(e.compress_type != zipfile.ZIP_STORED for e in entries) \
            or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
        fail("the file train_and_save wrote has compressed or oversized entries; expected "
             "what torch.save(model.state_dict(), path) writes")


def load_safely(raw):
    """The saved file's contents, read with weights_only=True (tensors and plain containers
    only), or a failure saying why it could not be read that way."""
    data = np.asarray(raw, dtype=np.uint8).tobytes()
    check_archive(data)
    try:
        return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as e:
        fail(f"torch.load(path, weights_only=True) cannot read the file train_and_save wrote "
             f"({first_sentence(e)}); expected "
             f"torch.save(model.state_dict(), path): a saved whole model "
             f"(torch.save(model, path)) needs its class unpickled, which safe loading refuses")


def judge_state_dict(run, in_features):
    """train_and_save wrote a state_dict that loads safely, with exactly linear.weight
    (1 x in_features) and linear.bias (1), holding the returned model's trained values."""
    if run["train_error"]:
        fail(f"train_and_save raised {run['train_error']}",
             explain.as_cause(run["train_error"], run.get("train_line")))
    if run["file"] is None:
        fail("train_and_save wrote no file at the path it was given" if not run["file_bytes"]
             else f"train_and_save wrote {run['file_bytes']} bytes; a LinearRegression's "
                  f"state_dict takes about 1.5 KB")
    state = load_safely(run["file"])
    if not isinstance(state, dict):
        fail(f"the saved file holds a {type(state).__name__}; expected the dict "
             f"model.state_dict()")
    keys = sorted(str(k) for k in state)
    if keys != list(KEYS):
        fail(f"the saved state_dict has the keys {', '.join(keys) or 'none'}; expected "
             f"linear.bias and linear.weight (self.linear = torch.nn.Linear(in_features, 1))")
    shapes = {"linear.weight": (1, in_features), "linear.bias": (1,)}
    for key, shape in shapes.items():
        if not isinstance(state[key], torch.Tensor) or tuple(state[key].shape) != shape:
            fail(f"the saved {key} is {describe(state[key])}; expected a tensor of shape {shape}")
    if run["model"] is None:
        fail("train_and_save did not return the model; expected the trained LinearRegression")
    for key in shapes:
        saved = state[key].detach().to(torch.float64).numpy()
        trained = np.asarray(run["model"].get(key, np.nan), dtype=np.float64)
        if saved.shape != trained.shape or not np.allclose(saved, trained, rtol=1e-6,
                                                            atol=1e-7, equal_nan=True):
            fail(f"the saved {key} is {np.round(saved, 4).tolist()}; the model train_and_save "
                 f"returned has {np.round(trained, 4).tolist()}: save after training",
                 saved_before_training)
    return state


@cause("train_and_save saves the model before it trains it: the file holds the random starting "
       "weights. Call train(...) first, then torch.save(model.state_dict(), path).")
def saved_before_training(_):
    return True


def describe(value):
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    return type(value).__name__


def predict_from(state, x):
    """What the saved parameters predict for x: x W^T + b, in float64, here in the grader."""
    w = state["linear.weight"].detach().to(torch.float64).numpy()
    b = state["linear.bias"].detach().to(torch.float64).numpy()
    return np.asarray(x, dtype=np.float64) @ w.T + b


def predicted(run, n):
    """load_and_predict's answer: n predictions, shape (n, 1)."""
    if run["train_error"]:
        fail(f"train_and_save raised {run['train_error']}",
             explain.as_cause(run["train_error"], run.get("train_line")))
    if run["predict_error"]:
        fail(f"load_and_predict raised {run['predict_error']}",
             explain.as_cause(run["predict_error"], run.get("predict_line")))
    if run["predicted"] is None:
        fail("load_and_predict returned no tensor; expected model(x), shape (n, 1)")
    return as_array(run["predicted"], "load_and_predict(path, x)", (n, 1))


def judge_prediction(got, want, tol, at):
    """Each prediction within tol of the expected one."""
    for g, w, where in zip(np.ravel(got), np.ravel(want), at):
        expect_close(f"the prediction at {where}", g, float(w), tol=tol,
                     after="after loading the saved model")


def plot_fit(report, title, x, y, grid, line):
    report.plot(title, {"data": {"x": np.ravel(x).tolist(), "y": np.ravel(y).tolist()},
                        "fitted line": {"x": np.ravel(grid).tolist(),
                                        "y": np.ravel(line).tolist()}},
                kind="scatter+line", xlabel="x", ylabel="y")


def plot_losses(report, title, losses):
    losses = np.asarray(losses, dtype=np.float64)
    if losses.ndim == 1 and losses.size:
        report.plot(title, {"loss": series(losses)}, xlabel="epoch", ylabel="loss", log_y=True)


# On the notes' line (well conditioned: a right fit has converged long before the end) a
# training that was still falling when it stopped is sure to be too slow.
SURE = trajectory.SURE
ON_THE_LINE = SURE + (trajectory.TOO_SLOW,)
fit_went_wrong = trajectory.FIT_WENT_WRONG


def notes_run(student, x_new):
    return student.probe("save_and_reload", NOTES_X, NOTES_Y, x_new, epochs=NOTES_EPOCHS,
                         learning_rate=NOTES_LR)


def test_linear_regression_is_one_linear_layer(student):
    """LinearRegression(k) holds one torch.nn.Linear(k, 1) named linear and computes x W^T + b"""
    rng = np.random.default_rng(8)
    for k in (1, 3):
        x = rng.uniform(-3, 3, (5, k)).astype(np.float32)
        run = student.probe("new_model", k, x)
        params = run["parameters"] or {}
        shapes = {name: tuple(np.shape(v)) for name, v in params.items()}
        want = {"linear.weight": (1, k), "linear.bias": (1,)}
        if shapes != want:
            seen = ", ".join(f"{n} {s}" for n, s in sorted(shapes.items())) or "no parameters"
            fail(f"LinearRegression({k}) has the parameters {seen}; expected linear.weight "
                 f"(1, {k}) and linear.bias (1,): self.linear = torch.nn.Linear({k}, 1)")
        if run["y"] is None:
            fail(f"LinearRegression({k})(x) returned {run['y_type']}; expected a tensor")
        got = as_array(run["y"], f"LinearRegression({k})(x) for 5 rows", (5, 1))
        state = {n: torch.as_tensor(v) for n, v in params.items()}
        if not np.allclose(got, predict_from(state, x), rtol=1e-5, atol=1e-5):
            fail(f"LinearRegression({k})(x) is not x W^T + b for its own linear.weight and "
                 f"linear.bias: forward should return self.linear(x)")


def test_notes_line_predicts_8_at_x_4(student, exercise, report):
    """Trained on x = 1, 2, 3 -> y = 2, 4, 6, saved and loaded back, the model predicts 8 at 4"""
    grid = np.linspace(0, 5, 51)
    run = notes_run(student, [[4.0]] + [[v] for v in grid])
    plot_losses(report, "train_and_save on x = 1, 2, 3: the loss at each backward()",
                run["losses"])
    with diagnosed(dict(losses=run["losses"], points=len(NOTES_X), kinds=ON_THE_LINE),
                   fit_went_wrong):
        got = predicted(run, 1 + grid.size)
        plot_fit(report, "the loaded model's line over the notes' data", NOTES_X, NOTES_Y, grid,
                 got[1:])
        expect_close("the prediction at x = 4", got[0, 0], 8.0,
                     tol=exercise.thresholds["pred_tol"],
                     after=f"after {NOTES_EPOCHS} epochs, saved and loaded")


def test_saved_file_is_a_state_dict(student):
    """train_and_save writes the trained state_dict, which torch.load(weights_only=True) reads"""
    judge_state_dict(notes_run(student, [[4.0]]), 1)


def test_reloaded_model_predicts_the_same(student):
    """load_and_predict gives exactly what the trained model predicted before it was saved"""
    x_new = np.linspace(-2, 6, 9).reshape(-1, 1)
    run = notes_run(student, x_new)
    got = predicted(run, len(x_new))
    if run["model_predicts"] is None:
        fail("train_and_save did not return the model; expected the trained LinearRegression")
    before = np.asarray(run["model_predicts"], dtype=np.float64).reshape(-1)
    off = np.abs(got.reshape(-1) - before) > 1e-5 + 1e-5 * np.abs(before)
    if off.any():
        i = int(np.argmax(off))
        fail(f"at x = {fmt(float(x_new[i, 0]))} the loaded model predicts {fmt(got[i, 0])}; "
             f"the trained model predicted {fmt(before[i])} before it was saved")


def test_notes_cubic_predicts_34(student, exercise, report):
    """Trained on (x, x^2, x^3) for y = x + 2x^2 + 3x^3, the loaded model says 34 at [2, 4, 8]"""
    x = np.linspace(-math.pi, math.pi, 2000)
    features = np.stack([x, x ** 2, x ** 3], axis=1)
    y = (0 + 1 * x + 2 * x ** 2 + 3 * x ** 3).reshape(-1, 1)
    run = student.probe("save_and_reload", features, y, [[2.0, 4.0, 8.0]],
                        epochs=CUBIC_EPOCHS, learning_rate=CUBIC_LR)
    plot_losses(report, "train_and_save on (x, x^2, x^3): the loss at each backward()",
                run["losses"])
    with diagnosed(dict(losses=run["losses"], points=len(x)), fit_went_wrong):
        got = predicted(run, 1)
        expect_close("the prediction at [2, 4, 8]", got[0, 0], 34.0,
                     tol=exercise.thresholds["cubic_tol"],
                     after=f"after {CUBIC_EPOCHS} epochs at learning rate {CUBIC_LR}")


def test_train_returns_falling_losses(student, report):
    """train(model, x, y, epochs=50) returns 50 losses that fall towards 0"""
    run = student.probe("train_losses", NOTES_X, NOTES_Y, epochs=50, learning_rate=NOTES_LR)
    if run["losses"] is None:
        fail(f"train returned a {run['returned']}; expected a list of 50 numbers, loss.item() "
             f"of each epoch", returned_none("train(model, x, y)")
             if run["returned"] == "NoneType" else None)
    plot_losses(report, "train on x = 1, 2, 3: the losses it returned", run["losses"])
    if len(run["losses"]) != 50:
        fail(f"train returned {len(run['losses'])} losses for epochs=50; expected one per epoch")
    with diagnosed(dict(losses=run["losses"], points=len(NOTES_X), kinds=ON_THE_LINE),
                   fit_went_wrong):
        expect_converged(run["losses"], below=0.5)
