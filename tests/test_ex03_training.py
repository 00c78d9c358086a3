"""ex03's training check on trainings run here, in the test process: the probe's trace of
fit_torch (exercises/ex03_cubic/probes.py) judged by the hidden check's recomputation from the
data and its replay with torch.optim. Honest variants of a training (any element-wise
torch.optim optimizer, mean or summed loss, a schedule, clipping, the parameters in any order,
one the model never uses, two optimizers in turn) pass; trainings that are not on the data fail
with the reason."""
from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from conftest import EXERCISES
from grader.grading.checks import CheckFailed, sibling

HIDDEN = sibling(str(EXERCISES / "ex03_cubic" / "test_hidden.py"), "test_hidden")
STEPS = 200


def _probes():
    path = EXERCISES / "ex03_cubic" / "probes.py"
    namespace = {"device": "cpu", "__name__": "ex03_probes_here"}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    return namespace


PROBES = _probes()


def _data():
    rng = np.random.default_rng(3)
    x = np.sort(rng.uniform(-2.5, 2.5, 400))
    y = 0.5 - x + 0.8 * x ** 2 + 0.3 * x ** 3 + rng.normal(0, 0.1, x.size)
    return x.astype(np.float32).astype(np.float64), y.astype(np.float32).astype(np.float64)


def _params(order="abcd"):
    torch.manual_seed(0)
    p = {k: torch.nn.Parameter(torch.randn(())) for k in "abcd"}
    return p, [p[k] for k in order]


def _cubic(p, x, terms="abcd"):
    powers = {"a": 0, "b": 1, "c": 2, "d": 3}
    return sum(p[k] * x ** powers[k] for k in terms)


def _train(make, loss_of=lambda p, x, y: torch.mean((_cubic(p, x) - y) ** 2), order="abcd",
           clip=None, schedule=None, then=None, meddle=None):
    def fit_torch(x, y):
        p, params = _params(order)
        optimizer = make(params)
        sched = schedule(optimizer) if schedule else None
        for k in range(STEPS):
            if then is not None and k == STEPS // 2:
                optimizer = then(params)
            optimizer.zero_grad()
            loss = loss_of(p, x, y)
            loss.backward()
            if clip is not None:
                torch.nn.utils.clip_grad_norm_(params, clip)
            if meddle is not None:
                meddle(p)
            optimizer.step()
            if sched is not None:
                sched.step()
        return tuple(p[k].item() for k in "abcd")
    return fit_torch


def _judge(fit_torch):
    x, y = _data()
    run = PROBES["fit"](SimpleNamespace(fit_torch=fit_torch), "fit_torch", x, y)
    losses = np.asarray(run["losses"], dtype=np.float64)
    HIDDEN.trained_by_the_steps(run, losses)
    powers = HIDDEN.trained_on_the_data(run, losses, x, y)
    HIDDEN.replayed_by_torch_optim(run, powers)
    return powers


HONEST = {
    "Adam, mean, a step schedule": _train(
        lambda ps: torch.optim.Adam(ps, lr=0.05),
        schedule=lambda o: torch.optim.lr_scheduler.StepLR(o, 100, gamma=0.5)),
    "RMSprop as the notes, clipped": _train(lambda ps: torch.optim.RMSprop(ps, lr=0.01),
                                            clip=1.0),
    "SGD with Nesterov momentum on the summed loss": _train(
        lambda ps: torch.optim.SGD(ps, lr=2e-6, momentum=0.9, nesterov=True),
        loss_of=lambda p, x, y: torch.sum((_cubic(p, x) - y) ** 2)),
    "AdamW, parameters held highest power first": _train(
        lambda ps: torch.optim.AdamW(ps, lr=0.05, weight_decay=0.01), order="dcba"),
    "Adam, then SGD": _train(lambda ps: torch.optim.Adam(ps, lr=0.05),
                             then=lambda ps: torch.optim.SGD(ps, lr=1e-3)),
    "a forward that forgets d x^3 (d never gets a gradient)": _train(
        lambda ps: torch.optim.Adam(ps, lr=0.05),
        loss_of=lambda p, x, y: torch.mean((_cubic(p, x, "abc") - y) ** 2)),
    "one-cycle: lr and momentum change at every step": _train(
        lambda ps: torch.optim.SGD(ps, lr=1e-3, momentum=0.9),
        schedule=lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=2e-3,
                                                               total_steps=STEPS)),
}


