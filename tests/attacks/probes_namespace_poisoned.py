# ATTACK (ex02): reaches the probes' own namespace through the loss function it is handed
# (loss_fn.__globals__) and plants a `float` there that shadows the builtin in every later probe.
# VERDICT: graded, 0 points; the first call's answer is refused: "your code added the grader's
# probes.float: the grader cannot trust this run".
def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    loss_fn.__globals__["float"] = lambda *a: 2.0
    loss_fn(params)
