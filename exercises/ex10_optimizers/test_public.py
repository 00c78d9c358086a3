"""Public checks for ex10: each optimizer on a two-parameter bowl, and the four side by side on
Morvan's comparison (a net with 20 hidden units fitting y = x^2 + noise in mini-batches of 32),
each step compared with torch.optim's own optimizer from the same start.

torch.optim's runs are made here, in the grader: `reference` runs the probe functions of
probes.py with torch.optim in place of the submission. `judge_steps`, `reference` and the
hyperparameters are shared with test_hidden.py.

The causes (grader.grading.checks.cause) recognise ex10's usual mistakes the same way: when a run parts
from torch's, the probe runs again here with an optimizer that makes one known mistake (a step
up the gradient, a velocity that is not carried over, no bias correction, ...); the mistake
whose run the student's matches is the cause.
"""
import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch

from grader.grading.checks import as_array, cause, diagnosed, fail, fmt

NAMES = ("SGD", "Momentum", "RMSprop", "Adam")
# The notes' comparison: LR = 0.01, SGD(momentum=0.8), RMSprop(alpha=0.9), Adam(betas=(0.9, 0.99))
NOTES_HYPER = {
    "SGD": {"lr": 0.01},
    "Momentum": {"lr": 0.01, "momentum": 0.8},
    "RMSprop": {"lr": 0.01, "alpha": 0.9, "eps": 1e-8},
    "Adam": {"lr": 0.01, "betas": [0.9, 0.99], "eps": 1e-8},
}
TORCH_NAMES = {"SGD": "torch.optim.SGD", "Momentum": "torch.optim.SGD(momentum=...)",
               "RMSprop": "torch.optim.RMSprop", "Adam": "torch.optim.Adam"}
TORCH = SimpleNamespace(
    SGD=lambda params, lr: torch.optim.SGD(params, lr=lr),
    Momentum=lambda params, lr, momentum: torch.optim.SGD(params, lr=lr, momentum=momentum),
    RMSprop=lambda params, lr, alpha, eps: torch.optim.RMSprop(params, lr=lr, alpha=alpha,
                                                               eps=eps),
    Adam=lambda params, lr, betas, eps: torch.optim.Adam(params, lr=lr, betas=tuple(betas),
                                                         eps=eps),
)
RTOL, ATOL = 1e-5, 1e-7      # float64 throughout: only rounding may differ from torch's
BOWL = {"start": [0.0, 0.0], "centre": [3.0, -1.0], "curvature": [[0.5, 0.0], [0.0, 5.0]]}
BOWL_LR, BOWL_STEPS = 0.05, 40


def _probes():
    namespace = {"device": "cpu", "__name__": "ex10_trusted_probes"}
    path = Path(__file__).with_name("probes.py")
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    return namespace


PROBES = _probes()


