"""The sandboxed child (grader/sandbox/child.py): every run, cold or forked from the warm
zygote, draws what a plainly seeded process draws."""
from __future__ import annotations

import random

import numpy as np
import pytest

from conftest import MODES
from grader.sandbox.limits import limits_for
from grader.sandbox.session import Session, SessionConfig

pytestmark = pytest.mark.slow  # the slow tier: a sandbox per seed and mode

DRAWS = ("import random\nimport numpy as np\nimport torch\n\n"
         "AT_IMPORT = torch.rand(2).tolist()\n\n"
         "def draws():\n"
         "    return {'import': AT_IMPORT, 'torch': torch.rand(3).tolist(),\n"
         "            'randn': torch.randn(2).tolist(),\n"
         "            'numpy': np.random.rand(3).tolist(), 'random': random.random()}\n")


def _expected(seed: int) -> dict:
    """What a plain process draws after torch.manual_seed, numpy.random.seed, random.seed."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)
    at_import = torch.rand(2).tolist()
    return {"import": at_import, "torch": torch.rand(3).tolist(),
            "randn": torch.randn(2).tolist(), "numpy": np.random.rand(3).tolist(),
            "random": random.random()}


@pytest.mark.parametrize("layers", MODES)
@pytest.mark.parametrize("seed", [0, 7])
def test_every_run_draws_what_a_plainly_seeded_process_draws(layers, seed):
    cfg = SessionConfig(exercise="ex02", module="ex02", source=DRAWS, limits=limits_for(120, 60,
                        3072), layers=layers,
                        seed=seed)
    seen = []
    for _ in range(2):  # the second run forks from the same warm zygote (strong mode)
        with Session(cfg) as s:
            seen.append(s.call("draws"))
    assert seen[0] == seen[1] == _expected(seed)
