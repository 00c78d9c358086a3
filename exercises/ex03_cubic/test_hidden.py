"""Hidden checks for ex03: random cubics on random ranges, training with autograd, and a
Polynomial3 that survives a state_dict round trip."""
import itertools
import math

import numpy as np
import torch

from grader.grading.checks import as_array, cause, fail, fmt, sibling

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
    powers = trained_on_the_data(run, losses, x, y)
    replayed_by_torch_optim(run, powers)


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


EPS32 = float(np.finfo(np.float32).eps)
ROUNDING = 16 * EPS32        # a float32 sum of a few terms, with room for the GPU's order
SAMPLE_STEPS = 8             # steps on which the parameters' powers are found


def trained_on_the_data(run: dict, losses: np.ndarray, x: np.ndarray, y: np.ndarray) -> list:
    """Each step's loss (the last backward() before it) and gradients are the data's: recomputed
    here from (x, y) at the parameters recorded just before the step, they match, up to one
    constant factor (mean or sum of the squared errors) and float32 rounding. Which parameter is
    which power of x is found from the losses (the optimizer may hold them in any order; a
    parameter the model never uses has no gradient). Returns those powers."""
    before, grads = run["params_before"], as_array(run["grads"], "the gradients of each step")
    index = as_array(run["replay"]["loss_index"], "which backward() came before each step")
    if grads.shape != before.shape or index.shape != (before.shape[0],) or before.shape[1] > 6:
        fail("fit_torch's gradients could not be followed; expected the four parameters a, b, "
             "c, d in one torch.optim optimizer")
    fresh = np.diff(np.concatenate([[0], index])) > 0
    if not fresh.all():
        k = int(np.argmin(fresh))
        fail(f"fit_torch's optimizer step {k + 1} came without a backward() since the step "
             f"before; expected loss.backward() before every optimizer.step()")
    step_losses = losses[index.astype(int) - 1]
    x, y = (np.asarray(v, np.float32).astype(np.float64) for v in (x, y))  # as the run saw them
    quad = _Quadratic(x, y)
    powers, kappa = quad.powers_of(before, step_losses)
    if powers is None:
        fail(f"the loss fit_torch gave backward() is not the squared error of the cubic on the "
             f"data (x, y) at the parameters of that step: at the first step it was "
             f"{step_losses[0]:.6g}, and the mean squared error of the data there is "
             f"{quad.best_first(before[0]):.6g}; expected loss = mean((model(x) - y) ** 2) on "
             f"the x and y given, not the mean squared error of something else", no_data_loss)
    coefs = before @ quad.matrix(powers).T
    want, tol = kappa * quad.loss(coefs), kappa * quad.loss_rounding(coefs)
    off = np.abs(step_losses - want) > 1e-3 * want + tol
    if off.any():
        k = int(np.argmax(off))
        fail(f"at fit_torch's step {k + 1} the loss given to backward() was {step_losses[k]:.6g}; "
             f"the data's mean squared error at the parameters of that step gives "
             f"{want[k]:.6g}: expected every step to train on the data's loss", no_data_loss)
    _same_gradients(grads, quad, coefs, powers, kappa)
    return powers


def _same_gradients(grads, quad, coefs, powers, kappa):
    """The gradients each step was given: kappa times the data's (or a uniformly shrunk copy,
    as clip_grad_norm_ makes), 0 or none for a parameter the model does not use."""
    true = kappa * quad.gradient(coefs)                                  # (steps, 4) per power
    want = np.stack([true[:, e] if e is not None else np.zeros(len(true)) for e in powers], 1)
    tol = kappa * quad.gradient_rounding(coefs, powers)
    got = np.where(np.isnan(grads), 0.0, grads)
    norm2 = np.maximum((want * want).sum(1), 1e-300)
    shrink = np.clip((got * want).sum(1) / norm2, 0.0, 1.0)[:, None]
    off = np.abs(got - shrink * want) > 1e-3 * np.abs(want) + tol
    if off.any():
        k, j = (int(i) for i in np.unravel_index(int(np.argmax(off)), off.shape))
        fail(f"at fit_torch's step {k + 1} the optimizer was given the gradient {got[k, j]:.6g} "
             f"for its parameter {j}; the gradient of the data's loss there is "
             f"{want[k, j]:.6g}: expected the gradients that loss.backward() leaves, unchanged",
             no_data_loss)


