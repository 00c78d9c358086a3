"""Hidden checks for ex09: random curves, random clusters, a class inside a ring (which no
straight line separates), random layer sizes, and loaders whose last batch is short."""
import numpy as np

from grader.grading.checks import fail, sibling

# The judges are shared with the public checks.
public = sibling(__file__, "test_public")


def random_curve(rng):
    """a x^2 + b x + c + d sin(w x) plus normal noise, on a random range inside [-2, 2], with a
    random number of points."""
    a, b, c = rng.choice([-1, 1]) * rng.uniform(0.5, 2.0), rng.uniform(-1, 1), rng.uniform(-1, 1)
    d, w = rng.uniform(0.2, 0.5), rng.uniform(1.5, 3.0)
    lo, hi = -rng.uniform(1.0, 2.0), rng.uniform(1.0, 2.0)
    n = int(rng.integers(100, 401))
    f = lambda t: a * t ** 2 + b * t + c + d * np.sin(w * t)
    x = np.sort(rng.uniform(lo, hi, n))
    y = f(x) + rng.normal(0, rng.uniform(0.05, 0.2), n)
    return x, y, f


def random_clusters(rng):
    """Two normal clusters with random centres and spread, 5 spreads apart or more."""
    spread = rng.uniform(0.5, 1.0)
    centre = rng.uniform(-3, 3, 2)
    angle = rng.uniform(0, 2 * np.pi)
    gap = rng.uniform(5.0, 6.0) * spread * np.array([np.cos(angle), np.sin(angle)])
    return lambda r, m: (np.concatenate([r.normal(centre, spread, (m, 2)),
                                         r.normal(centre + gap, spread, (m, 2))]),
                         np.repeat([0, 1], m))


def ring(rng):
    """Class 0 in a disc of radius R, class 1 in the ring between 1.6 R and 2.6 R around it."""
    R, centre = rng.uniform(0.5, 2.0), rng.uniform(-2, 2, 2)

    def sample(r, m):
        radius = np.concatenate([R * np.sqrt(r.uniform(0, 1, m)),
                                 R * r.uniform(1.6, 2.6, m)])
        angle = r.uniform(0, 2 * np.pi, 2 * m)
        x = centre + radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
        return x, np.repeat([0, 1], m)
    return sample


def test_regression_fits_random_curve(student, rng, exercise, report):
    """fit_regression fits a random noisy curve on a random range down to the noise"""
    x, y, f = random_curve(rng)
    grid = np.linspace(x.min(), x.max(), public.PLOT_POINTS)
    run = student.probe("fit_curve", x.tolist(), y.tolist(), grid.tolist())
    public.judge_fit(run, x, y, f, exercise, report,
                     f"fit_regression on {len(x)} noisy points in [{x.min():.2f}, {x.max():.2f}]")


def test_regression_trains_with_an_optimizer(student, rng, report):
    """fit_regression trains: torch.optim steps on backward()'s gradients, the loss falls"""
    x, y, _ = random_curve(rng)
    run = student.probe("fit_curve", x.tolist(), y.tolist(), [0.0])
    public.judge_trains(run, report, "fit_regression: the loss at each backward()")


def test_classifier_separates_random_clusters(student, rng, exercise, report):
    """fit_classifier learns two random clusters and labels new points from them"""
    sample = random_clusters(rng)
    (x, labels), (x_test, labels_test) = sample(rng, int(rng.integers(60, 150))), sample(rng, 150)
    run = student.probe("fit_classes", x.tolist(), labels.tolist(), x_test.tolist())
    public.judge_classes(run, x_test, labels_test, exercise.thresholds["accuracy"], report,
                         "new points from two random clusters, by your net's class")


def test_classifier_needs_the_hidden_layer(student, rng, exercise, report):
    """fit_classifier learns a class inside a ring, which no straight line separates"""
    sample = ring(rng)
    (x, labels), (x_test, labels_test) = sample(rng, 150), sample(rng, 150)
    run = student.probe("fit_classes", x.tolist(), labels.tolist(), x_test.tolist())
    public.judge_classes(run, x_test, labels_test, exercise.thresholds["ring_accuracy"], report,
                         "a disc inside a ring, by your net's class")


def test_sequential_matches_net_random_sizes(student, rng):
    """Net and sequential_net of random sizes, given the same random weights, agree"""
    n_feature, n_hidden, n_output = (int(rng.integers(2, 6)), int(rng.integers(3, 31)),
                                     int(rng.integers(1, 5)))
    weights = [rng.normal(0, 1, (n_hidden, n_feature)), rng.normal(0, 1, n_hidden),
               rng.normal(0, 1, (n_output, n_hidden)), rng.normal(0, 1, n_output)]
    x = rng.normal(0, 1, (40, n_feature))
    run = student.probe("same_weights", n_feature, n_hidden, n_output,
                        [w.tolist() for w in weights], x.tolist())
    public.judge_same_output(run, weights, x)


def loader_problem(rng):
    """n rows of 3 features (the first a unique id) and one target each, with a batch size that
    does not divide n."""
    while True:
        n, batch_size = int(rng.integers(23, 98)), int(rng.integers(4, 17))
        if n % batch_size:
            break
    x = rng.normal(0, 1, (n, 3))
    x[:, 0] = rng.permutation(n) + 1
    return x, rng.normal(0, 10, n).astype(np.float32).astype(np.float64), batch_size


def test_loader_yields_every_sample_once(student, rng):
    """make_loader yields each sample once per epoch, in batches of the size asked (and the rest)"""
    x, y, batch_size = loader_problem(rng)
    run = student.probe("loader_epochs", x.tolist(), y.tolist(), batch_size, 3)
    public.judge_epochs(run, x, y, batch_size, epochs=3)


def test_loader_shuffles_every_epoch(student, rng):
    """make_loader shuffles: each epoch comes in a new order"""
    x, y, batch_size = loader_problem(rng)
    run = student.probe("loader_epochs", x.tolist(), y.tolist(), batch_size, 3)
    orders = []
    for batches in run["epochs"]:
        ids = [np.reshape(np.asarray(b[0], dtype=float), (len(b[0]), -1))[:, 0]
               for b in batches if b is not None]
        orders.append(np.concatenate(ids).tolist() if ids else [])
    if orders and orders[0] == x[:, 0].tolist():
        fail("the first epoch came in the order of the data; expected a shuffled order "
             "(shuffle=True)")
    if len(orders) > 1 and all(o == orders[0] for o in orders[1:]):
        fail(f"all {len(orders)} epochs came in the same order; expected a new order each "
             f"epoch (shuffle=True in the DataLoader, not one shuffle of the data)")