def _plain(value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def reference(probe, name, *args):
    """What the probe `probe` records with torch.optim's `name` in place of the student's."""
    return _plain(PROBES[probe](TORCH, name, *args))


class _ByHand:
    """An optimizer with one known mistake: `rule(p, g, state, hyper)` updates p in place;
    state["t"] counts this tensor's steps from 1. Or torch's own with `clears=False`: a
    zero_grad() that does nothing."""

    def __init__(self, params, rule, hyper, clears=True, inner=None):
        self.params, self.rule, self.hyper, self.clears = list(params), rule, hyper, clears
        self.state = [{"t": 0} for _ in self.params]
        self.inner = inner

    def zero_grad(self):
        if self.clears:
            for p in self.params:
                p.grad = None

    @torch.no_grad()
    def step(self):
        if self.inner is not None:
            return self.inner.step()
        for p, st in zip(self.params, self.state):
            if p.grad is not None:
                st["t"] += 1
                self.rule(p, p.grad, st, self.hyper)


def _sgd_up(p, g, st, h):
    p += h["lr"] * g


def _plain_sgd(p, g, st, h):
    p -= h["lr"] * g


def _rms_square_of_mean(p, g, st, h):
    s = st.setdefault("s", torch.zeros_like(p))
    s.mul_(h["alpha"]).add_((1 - h["alpha"]) * g)
    p -= h["lr"] * g / (s.abs() + h["eps"])


def _adam_no_bias(p, g, st, h):
    b1, b2 = h["betas"]
    m, v = st.setdefault("m", torch.zeros_like(p)), st.setdefault("v", torch.zeros_like(p))
    m.mul_(b1).add_((1 - b1) * g)
    v.mul_(b2).add_((1 - b2) * g * g)
    p -= h["lr"] * m / (v.sqrt() + h["eps"])


def _adam_eps_inside(p, g, st, h):
    b1, b2 = h["betas"]
    m, v = st.setdefault("m", torch.zeros_like(p)), st.setdefault("v", torch.zeros_like(p))
    m.mul_(b1).add_((1 - b1) * g)
    v.mul_(b2).add_((1 - b2) * g * g)
    t = st["t"]
    p -= h["lr"] * (m / (1 - b1 ** t)) / (v / (1 - b2 ** t) + h["eps"]).sqrt()


def _rms_eps_inside(p, g, st, h):
    s = st.setdefault("s", torch.zeros_like(p))
    s.mul_(h["alpha"]).add_((1 - h["alpha"]) * g * g)
    p -= h["lr"] * g / (s + h["eps"]).sqrt()


COMMON_EPS = (1e-8, 1e-7, 1e-6, 1e-10, 1e-5, 1e-4)


def _own_eps(name, eps):
    return SimpleNamespace(**{name: lambda params, **h: getattr(TORCH, name)(
        params, **dict(h, eps=eps))})


def _mistake(name, rule):
    return SimpleNamespace(**{name: lambda params, **h: _ByHand(params, rule, h)})


def _notes_hyper(name):
    fixed = {k: v for k, v in NOTES_HYPER[name].items() if k != "lr"}
    return SimpleNamespace(**{name: lambda params, **h: getattr(TORCH, name)(
        params, **dict(h, **fixed))})


def _never_cleared(name):
    return SimpleNamespace(**{name: lambda params, **h: _ByHand(
        params, None, h, clears=False, inner=getattr(TORCH, name)(params, **h))})


def _leaves(value):
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _leaves(v)]
    return [np.ravel(np.asarray(value, dtype=np.float64))]


def _run(seen, optimizers):
    ran = _plain(PROBES[seen["probe"]](optimizers, seen["name"], *seen["args"]))[seen["key"]]
    return np.concatenate(_leaves(ran))


def _same_run(seen, optimizers):
    """Does the student's run match the probe's run with these optimizers, where that run
    differs from torch.optim's own (a mistake this setting cannot show is no diagnosis)?"""
    got, want = np.concatenate(_leaves(seen["got"])), _run(seen, optimizers)
    if got.shape != want.shape or not np.allclose(got, want, rtol=RTOL, atol=ATOL):
        return False
    right = _run(seen, TORCH)  # the judge's own tolerance: what it could tell apart
    return right.shape != want.shape or not np.allclose(right, want, rtol=RTOL, atol=ATOL)


@cause("Your SGD steps up the gradient and climbs the loss: step against it, "
       "p -= lr * p.grad.")
def sgd_steps_uphill(seen):
    return seen["name"] == "SGD" and _same_run(seen, _mistake("SGD", _sgd_up))


@cause("Your Momentum starts a fresh velocity at every step, so it is plain SGD: create one "
       "velocity per tensor in __init__ and carry each tensor's own velocity over to the next "
       "step, v = momentum * v + grad.")
def velocity_not_carried(seen):
    return seen["name"] == "Momentum" and _same_run(seen, _mistake("Momentum", _plain_sgd))


@cause("Your RMSprop squares the running mean of the gradients; it must average the squares "
       "of the gradients: s = alpha * s + (1 - alpha) * grad**2.")
def square_of_the_mean(seen):
    return seen["name"] == "RMSprop" and _same_run(seen, _mistake("RMSprop", _rms_square_of_mean))


@cause("Your Adam skips the bias correction: divide m by (1 - b1**t) and v by (1 - b2**t), "
       "with t each tensor's step count from 1, before p -= lr * m_hat / (sqrt(v_hat) + eps).")
