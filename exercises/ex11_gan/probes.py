"""Probes for ex11: they run inside the sandbox, train the student's GAN from a fixed seed and
report what it paints. The checks measure the curves and D's outputs in the grader; no
threshold or expected value lives here.
"""
import random

import numpy as np
import torch


def _numbers(v):
    return v.detach().cpu().numpy() if isinstance(v, torch.Tensor) else None


def paintings(sub, batch_size, points):
    """artist_works(batch_size, points) for the 1-d float32 tensor `points`."""
    out = sub.artist_works(batch_size, torch.tensor(points, dtype=torch.float32))
    return {"paintings": _numbers(out), "type": type(out).__name__}


def shapes(sub, n_ideas, n_points, batch_size):
    """What a new G and D make of a batch: G(ideas) and D(G(ideas)), or what came back."""
    torch.manual_seed(0)
    G, D = sub.make_generator(n_ideas, n_points), sub.make_discriminator(n_points)
    with torch.no_grad():
        fake = G(torch.randn(batch_size, n_ideas))
        prob = D(fake) if isinstance(fake, torch.Tensor) else None
    return {"fake": _numbers(fake), "prob": _numbers(prob), "fake_type": type(fake).__name__,
            "prob_type": type(prob).__name__}


def _weights(net):
    return [p.detach().clone() for p in net.parameters()]


def _moved(before, net):
    return any(not torch.equal(b, p.detach()) for b, p in zip(before, net.parameters()))


def gan(sub, seed, n_ideas, n_points, steps, real):
    """Seed everything, build G and D, train_gan for `steps` steps on linspace(-1, 1, n_points),
    then G's paintings from fresh ideas, and D's outputs on them and on the real ones given."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    points = torch.linspace(-1, 1, n_points)
    G, D = sub.make_generator(n_ideas, n_points), sub.make_discriminator(n_points)
    g0, d0 = _weights(G), _weights(D)
    history = sub.train_gan(G, D, points, n_ideas, steps)
    ideas = torch.randn(len(real), n_ideas, generator=torch.Generator().manual_seed(seed + 1))
    with torch.no_grad():
        curves = G(ideas)
        d_fake, d_real = D(curves), D(torch.tensor(real, dtype=torch.float32))
    return {"curves": _numbers(curves), "d_fake": _numbers(d_fake), "d_real": _numbers(d_real),
            "history": np.asarray([float(h) for h in history or []], dtype=np.float64),
            "g_moved": _moved(g0, G), "d_moved": _moved(d0, D)}