class _Quadratic:
    """The mean squared error of a cubic with coefficients (a, b, c, d) on (x, y), as the
    quadratic form it is (the data is summed once, not at every step)."""

    def __init__(self, x, y):
        self.v = np.vander(x, 4, increasing=True)
        self.gram, self.vy, self.yy = self.v.T @ self.v / len(x), self.v.T @ y / len(x), \
            float(np.mean(y * y))
        self.rms = np.sqrt(np.mean(self.v ** 2, axis=0))          # of 1, x, x^2, x^3
        self.rms_y = math.sqrt(self.yy)

    def matrix(self, powers):
        """(4, n_params): the coefficient of x^e is the sum of the parameters mapped to e."""
        m = np.zeros((4, len(powers)))
        for j, e in enumerate(powers):
            if e is not None:
                m[e, j] = 1.0
        return m

    def loss(self, coefs):
        return np.maximum(np.einsum("ki,ij,kj->k", coefs, self.gram, coefs)
                          - 2 * coefs @ self.vy + self.yy, 0.0)

    def gradient(self, coefs):
        return 2 * (coefs @ self.gram - self.vy)

    def _scale(self, coefs):
        return np.abs(coefs) @ self.rms + self.rms_y            # the size of what is summed

    def loss_rounding(self, coefs):
        s = ROUNDING * self._scale(coefs)
        return 2 * np.sqrt(self.loss(coefs)) * s + s * s

    def gradient_rounding(self, coefs, powers):
        s = ROUNDING * (self._scale(coefs) + np.sqrt(self.loss(coefs)))
        rms = np.array([self.rms[e] if e is not None else 0.0 for e in powers])
        return 2 * s[:, None] * rms[None, :] + 1e-12

    def best_first(self, params):
        """The data's loss at the first step, the parameters read as (a, b, c, d) in order."""
        return float(self.loss((params[None, :4] if params.size >= 4 else
                                np.pad(params, (0, 4 - params.size))[None, :]))[0])

    def powers_of(self, before, losses):
        """The powers of x (0..3, or None: unused) of the parameters, and the constant factor,
        for which the recorded losses are the data's; (None, None) when there are none."""
        picks = np.unique(np.linspace(0, len(before) - 1, SAMPLE_STEPS).astype(int))
        sample, seen = before[picks], losses[picks]
        best, best_spread = (None, None), 1e-2
        for powers in itertools.product((0, 1, 2, 3, None), repeat=before.shape[1]):
            if not any(e == 0 for e in powers) and not any(e == 3 for e in powers):
                continue  # a model with neither a nor d is not a cubic of any kind
            d = self.loss(sample @ self.matrix(powers).T)
            if (d <= 0).any() or (seen <= 0).any():
                continue
            ratio = np.log(seen / d)
            spread = float(ratio.max() - ratio.min())
            if spread < best_spread:
                best, best_spread = (list(powers), float(np.exp(np.median(ratio)))), spread
        return best


@cause("fit_torch must train on the data: each step's loss is mean((model(x) - y) ** 2) on the "
       "x and y it is given, its gradients the ones loss.backward() leaves, and "
       "optimizer.step() a torch.optim optimizer's own; no closed-form answer to move towards.")
def no_data_loss(run):
    return True