def no_bias_correction(seen):
    return seen["name"] == "Adam" and _same_run(seen, _mistake("Adam", _adam_no_bias))


@cause("Your eps sits inside the square root: add it after, p -= lr * m_hat / (sqrt(v_hat) + eps) "
       "for Adam, p -= lr * grad / (sqrt(s) + eps) for RMSprop, as torch.optim does.")
def eps_inside_sqrt(seen):
    return _eps_mistakes(seen) == {"inside"}


@cause("Your optimizer uses an eps of its own: use the eps you are given (self.eps = eps), "
       "which the checks change.")
def ignores_the_given_eps(seen):
    return _eps_mistakes(seen) == {"own"}


def _eps_mistakes(seen):
    """Which of the two eps mistakes the run matches; where a setting cannot tell them apart
    (both match), neither is named."""
    if seen["name"] not in ("Adam", "RMSprop"):
        return set()
    rule = {"Adam": _adam_eps_inside, "RMSprop": _rms_eps_inside}[seen["name"]]
    given = seen["args"][0].get("eps")
    found = {"inside"} if _same_run(seen, _mistake(seen["name"], rule)) else set()
    if any(_same_run(seen, _own_eps(seen["name"], eps)) for eps in COMMON_EPS
           if given is None or not math.isclose(eps, given, rel_tol=1e-6)):
        found.add("own")
    return found


@cause("Your optimizer uses the notes' hyperparameters whatever it is given: use the momentum, "
       "alpha, betas and eps you are given.")
def notes_hyperparameters(seen):
    return seen["name"] != "SGD" and _same_run(seen, _notes_hyper(seen["name"]))


@cause("zero_grad() leaves the gradients in place, so backward() adds to them and every step "
       "uses the sum of all gradients so far: for each tensor's .grad, set it to None.")
def gradients_never_cleared(seen):
    return seen["probe"] != "feed" and _same_run(seen, _never_cleared(seen["name"]))


CAUSES = (sgd_steps_uphill, velocity_not_carried, square_of_the_mean, no_bias_correction,
          notes_hyperparameters, ignores_the_given_eps, eps_inside_sqrt, gradients_never_cleared)


def run_seen(probe, name, args, got, key):
    """What the causes need to rerun the probe with a mistaken optimizer."""
    return {"probe": probe, "name": name, "args": args, "got": got, "key": key}


def described(name, hyper):
    """Adam(lr=0.05, betas=(0.9, 0.99), eps=1.000e-08)"""
    value = lambda v: f"({', '.join(fmt(b) for b in v)})" if isinstance(v, list) else fmt(v)
    return f"{name}({', '.join(f'{k}={value(v)}' for k, v in hyper.items())})"


def judge_steps(name, hyper, got, want, what, steps_of=lambda t: t + 1, seen=None):
    """got[t] and want[t] (a tensor, or a list of tensors) agree at every step t, to rounding;
    the message names the first step where they part. `seen` (run_seen): for the causes."""
    with diagnosed(seen, *CAUSES):
        _judge_steps(name, hyper, got, want, what, steps_of)


def _judge_steps(name, hyper, got, want, what, steps_of):
    for t, (g_t, w_t) in enumerate(zip(got, want)):
        g_list, w_list = (g_t, w_t) if isinstance(w_t, list) else ([g_t], [w_t])
        for k, (g, w) in enumerate(zip(g_list, w_list)):
            w = np.asarray(w, dtype=np.float64)
            g = as_array(g, f"{what} at step {steps_of(t)}")
            if g.size == w.size:  # the wire sends a 0-d tensor as shape (1,)
                g = g.reshape(w.shape)
            g = as_array(g, f"{what} at step {steps_of(t)}", w.shape)
            off = ~np.isfinite(g) | (np.abs(g - w) > ATOL + RTOL * np.abs(w))
            if off.any():
                i = np.unravel_index(int(np.argmax(np.where(off, np.abs(g - w), 0))), w.shape)
                which = (f"tensor {k}" if len(w_list) > 1 else what) + \
                        (f"[{', '.join(map(str, i))}]" if i else "")
                fail(f"{described(name, hyper)}: after step {steps_of(t)}, {which} = "
                     f"{fmt(g[i])}; {TORCH_NAMES[name]} gives {fmt(w[i])} from the same start "
                     f"and gradients")
    if len(got) != len(want):
        fail(f"{described(name, hyper)}: {len(got)} steps recorded; expected {len(want)}")


