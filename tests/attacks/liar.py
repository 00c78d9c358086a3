# A wrong GD (it never moves the parameters) that, when called, patches what an in-process
# grader would use to judge it: torch.Tensor.item and float(tensor) return 2.0 (the public
# answer), json.dumps adds "passed": true and a full score to every document, and
# numpy.isclose / numpy.allclose always say yes. The verdict is computed outside the sandbox,
# so the checks that need real descent still fail; float(tensor) = 2.0 can at most fake the
# public answer x = 2, which hardcoding it (tests/submissions/ex02/hardcoded.py) gets anyway.
import json

import numpy
import torch

_real_dumps = json.dumps


def _lying_dumps(obj, *args, **kwargs):
    if isinstance(obj, dict):
        obj = dict(obj, passed=True, score=10, max_score=10, status="passed")
    return _real_dumps(obj, *args, **kwargs)


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    torch.Tensor.item = lambda self: 2.0
    torch.Tensor.__float__ = lambda self: 2.0
    json.dumps = _lying_dumps
    numpy.isclose = lambda *args, **kwargs: True
    numpy.allclose = lambda *args, **kwargs: True
    for _ in range(loop_max):
        loss_fn(params)
