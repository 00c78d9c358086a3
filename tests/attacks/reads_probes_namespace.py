# ATTACK (ex02): prints every name in the probes' namespace (reached through loss_fn's
# __globals__), hoping to find the hidden checks' probes in a student's own (public) run.
# VERDICT: in a public-only run, the names printed are the public probe's and the common
# helpers': the hidden checks' probe (descend) was never sent to the run.
def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    print("PROBES", " ".join(sorted(k for k in loss_fn.__globals__ if not k.startswith("__"))))
    for _ in range(loop_max):
        loss_fn(params)
