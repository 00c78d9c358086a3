# Neither optimizer's zero_grad() is called: each backward() adds to the gradients of all
# earlier steps, so both nets follow a sum of stale gradients and the game never settles.
# expect-fail: test_gan_paints_between_the_bounds, test_discriminator_is_fooled, test_gan_paints_between_the_bounds_other_seeds, test_discriminator_is_fooled_other_seeds
# expect-pass: test_artist_works_paints_the_family, test_generator_and_discriminator_shapes
# expect-text: zero_grad() before each backward()
# expect-next-step: zero_grad() before each backward()
import torch
import torch.nn as nn

LR_G = 0.0001
LR_D = 0.0001


def artist_works(batch_size, paint_points):
    a = 1 + torch.rand(batch_size, 1)              # one a in [1, 2) per painting
    return a * paint_points ** 2 + (a - 1)


def make_generator(n_ideas, n_points):
    return nn.Sequential(nn.Linear(n_ideas, 128), nn.ReLU(), nn.Linear(128, n_points))


def make_discriminator(n_points):
    return nn.Sequential(nn.Linear(n_points, 128), nn.ReLU(), nn.Linear(128, 1), nn.Sigmoid())


def train_gan(G, D, paint_points, n_ideas, steps, batch_size=64):
    opt_D = torch.optim.Adam(D.parameters(), lr=LR_D)
    opt_G = torch.optim.Adam(G.parameters(), lr=LR_G)
    history = []
    for _ in range(steps):
        artist_paintings = artist_works(batch_size, paint_points)
        G_paintings = G(torch.randn(batch_size, n_ideas))

        prob_artist0 = D(artist_paintings)
        prob_artist1 = D(G_paintings.detach())      # D's step must not move G
        D_loss = -torch.mean(torch.log(prob_artist0) + torch.log(1 - prob_artist1))
        D_loss.backward()
        opt_D.step()

        # G is judged by the D that just learned; the notes reuse the prob_artist1 computed
        # before D's step, which torch now refuses (D's weights changed in place since).
        G_loss = torch.mean(torch.log(1 - D(G_paintings)))
        G_loss.backward()
        opt_G.step()
        history.append(prob_artist0.mean().item())
    return history
