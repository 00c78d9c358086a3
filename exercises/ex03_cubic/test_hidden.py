"""Hidden checks for ex03: random cubics on random ranges, training with autograd, and a
Polynomial3 that survives a state_dict round trip."""
import math
import numpy as np

from grader.checks import as_array, cause, fail, fmt, sibling

# The fit judge is shared with the public checks.
public = sibling(__file__, "test_public")

MIN_STEPS = 10
LOSS_POINTS = 500


def random_problem(rng):
    """A random cubic with noise on a random range [lo, hi], 2 <= -lo, hi <= pi (narrower or
    lopsided ranges make the powers of x so alike that gradient steps pin the coefficients down
    only after many more steps), with a random number of points.
    Rounded to float32, so that fit_numpy and fit_torch see the very same numbers."""
    coefs = rng.uniform(-3, 3, 4)
    lo, hi = -rng.uniform(2.0, math.pi), rng.uniform(2.0, math.pi)
    n = int(rng.integers(500, 3001))
    x = np.sort(rng.uniform(lo, hi, n))
    y = public.cubic(coefs, x) + rng.normal(0, rng.uniform(0.05, 0.5), n)
    x, y = (v.astype(np.float32).astype(np.float64) for v in (x, y))
    best = np.linalg.lstsq(np.vander(x, 4, increasing=True), y, rcond=None)[0]
    return x, y, best


@cause("fit_torch never steps a torch.optim optimizer on gradients from loss.backward(): train "
       "it (loss.backward(), optimizer.step(), optimizer.zero_grad()), no closed-form solution "
       "and no fixed answer.")
def no_training_loop(run):
    return int(run["steps_with_grad"]) < MIN_STEPS


def test_numpy_fits_random_cubic(student, rng, exercise, report):
    """fit_numpy finds the least-squares cubic of random data on a random range"""
    x, y, best = random_problem(rng)
    run = student.probe("fit", "fit_numpy", x, y)
    public.judge_fit(run, "fit_numpy", x, y, best, exercise, report,
                     f"fit_numpy on {len(x)} random points in [{x.min():.2f}, {x.max():.2f}]")


def test_torch_fits_random_cubic(student, rng, exercise, report):
    """fit_torch finds the least-squares cubic of random data on a random range"""
    x, y, best = random_problem(rng)
    run = student.probe("fit", "fit_torch", x, y)
    public.judge_fit(run, "fit_torch", x, y, best, exercise, report,
                     f"fit_torch on {len(x)} random points in [{x.min():.2f}, {x.max():.2f}]")


def test_fit_torch_trains_with_autograd(student, rng, report):
    """fit_torch trains: a torch.optim optimizer steps on gradients from backward()"""
    x, y, _ = random_problem(rng)
    run = student.probe("fit", "fit_torch", x, y)
    losses = as_array(run["losses"], "the recorded losses")
    if losses.ndim == 1 and losses.size:
        keep = np.unique(np.linspace(0, losses.size - 1, LOSS_POINTS).astype(int))
        report.plot("fit_torch: the loss at each backward()",
                    {"loss": {"x": keep.tolist(), "y": losses[keep].tolist()}},
                    xlabel="step", ylabel="loss", log_y=True)
    steps, with_grad = int(run["optimizer_steps"]), int(run["steps_with_grad"])
    if with_grad < MIN_STEPS:
        fail(f"fit_torch took {steps} steps of a torch.optim optimizer, {with_grad} of them with "
             f"gradients from backward(); expected a training loop with at least {MIN_STEPS}",
             no_training_loop)


def test_polynomial3_state_dict_round_trip(student, rng):
    """A Polynomial3's state_dict, saved with torch.save and loaded into a new one, restores it"""
    values = rng.uniform(-3, 3, 4)
    x = np.linspace(-2.0, 2.0, 41)
    run = student.probe("state_dict_round_trip", values.tolist(), x)
    keys = sorted(run["keys"])
    if keys != list(public.NAMES):
        has = f"the keys {', '.join(keys)}" if keys else "no keys"
        fail(f"state_dict() has {has}; expected a, b, c, d (only torch.nn.Parameter "
             f"attributes are saved)")
    for name, got, want in zip(public.NAMES, run["loaded"], values):
        if got is None or not abs(got - want) <= 1e-5 * max(1.0, abs(want)):
            fail(f"after load_state_dict, {name} = {fmt(got)}; expected {fmt(float(want))}, "
                 f"the value saved")
    first = as_array(run["y_first"], "the saved model's prediction", x.shape)
    second = as_array(run["y_second"], "the loaded model's prediction", x.shape)
    if not np.allclose(first, second, rtol=1e-5, atol=1e-5, equal_nan=False):
        i = int(np.argmax(np.abs(first - second)))
        fail(f"the loaded model predicts {fmt(second[i])} at x = {fmt(x[i])}; the saved one "
             f"predicted {fmt(first[i])}")
