"""Hidden checks for ex07: random shapes and scales, and inputs as large as +-1000 and beyond,
where exp overflows unless the formulas keep it from doing so."""
import numpy as np

from grader.grading.checks import sibling

# Shared with the public checks (check files are imported one by one, not as a package).
public = sibling(__file__, "test_public")


def random_inputs(rng):
    """Normal numbers of a random scale (0.5 to 8) in a random shape of 1 to 3 dimensions."""
    shape = tuple(int(n) for n in rng.integers(2, 9, int(rng.integers(1, 4))))
    return rng.normal(0, rng.uniform(0.5, 8), shape)


def large_inputs(rng):
    """-1000 and 1000, and random numbers of magnitude 20 to 1e5, as a random 2-d shape."""
    n = int(rng.integers(4, 9))
    magnitude = 10 ** rng.uniform(np.log10(20), 5, 2 * n - 2)
    values = np.concatenate([[-1000.0, 1000.0], magnitude * rng.choice([-1, 1], 2 * n - 2)])
    return rng.permutation(values).reshape(2, n)


def test_activations_on_random_inputs(student, rng, exercise):
    """The four activations equal torch's on random inputs of random shapes and scales"""
    x = random_inputs(rng)
    public.judge(student.probe("activations", x, public.ACTIVATIONS), public.ACTIVATIONS, x,
                 exercise)


def test_derivatives_on_random_inputs(student, rng, exercise):
    """The four derivatives equal torch.autograd's on random inputs of random shapes and scales"""
    x = random_inputs(rng)
    public.judge(student.probe("activations", x, public.DERIVATIVES), public.DERIVATIVES, x,
                 exercise)


def test_activations_for_large_inputs(student, rng, exercise, report):
    """The four activations are right at x = +-1000 and beyond, with no overflow, inf or nan"""
    x = large_inputs(rng)
    run = student.probe("activations", x, public.ACTIVATIONS)
    public.plot(report, run, ("sigmoid", "softplus"), x, "for large |x|")
    public.judge(run, public.ACTIVATIONS, x, exercise, warnings_too=True)


def test_derivatives_for_large_inputs(student, rng, exercise):
    """The four derivatives are right at x = +-1000 and beyond, with no overflow, inf or nan"""
    x = large_inputs(rng)
    run = student.probe("activations", x, public.DERIVATIVES)
    public.judge(run, public.DERIVATIVES, x, exercise, warnings_too=True)