def replayed_by_torch_optim(run: dict, powers: list) -> None:
    """Every step is torch.optim's: replayed here with the same optimizer class and settings
    from the recorded parameters and gradients, it lands where the run's step landed."""
    replay = run["replay"]
    before, after = run["params_before"], run["params_after"]
    grads = as_array(run["grads"], "the gradients of each step")
    which, hyper = as_array(replay["which"], "optimizers"), as_array(replay["hyper"], "settings")
    if replay.get("truncated"):
        fail("fit_torch took more optimizer steps than the check follows (50000); expected a "
             "training of a few thousand steps")
    if hyper.ndim != 2 or hyper.shape[0] != before.shape[0]:
        fail("fit_torch's optimizer settings could not be followed; expected torch.optim "
             "optimizers as they are")
    per_tensor = bool(np.isnan(grads).any())
    replayers = [_Replayer(spec, per_tensor) for spec in replay["optimizers"]]
    mine = np.empty_like(after)
    for k in range(len(before)):
        mine[k] = replayers[int(which[k])].step(before[k], grads[k], hyper[k])
    moved, want = after - before, mine - before
    tol = 1e-3 * np.abs(want) + 4 * EPS32 * np.abs(before) + 1e-12
    off = np.abs(moved - want) > tol
    if off.any():
        k, j = (int(i) for i in np.unravel_index(int(np.argmax(off)), off.shape))
        name = replayers[int(which[k])].name
        fail(f"fit_torch's optimizer step {k + 1} moved its parameter {j} by {moved[k, j]:.6g}; "
             f"torch.optim.{name}, replayed here from the same parameters, gradients and "
             f"settings, moves it by {want[k, j]:.6g}: expected the optimizer's own step",
             no_data_loss)


class _Replayer:
    """One of the run's optimizers, rebuilt here from its class name and settings. Every
    optimizer it replays works element by element, so each group is replayed as one flat
    tensor (3x faster), or each tensor flat where some tensors had no gradient (torch.optim
    skips those)."""

    CANNOT = ("LBFGS", "SparseAdam", "Adafactor", "Muon")  # closures, sparse or shaped steps

    def __init__(self, spec, per_tensor):
        name = spec.get("class")
        cls = getattr(torch.optim, name, None) if isinstance(name, str) else None
        if cls is None or not (isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer)) \
                or name in self.CANNOT:
            fail(f"fit_torch's optimizer is {spec.get('own_class')}, whose steps the check "
                 f"cannot replay; expected one of torch.optim's optimizers (SGD, Adam, RMSprop, "
                 f"...) as it is", no_data_loss)
        dtype = getattr(torch, str(spec.get("dtype")), torch.float32)
        self.name, self.layout, self.numbers = name, spec["settings"], None
        groups = [[torch.zeros(math.prod(s), dtype=dtype) for s in shapes] if per_tensor
                  else [torch.zeros(sum(math.prod(s) for s in shapes), dtype=dtype)]
                  for shapes in spec["shapes"]]
        self.tensors = [p for g in groups for p in g]
        self.optimizer = cls([{"params": g} for g in groups], lr=0.0)
        step = type(self.optimizer).step
        self._step = getattr(step, "__wrapped__", step)  # without the hooks and profiler

    def _settings(self, numbers):
        if self.numbers is not None and np.array_equal(numbers, self.numbers):
            return
        self.numbers, at = numbers.copy(), 0
        for group, layout in zip(self.optimizer.param_groups, self.layout):
            for key, (kind, size) in layout.items():
                if kind == "fixed":
                    group[key] = size
                    continue
                values = [float(v) for v in numbers[at:at + size]]
                at += size
                group[key] = (tuple(values) if kind == "tuple" else bool(values[0])
                              if kind == "bool" else int(values[0]) if kind == "int"
                              else values[0])
            group.update(foreach=False, fused=None, capturable=False, differentiable=False)

    def step(self, before, grads, numbers):
        self._settings(numbers)
        at = 0
        with torch.no_grad():
            for p in self.tensors:
                n = p.numel()
                p.copy_(torch.from_numpy(before[at:at + n]))
                g = grads[at:at + n]
                p.grad = None if np.isnan(g).all() else torch.from_numpy(g).to(p.dtype)
                at += n
        self._step(self.optimizer)
        return torch.cat([p.detach().double() for p in self.tensors]).numpy()
