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
    trained_by_the_steps(run, losses)


def trained_by_the_steps(run: dict, losses: np.ndarray) -> None:
    """The evidence is the trajectory, not a count of steps: the optimizer's steps move the
    parameters, nothing else moves them between steps, the loss falls, and the answer is where
    the last step left the parameters. (A closed-form fit followed by steps that change nothing
    has the count, and none of this.)"""
    before = as_array(run["params_before"], "the parameters before each step")
    after = as_array(run["params_after"], "the parameters after each step")
    if before.ndim != 2 or before.shape != after.shape or before.shape[0] < MIN_STEPS:
        fail("fit_torch's optimizer steps could not be followed (are a, b, c, d the "
             "parameters you gave the optimizer?); expected a training loop of torch.optim steps")
    moved = np.any(np.abs(after - before) > 1e-12 * (1 + np.abs(before)), axis=1)
    # Late in a float32 training, steps can be too small to change a float32 parameter: a
    # count of moving steps, not a share of them.
    if moved.sum() < MIN_STEPS:
        fail(f"only {int(moved.sum())} of fit_torch's {len(moved)} optimizer steps changed the "
             f"parameters; expected the optimizer to do the fitting")
    jumps = np.abs(before[1:] - after[:-1]).max(initial=0.0)
    scale = 1 + np.abs(after).max(initial=0.0)
    if jumps > 1e-6 * scale:
        fail(f"the parameters changed between optimizer steps (by up to {jumps:.3g}): expected "
             f"only the optimizer's steps to move them")
    if losses.size >= 2 and not losses[-1] <= 0.5 * losses[0]:
        fail(f"fit_torch's loss went from {losses[0]:.4g} to {losses[-1]:.4g}; expected the "
             f"training to bring it down (to half of where it started, at least)")
    returned = run.get("values")
    if returned is not None and after.shape[1] == len(returned):
        gap = np.abs(np.sort(np.asarray(returned, dtype=float)) - np.sort(after[-1])).max()
        if gap > 1e-4 * scale:
            fail(f"fit_torch returned {np.round(returned, 5).tolist()}, but its optimizer's last "
                 f"step left the parameters at {np.round(after[-1], 5).tolist()}; expected the "
                 f"trained parameters")


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
