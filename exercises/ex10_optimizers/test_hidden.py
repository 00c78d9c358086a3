"""Hidden checks for ex10: random hyperparameters, several tensors of random shapes, random
gradients handed to step() directly, a random bowl, zero_grad, and no torch.optim algorithm
inside (the sandbox refuses them: grader/sandbox/skills.py)."""
import numpy as np

from grader.grading.checks import fail, sibling

# The judge and torch.optim's runs are shared with the public checks.
public = sibling(__file__, "test_public")

STEPS = 30


def random_hyper(rng, name):
    """Hyperparameters away from the notes' values, in the ranges people use."""
    hyper = {"lr": float(10 ** rng.uniform(-2.5, -1))}
    if name == "Momentum":
        hyper["momentum"] = float(rng.uniform(0.5, 0.95))
    if name == "RMSprop":
        hyper.update(alpha=float(rng.uniform(0.8, 0.999)), eps=float(10 ** rng.uniform(-8, -6)))
    if name == "Adam":
        hyper.update(betas=[float(rng.uniform(0.75, 0.95)), float(rng.uniform(0.95, 0.999))],
                     eps=float(10 ** rng.uniform(-8, -6)))
    return hyper


def random_shapes(rng):
    """Two or three tensors: a scalar, a vector or a matrix each."""
    pick = [(), (int(rng.integers(2, 6)),), (int(rng.integers(2, 5)), int(rng.integers(2, 5)))]
    return [pick[int(i)] for i in rng.integers(0, 3, int(rng.integers(2, 4)))]


def random_feed(rng, steps=STEPS):
    """Random start values, and random gradients whose size differs from tensor to tensor."""
    shapes = random_shapes(rng)
    starts = [rng.normal(0, 1, s).tolist() for s in shapes]
    scales = 10 ** rng.uniform(-2, 1, len(shapes))
    grads = [[(scale * rng.normal(0, 1, s)).tolist() for s, scale in zip(shapes, scales)]
             for _ in range(steps)]
    return starts, grads


def feed_check(student, rng, name):
    hyper = random_hyper(rng, name)
    starts, grads = random_feed(rng)
    got = student.probe("feed", name, hyper, starts, grads)
    want = public.reference("feed", name, hyper, starts, grads)
    public.judge_steps(name, hyper, got["trajectory"], want["trajectory"], "the tensors",
                       seen=public.run_seen("feed", name, (hyper, starts, grads),
                                            got["trajectory"], "trajectory"))


def test_sgd_random_gradients(student, rng):
    """SGD with a random lr steps like torch.optim.SGD on random tensors and gradients"""
    feed_check(student, rng, "SGD")


def test_momentum_random_gradients(student, rng):
    """Momentum with random lr and momentum steps like torch.optim.SGD(momentum=...)"""
    feed_check(student, rng, "Momentum")


def test_rmsprop_random_gradients(student, rng):
    """RMSprop with random lr, alpha and eps steps like torch.optim.RMSprop"""
    feed_check(student, rng, "RMSprop")


def test_adam_random_gradients(student, rng):
    """Adam with random lr, betas and eps steps like torch.optim.Adam"""
    feed_check(student, rng, "Adam")


def test_optimizers_descend_a_random_bowl(student, rng, report):
    """All four descend a random tilted bowl in 3 to 5 dimensions step for step like torch.optim"""
    n = int(rng.integers(3, 6))
    q, _ = np.linalg.qr(rng.normal(0, 1, (n, n)))
    curvature = q @ np.diag(rng.uniform(0.2, 5.0, n)) @ q.T
    centre, start = rng.uniform(-3, 3, n), rng.uniform(-3, 3, n)
    runs = {}
    for name in public.NAMES:
        hyper = random_hyper(rng, name)
        args = (hyper, start.tolist(), centre.tolist(), curvature.tolist(), 50)
        runs[name] = (hyper, args, student.probe("descend", name, *args),
                      public.reference("descend", name, *args))
    report.plot("a random bowl: your optimizers' loss at each step",
                {name: {"y": list(got["losses"])} for name, (_, _, got, _) in runs.items()},
                xlabel="step", ylabel="loss", log_y=True)
    # Each optimizer's own args for its diagnoses (the loop's last `args` are Adam's: check-bank
    # found SGD's diagnoses raising on Adam's betas).
    for name, (hyper, args, got, want) in runs.items():
        public.judge_steps(name, hyper, got["w"], want["w"], "w", steps_of=lambda t: t,
                           seen=public.run_seen("descend", name, args, got["w"], "w"))


def test_zero_grad_clears_every_gradient(student, rng):
    """zero_grad() leaves every tensor's .grad None or all zeros, for all four optimizers"""
    shapes = random_shapes(rng)
    for name in public.NAMES:
        run = student.probe("zero_grad", name, random_hyper(rng, name), shapes)
        for k, grad in enumerate(run["after"]):
            if grad is not None and np.any(np.asarray(grad) != 0):
                fail(f"{name}.zero_grad() left tensor {k}'s .grad at {np.ravel(grad)[:3]}...; "
                     f"expected None or zeros (torch adds the next backward()'s gradients to it)",
                     public.gradients_never_cleared)


def test_updates_are_written_by_hand(student, rng):
    """step() does the update itself: no torch.optim algorithm runs in 3 steps of each one

    torch.optim's algorithms refuse in this sandbox under every name and route (their files,
    their functional and private forms, the fused kernels: grader/sandbox/skills.py), so a
    route to one raises. Subclassing torch.optim.Optimizer, the base class, is fine."""
    starts, grads = random_feed(rng, steps=3)
    for name in public.NAMES:
        # A route to torch.optim's algorithm raises in step() ("may not be used in ex10"): the
        # probe's error is this check's failure. Whether the steps are right is the others' job.
        student.probe("feed", name, random_hyper(rng, name), starts, grads)