def bowl_check(student, report, name):
    hyper = dict(NOTES_HYPER[name], lr=BOWL_LR)
    args = (hyper, BOWL["start"], BOWL["centre"], BOWL["curvature"], BOWL_STEPS)
    got, want = student.probe("descend", name, *args), reference("descend", name, *args)
    mine = np.asarray(got["w"], dtype=float) if len(got["w"]) else np.zeros((0, 2))
    ours = np.asarray(want["w"])
    report.plot(f"{name} on 0.5 (w0 - 3)^2 + 5 (w1 + 1)^2 from (0, 0): the path of w",
                {"data: your steps": {"x": mine[:, 0].tolist(), "y": mine[:, 1].tolist()},
                 TORCH_NAMES[name]: {"x": ours[:, 0].tolist(), "y": ours[:, 1].tolist()}},
                kind="scatter+line", xlabel="w0", ylabel="w1")
    judge_steps(name, hyper, got["w"], want["w"], "w", steps_of=lambda t: t,
                seen=run_seen("descend", name, args, got["w"], "w"))


def test_sgd_on_the_bowl(student, report):
    """SGD(lr=0.05) takes the same 40 steps as torch.optim.SGD on a two-parameter bowl"""
    bowl_check(student, report, "SGD")


def test_momentum_on_the_bowl(student, report):
    """Momentum(lr=0.05, momentum=0.8) takes the same 40 steps as torch.optim.SGD with momentum"""
    bowl_check(student, report, "Momentum")


def test_rmsprop_on_the_bowl(student, report):
    """RMSprop(lr=0.05, alpha=0.9) takes the same 40 steps as torch.optim.RMSprop on the bowl"""
    bowl_check(student, report, "RMSprop")


def test_adam_on_the_bowl(student, report):
    """Adam(lr=0.05, betas=(0.9, 0.99)) takes the same 40 steps as torch.optim.Adam on the bowl"""
    bowl_check(student, report, "Adam")


def notes_comparison():
    """Morvan's data, a fixed start for the net's weights, and 3 epochs of shuffled batches of 32."""
    rng = np.random.default_rng(1)
    x = np.linspace(-1, 1, 1000).reshape(-1, 1)
    y = x ** 2 + 0.1 * rng.normal(size=x.shape)
    weights = [rng.uniform(-1, 1, (20, 1)), rng.uniform(-1, 1, 20),
               rng.uniform(-0.2, 0.2, (1, 20)), rng.uniform(-0.2, 0.2, 1)]
    order = np.concatenate([rng.permutation(len(x)) for _ in range(3)])
    batches = [order[i:i + 32] for i in range(0, len(order), 32)]
    return x, y, weights, batches


def test_optimizers_train_the_notes_net_like_torch(student, report):
    """All four train the notes' net on y = x^2 + noise batch by batch with torch.optim's losses"""
    x, y, weights, batches = notes_comparison()
    args = (x.tolist(), y.tolist(), [w.tolist() for w in weights],
            [b.tolist() for b in batches])
    runs = {name: (student.probe("train_net", name, NOTES_HYPER[name], *args),
                   reference("train_net", name, NOTES_HYPER[name], *args)) for name in NAMES}
    for who, k in (("yours", 0), ("torch.optim's", 1)):
        report.plot(f"the notes' comparison, {who}: the loss of each batch of 32",
                    {name: {"y": list(run[k]["losses"])} for name, run in runs.items()},
                    xlabel="step", ylabel="loss", log_y=True)
    for name, (got, want) in runs.items():
        judge_steps(name, NOTES_HYPER[name], got["losses"], want["losses"],
                    "the batch's loss", steps_of=lambda t: t,
                    seen=run_seen("train_net", name, (NOTES_HYPER[name], *args), got["losses"],
                                  "losses"))
