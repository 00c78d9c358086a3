"""Hidden checks for ex11: artist_works on other points, G and D of other sizes, and the GAN
trained from other seeds with other numbers of ideas and points."""
import numpy as np

from grader.grading.checks import sibling

# The judges and the shared training run are in the public checks.
public = sibling(__file__, "test_public")

# Every (seed, n_ideas, n_points) a hidden check may draw; the thresholds in exercise.yaml come
# from the reference's runs on all of them (and on the public seed 1 with 5 ideas, 15 points).
SEEDS = (0, 2, 3, 4)
SIZES = ((3, 11), (8, 21))


def other_setting(rng):
    n_ideas, n_points = SIZES[int(rng.integers(len(SIZES)))]
    return {"seed": int(rng.choice(SEEDS)), "n_ideas": n_ideas, "n_points": n_points}


def words(setting):
    return (f"from seed {setting['seed']} with {setting['n_ideas']} ideas and "
            f"{setting['n_points']} points")


def test_artist_works_on_other_points(student, rng):
    """artist_works paints the family at random points in [-2, 2], for a random batch size"""
    x = np.sort(rng.uniform(-2, 2, int(rng.integers(5, 30)))).astype(np.float32).astype(float)
    batch_size = int(rng.integers(800, 1500))
    public.judge_paintings(student.probe("paintings", batch_size, x.tolist()), batch_size, x)


def test_networks_take_other_sizes(student, rng):
    """make_generator and make_discriminator use the numbers of ideas and points they are given"""
    n_ideas, n_points, batch_size = (int(rng.integers(2, 11)), int(rng.integers(5, 31)),
                                     int(rng.integers(10, 100)))
    public.judge_shapes(student.probe("shapes", n_ideas, n_points, batch_size), n_ideas,
                        n_points, batch_size)


def shared_setting(seed):
    """The other setting both GAN checks judge: one training, drawn from the grading seed."""
    return other_setting(np.random.default_rng([seed, 11]))


def test_gan_paints_between_the_bounds_other_seeds(student, seed, exercise, report):
    """From other seeds, ideas and points, G's paintings lie between the bounds and vary"""
    setting = shared_setting(seed)
    run = public.gan_run(student, **setting)
    public.judge_bounds(run, setting["n_points"], exercise, words(setting), report,
                        "seed {seed}, {n_ideas} ideas, {n_points} points".format(**setting))
    public.judge_spread(run, setting["n_points"], exercise, words(setting))


def test_discriminator_is_fooled_other_seeds(student, seed, exercise):
    """From other seeds, ideas and points, D ends up saying about 0.5 to both kinds"""
    setting = shared_setting(seed)
    run = public.gan_run(student, **setting)
    public.judge_fooled(run, exercise, words(setting))
