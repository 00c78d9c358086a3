"""Public checks for ex11: the notes' GAN (5 ideas, 15 points in [-1, 1], batches of 64) trained
from torch.manual_seed(1) for STEPS steps. The curves G paints and D's outputs come back as
numbers; whether they lie between the bounds, vary as the artist's do, and fool D is measured
here, in the grader.

`gan_run` and the judges are shared with test_hidden.py.
"""
import numpy as np

from grader.grading.checks import as_array, cause, fail, fmt
from grader.sandbox.session import StudentFault

STEPS = 2000
N_REAL = 500          # real paintings D is shown after training, and generated ones
N_PLOTTED = 40
NOTES = {"seed": 1, "n_ideas": 5, "n_points": 15}


def lower(x):
    return x ** 2                   # a = 1


def upper(x):
    return 2 * x ** 2 + 1           # a = 2


def real_paintings(seed, n_points, n=N_REAL):
    """The artist's own curves a x^2 + (a - 1), a uniform in [1, 2], made here."""
    a = np.random.default_rng(seed).uniform(1, 2, (n, 1))
    x = np.linspace(-1, 1, n_points)
    return a * x ** 2 + (a - 1)


def fitted_a(curves, x):
    """For each curve, the a of the closest member of the family a (x^2 + 1) - 1."""
    basis = x ** 2 + 1
    return (curves + 1) @ basis / (basis @ basis)


# The runs of the submission being graded: the checks of one file share them. (Kept here rather
# than in the session, so that a new session, the next submission, starts afresh.)
_runs = {"student": None, "results": {}}


def gan_run(student, seed, n_ideas, n_points):
    """One training run per submission and setting, shared by the checks that judge it; a run
    that failed fails them all with its message, without running again."""
    if _runs["student"] is not student:
        _runs.update(student=student, results={})
    key = (seed, n_ideas, n_points)
    if key not in _runs["results"]:
        real = real_paintings(1000 + seed, n_points)
        try:
            _runs["results"][key] = student.probe("gan", seed, n_ideas, n_points, STEPS,
                                                  real.tolist())
        except StudentFault as fault:
            _runs["results"][key] = fault
    result = _runs["results"][key]
    if isinstance(result, StudentFault):
        raise result
    return result


@cause("The training diverged to nan: check the signs of both losses (D_loss = "
       "-mean(log D(real) + log(1 - D(fake))), G_loss = mean(log(1 - D(G's paintings)))) "
       "and call each optimizer's zero_grad() before each backward().")
def training_diverged(_):
    return True


def curves_of(run, n_points):
    """G's paintings, every number finite."""
    if run["curves"] is None:
        fail("G(ideas) did not return a tensor; expected one painting per row")
    curves = as_array(run["curves"], "G's paintings", (N_REAL, n_points))
    broken = int(np.sum(~np.isfinite(curves).all(axis=1)))
    if broken:
        fail(f"{broken} of {N_REAL} paintings of G hold nan or inf after {STEPS} steps: the "
             f"training diverged (a loss with the wrong sign? gradients never cleared?)",
             training_diverged)
    return curves


def plot_paintings(report, run, n_points, title):
    x = np.linspace(-1, 1, n_points)
    curves = np.asarray(run["curves"], dtype=np.float64)[:N_PLOTTED] \
        if run["curves"] is not None else np.zeros((0, n_points))
    fine = np.linspace(-1, 1, 101)
    series = {"data: G's paintings": {"x": np.tile(x, len(curves)).tolist(),
                                      "y": curves.ravel().tolist()},
              "upper bound, a = 2": {"x": fine.tolist(), "y": upper(fine).tolist()},
              "lower bound, a = 1": {"x": fine.tolist(), "y": lower(fine).tolist()}}
    for k, curve in enumerate(curves[:3]):
        series[f"painting {k + 1}"] = {"x": x.tolist(), "y": curve.tolist()}
    report.plot(title, series, kind="scatter+line", xlabel="x", ylabel="painting")
    history = as_array(run["history"], "train_gan's history")
    if history.ndim == 1 and history.size:
        report.plot("D's mean output on the artist's paintings (0.5: D is fooled)",
                    {"D(real)": {"y": history.tolist()}}, xlabel="step", ylabel="probability")


def inside_share(run, n_points, exercise):
    """The share of G's paintings that lie between the bounds at every point (give or take
    thresholds.bound_tol)."""
    curves = curves_of(run, n_points)
    x, tol = np.linspace(-1, 1, n_points), exercise.thresholds["bound_tol"]
    return float(np.mean(np.all((curves >= lower(x) - tol) & (curves <= upper(x) + tol), axis=1)))


def judge_bounds(run, n_points, exercise, setting, report, label):
    """At least thresholds.inside of G's paintings lie between the bounds; the paintings are
    drawn over the bounds first, the share in the title."""
    share = inside_share(run, n_points, exercise)
    plot_paintings(report, run, n_points, f"G's paintings, {label}: {share:.0%} between the "
                                          f"bounds")
    least, tol = exercise.thresholds["inside"], exercise.thresholds["bound_tol"]
    if not share >= least:
        fail(f"{share:.1%} of {N_REAL} paintings of G lie between x^2 and 2 x^2 + 1 "
             f"(+- {fmt(tol)}) after {STEPS} steps {setting}; expected at least {least:.0%}")


