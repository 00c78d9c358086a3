# Knows the answer for the public example's 15 points: G computes a x^2 + (a - 1) from its
# first idea at x = linspace(-1, 1, 15), with nothing learned; train_gan only trains D. Right for
# the notes' sizes, wrong (and the wrong shape) for any other number of points.
# expect-fail: test_networks_take_other_sizes, test_gan_paints_between_the_bounds_other_seeds, test_discriminator_is_fooled_other_seeds
# expect-pass: test_artist_works_paints_the_family, test_generator_and_discriminator_shapes, test_gan_paints_between_the_bounds, test_generated_curves_vary
# expect-text: a linear layer made for
# expect-next-step: mat1 and mat2 shapes
import torch
import torch.nn as nn

X = torch.linspace(-1, 1, 15)


def artist_works(batch_size, paint_points):
    a = 1 + torch.rand(batch_size, 1)
    return a * paint_points ** 2 + (a - 1)


class Painter(nn.Module):
    def __init__(self, n_ideas):
        super().__init__()
        self.unused = nn.Linear(n_ideas, 1)

    def forward(self, ideas):
        a = 1 + torch.special.ndtr(ideas[:, :1])        # uniform in [1, 2] from a normal idea
        return a * X ** 2 + (a - 1)


def make_generator(n_ideas, n_points):
    return Painter(n_ideas)


def make_discriminator(n_points):
    return nn.Sequential(nn.Linear(n_points, 128), nn.ReLU(), nn.Linear(128, 1), nn.Sigmoid())


def train_gan(G, D, paint_points, n_ideas, steps, batch_size=64):
    opt_D = torch.optim.Adam(D.parameters(), lr=1e-4)
    opt_G = torch.optim.Adam(G.parameters(), lr=1e-4)
    history = []
    for _ in range(steps):
        real = artist_works(batch_size, paint_points)
        fake = G(torch.randn(batch_size, n_ideas))
        p_real, p_fake = D(real), D(fake)
        loss = -torch.mean(torch.log(p_real) + torch.log(1 - p_fake))
        opt_D.zero_grad()
        loss.backward()
        opt_D.step()
        opt_G.zero_grad()
        G.unused.weight.grad = torch.ones_like(G.unused.weight)    # so that G's weights move
        opt_G.step()
        history.append(p_real.mean().item())
    return history