@pytest.mark.parametrize("name", sorted(HONEST))
def test_an_honest_training_passes(name):
    powers = _judge(HONEST[name])
    assert sorted(e for e in powers if e is not None) == ([0, 1, 2] if "forgets" in name
                                                          else [0, 1, 2, 3])


def _answer(x, y):
    v = torch.stack([torch.ones_like(x), x, x ** 2, x ** 3], 1).double()
    return torch.linalg.lstsq(v, y.double().unsqueeze(1)).solution.squeeze(1).float()


def _fake_gradient(p):
    for k, v in zip("abcd", (0.5, -1.0, 0.8, 0.3)):
        p[k].grad = 2 * (p[k].detach() - v)


class _Halfway(torch.optim.SGD):
    @torch.no_grad()
    def step(self, closure=None):
        for q, v in zip(self.param_groups[0]["params"], (0.5, -1.0, 0.8, 0.3)):
            q.add_(0.5 * (v - q))


CHEATS = {
    "the distance to the answer as the loss": (_train(
        lambda ps: torch.optim.SGD(ps, lr=0.05),
        loss_of=lambda p, x, y: sum((p[k] - v) ** 2 for k, v in zip("abcd", _answer(x, y)))),
        "not the squared error"),
    "the data's loss on a few other points": (_train(
        lambda ps: torch.optim.Adam(ps, lr=0.05),
        loss_of=lambda p, x, y: torch.mean((_cubic(p, x[::50] * 0.5) - y[::50]) ** 2)),
        "squared error"),
    "real losses, fake gradients": (_train(lambda ps: torch.optim.SGD(ps, lr=0.05),
                                           meddle=_fake_gradient), "gradient of the data"),
    "an optimizer subclass that walks to the answer": (_train(
        lambda ps: _Halfway(ps, lr=0.05)), "replayed here"),
    "mini-batches (not the exercise's training)": (_train(
        lambda ps: torch.optim.Adam(ps, lr=0.05),
        loss_of=lambda p, x, y: torch.mean((_cubic(p, x[:64]) - y[:64]) ** 2)),
        "squared error"),
}


@pytest.mark.parametrize("name", sorted(CHEATS))
def test_a_training_not_on_the_data_fails_with_its_reason(name):
    fit_torch, words = CHEATS[name]
    with pytest.raises(CheckFailed) as failed:
        _judge(fit_torch)
    assert words in str(failed.value), str(failed.value)


def test_a_closure_optimizer_cannot_be_followed_and_fails():
    """LBFGS calls backward() inside step(): no step's gradients or loss can be placed. The
    README says so; the notes' and the hints' optimizers are all replayable."""
    def fit_torch(x, y):
        p, params = _params()
        optimizer = torch.optim.LBFGS(params, lr=0.5, max_iter=4)
        for _ in range(20):
            def closure():
                optimizer.zero_grad()
                loss = torch.mean((_cubic(p, x) - y) ** 2)
                loss.backward()
                return loss
            optimizer.step(closure)
        return tuple(p[k].item() for k in "abcd")
    with pytest.raises(CheckFailed) as failed:
        _judge(fit_torch)
    assert "fit_torch" in str(failed.value), str(failed.value)


def test_the_float32_rounding_bound_holds_at_the_optimum():
    """Near the answer the loss is tiny and float32 rounding is all that differs."""
    x, y = _data()
    quad = HIDDEN._Quadratic(x, y)
    best = np.linalg.lstsq(np.vander(x, 4, increasing=True), y, rcond=None)[0]
    coefs = best[None, :] * (1 + np.array([[0.0], [1e-6]]))
    x32, y32 = torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)
    for c in coefs:
        p = {k: torch.tensor(float(v)) for k, v in zip("abcd", c)}
        got = float(torch.mean((_cubic(p, x32) - y32) ** 2))
        want = float(quad.loss(c[None, :])[0])
        assert math.isclose(got, want, rel_tol=1e-3, abs_tol=float(quad.loss_rounding(
            c[None, :])[0])), (got, want)