def judge_spread(run, n_points, exercise, setting):
    """G's paintings vary like the artist's: the a of the closest family member a (x^2 + 1) - 1
    has a standard deviation of at least thresholds.spread (the artist's: 0.29)."""
    curves = curves_of(run, n_points)
    a = fitted_a(curves, np.linspace(-1, 1, n_points))
    spread, least = float(np.std(a)), exercise.thresholds["spread"]
    if not spread >= least:
        fail(f"G's paintings are all alike {setting}: their a has a standard deviation of "
             f"{fmt(spread)} (mean {fmt(float(np.mean(a)))}); expected at least {fmt(least)} "
             f"(the artist's a, uniform in [1, 2], has 0.289)")


def judge_fooled(run, exercise, setting):
    """D's mean output on the artist's paintings and on G's are both 0.5 +- thresholds.d_tol:
    D can no longer tell them apart (the notes' "D accuracy = 0.5")."""
    tol = exercise.thresholds["d_tol"]
    if not run["g_moved"] or not run["d_moved"]:
        still = " and ".join(n for n, moved in (("G", run["g_moved"]), ("D", run["d_moved"]))
                             if not moved)
        fail(f"{still}'s weights did not change in train_gan {setting}; expected both to train")
    for what, key in (("the artist's paintings", "d_real"), ("G's paintings", "d_fake")):
        if run[key] is None:
            fail("D did not return a tensor of probabilities")
        p = as_array(run[key], f"D's output on {what}").ravel()
        if not np.isfinite(p).all():
            fail(f"D says nan or inf to {what} after {STEPS} steps {setting}: the training "
                 f"diverged (a loss with the wrong sign? gradients never cleared?)",
                 training_diverged)
        mean = float(np.mean(p))
        if not abs(mean - 0.5) <= tol:
            fail(f"D's mean output on {N_REAL} of {what} is {fmt(mean)} {setting}; expected "
                 f"0.5 +- {fmt(tol)} (a D that is fooled says 0.5 to both)")


def judge_paintings(run, batch_size, x):
    """batch_size rows, each a x^2 + (a - 1) at the points x with one a per row in [1, 2], the
    a's spread over the whole range."""
    if run["paintings"] is None:
        fail(f"artist_works returned {run['type']}; expected a tensor")
    p = as_array(run["paintings"], "artist_works(batch_size, points)", (batch_size, len(x)))
    a = fitted_a(p, x)
    residual = np.abs(p - (a[:, None] * (x ** 2 + 1) - 1)).max(axis=1)
    bad = int(np.argmax(residual))
    if not residual[bad] <= 1e-4 * max(1.0, float(np.abs(p[bad]).max())):
        fail(f"row {bad} of artist_works is not a x^2 + (a - 1) for any a: it is "
             f"{fmt(float(residual[bad]))} away at some point (one a per painting, the same "
             f"at every point)")
    if not (a.min() >= 1 - 1e-4 and a.max() <= 2 + 1e-4):
        fail(f"artist_works paints with a from {fmt(float(a.min()))} to {fmt(float(a.max()))}; "
             f"expected every a in [1, 2]")
    if not (a.min() <= 1.05 and a.max() >= 1.95 and abs(float(np.mean(a)) - 1.5) <= 0.05):
        fail(f"artist_works' a over {batch_size} paintings runs from {fmt(float(a.min()))} to "
             f"{fmt(float(a.max()))}, mean {fmt(float(np.mean(a)))}; expected uniform in "
             f"[1, 2] (a = 1 + torch.rand(batch_size, 1))")


def judge_shapes(run, n_ideas, n_points, batch_size):
    """G maps (batch, n_ideas) to (batch, n_points); D maps those to (batch, 1) in (0, 1)."""
    if run["fake"] is None:
        fail(f"G(ideas) returned {run['fake_type']}; expected a tensor")
    as_array(run["fake"], f"make_generator({n_ideas}, {n_points}) on a batch of {batch_size}",
             (batch_size, n_points))
    if run["prob"] is None:
        fail(f"D(paintings) returned {run['prob_type']}; expected a tensor")
    p = as_array(run["prob"], f"make_discriminator({n_points}) on {batch_size} paintings",
                 (batch_size, 1))
    if not np.all((p > 0) & (p < 1)):
        fail(f"D outputs {fmt(float(p.min()))} to {fmt(float(p.max()))}; expected "
             f"probabilities in (0, 1): end D with torch.nn.Sigmoid()")


# ---- checks -------------------------------------------------------------------------------------

def test_artist_works_paints_the_family(student):
    """artist_works(1000, 15 points in [-1, 1]) paints a x^2 + (a - 1), one a in [1, 2] per row"""
    x = np.linspace(-1, 1, 15)
    judge_paintings(student.probe("paintings", 1000, x.tolist()), 1000, x)


def test_generator_and_discriminator_shapes(student):
    """make_generator(5, 15) paints (64, 15) from (64, 5) ideas, make_discriminator(15) rates them"""
    judge_shapes(student.probe("shapes", 5, 15, 64), 5, 15, 64)


def test_gan_paints_between_the_bounds(student, exercise, report):
    """After 2000 steps from the notes' seed, G's paintings lie between x^2 and 2 x^2 + 1"""
    run = gan_run(student, **NOTES)
    judge_bounds(run, NOTES["n_points"], exercise, "from seed 1", report, "seed 1")


def test_generated_curves_vary(student, exercise):
    """G's paintings differ from one another as the artist's do: G does not paint one curve"""
    run = gan_run(student, **NOTES)
    judge_spread(run, NOTES["n_points"], exercise, "from seed 1")


def test_discriminator_is_fooled(student, exercise):
    """After training, D says about 0.5 to the artist's paintings and to G's alike"""
    run = gan_run(student, **NOTES)
    judge_fooled(run, exercise, "from seed 1")
