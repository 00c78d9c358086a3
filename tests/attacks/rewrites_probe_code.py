# ATTACK (ex02): rewrites the code of the probe that called it (found through the loss
# function's globals), so that its next run returns a perfect descent without calling GD.
# VERDICT: graded, 0 points: the run is stopped at the rewrite ("rewrote a function that is not
# yours").
def _perfect(sub, start, loop_max):
    return {"x": 2.0, "losses": [0.0] * loop_max}


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    probes = loss_fn.__globals__
    for name in ("notes_loss", "descend"):
        if name in probes:
            probes[name].__code__ = _perfect.__code__
