"""Exercise ex11: Morvan's GAN. A generator G learns to paint like an artist whose paintings
are the curves a x^2 + (a - 1), a in [1, 2], at points x in [-1, 1]; a discriminator D learns
to tell the artist's paintings from G's. When training works, G paints between the lower
bound x^2 (a = 1) and the upper bound 2 x^2 + 1 (a = 2), and D can no longer tell: it says
0.5 to both.

From the GAN section of Morvan's notebook in the course notes. Write the four pieces below,
then run `grade ex11` in this folder.
"""
import torch
import torch.nn as nn

BATCH_SIZE = 64
LR_G = 0.0001          # the notes' learning rates, for G and D
LR_D = 0.0001
N_IDEAS = 5            # the notes' sizes: G paints from 5 random numbers ("ideas")
ART_COMPONENTS = 15    # ... a painting of 15 points, at torch.linspace(-1, 1, 15)


def artist_works(batch_size, paint_points):
    """The artist's paintings: a float tensor of shape (batch_size, len(paint_points)).

    paint_points: a 1-d tensor, the x of each point. Row i is a_i x^2 + (a_i - 1) at every
    x, with one a_i per painting drawn uniformly from [1, 2]: a = 1 + torch.rand(batch_size, 1)
    is a column, and broadcasting it against paint_points ** 2 gives the whole batch.
    (The notes draw a with numpy; torch.rand is the same thing, seeded by torch.manual_seed.)
    """
    raise NotImplementedError("write artist_works: see the docstring")


def make_generator(n_ideas, n_points):
    """G, as in the notes: torch.nn.Sequential(Linear(n_ideas, 128), ReLU(), Linear(128,
    n_points)). It turns a batch of ideas (batch, n_ideas) into paintings (batch, n_points)."""
    raise NotImplementedError("write make_generator: see the docstring")


def make_discriminator(n_points):
    """D, as in the notes: Linear(n_points, 128), ReLU(), Linear(128, 1), Sigmoid(). It turns a
    batch of paintings (batch, n_points) into the probability (batch, 1) that each is the
    artist's."""
    raise NotImplementedError("write make_discriminator: see the docstring")


def train_gan(G, D, paint_points, n_ideas, steps, batch_size=BATCH_SIZE):
    """Train G and D against each other for `steps` steps; return a list with D's mean
    probability on the artist's paintings at each step (prob_artist0.mean().item()).

    Each step, as in the notes (with torch.optim.Adam, lr LR_G for G and LR_D for D, made once
    before the loop):
        artist_paintings = artist_works(batch_size, paint_points)
        G_paintings = G(torch.randn(batch_size, n_ideas))       # fresh ideas every step
        prob_artist0 = D(artist_paintings)                      # D should say 1 here
        prob_artist1 = D(G_paintings.detach())                  # ... and 0 here
        D_loss = -mean(log(prob_artist0) + log(1 - prob_artist1))
        zero_grad, backward, step of D's optimizer
        G_loss = mean(log(1 - D(G_paintings)))                  # G wants D to say 1
        zero_grad, backward, step of G's optimizer
    .detach() keeps D's step from moving G. Compute G_loss with D(G_paintings) after D's step:
    the notes reuse prob_artist1 from before it, which today's torch refuses, since D's
    weights were changed in place in between.
    The grader calls this with its own seed and number of steps (2000), then measures what G
    paints and what D says.
    """
    raise NotImplementedError("write train_gan: see the docstring")


if __name__ == "__main__":
    torch.manual_seed(1)
    points = torch.linspace(-1, 1, ART_COMPONENTS)
    G, D = make_generator(N_IDEAS, ART_COMPONENTS), make_discriminator(ART_COMPONENTS)
    history = train_gan(G, D, points, N_IDEAS, steps=2000)
    with torch.no_grad():
        paintings = G(torch.randn(1000, N_IDEAS))
    inside = ((paintings >= points ** 2) & (paintings <= 2 * points ** 2 + 1)).all(dim=1)
    print("D accuracy (0.5 when D is fooled):", history[-1])
    print("share of G's paintings between the bounds:", inside.float().mean().item())
