"""The sandboxed child (grader/sandbox/child.py): seeds that match a plainly seeded process,
and the warm zygote's move onto huge pages, which must never change what a child sees."""
from __future__ import annotations

import json
import platform
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from grader.sandbox.isolation import Limits, detect_layers
from grader.sandbox.session import Session, SessionConfig

STRONG, WEAK = detect_layers(), detect_layers(allow_bwrap=False)
MODES = [pytest.param(STRONG, id="strong", marks=pytest.mark.skipif(
    not STRONG.strong, reason="bubblewrap cannot sandbox here")), pytest.param(WEAK, id="weak")]
CHILD = Path(__file__).resolve().parent.parent / "grader" / "sandbox" / "child.py"

DRAWS = ("import random\nimport numpy as np\nimport torch\n\n"
         "AT_IMPORT = torch.rand(2).tolist()\n\n"
         "def draws():\n"
         "    return {'import': AT_IMPORT, 'torch': torch.rand(3).tolist(),\n"
         "            'randn': torch.randn(2, generator=None).tolist(),\n"
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
    cfg = SessionConfig(exercise="ex02", module="ex02", source=DRAWS, call_time_s=60,
                        limits=Limits(wall_s=120, memory_mb=3072, cpu_s=120), layers=layers,
                        seed=seed)
    seen = []
    for _ in range(2):  # the second run forks from the same warm zygote (strong mode)
        with Session(cfg) as s:
            seen.append(s.call("draws"))
    assert seen[0] == seen[1] == _expected(seed)


def test_huge_pages_leave_memory_as_it_was(tmp_path):
    """`_huge_pages` moves memory, it never changes it; where the kernel offers transparent
    huge pages (Linux 6.1+, not `never`), some of the heap ends up on them."""
    script = (
        "import hashlib, importlib.util, json, sys\n"
        f"spec = importlib.util.spec_from_file_location('child', {str(CHILD)!r})\n"
        "child = importlib.util.module_from_spec(spec); spec.loader.exec_module(child)\n"
        "blocks = [bytes([i % 251]) * 100_000 + bytes(range(i % 256)) for i in range(400)]\n"
        "before = hashlib.sha256(b''.join(blocks)).hexdigest()\n"
        "child._huge_pages()\n"
        "after = hashlib.sha256(b''.join(blocks)).hexdigest()\n"
        "huge = [l.split()[1] for l in open('/proc/self/smaps_rollup') if 'AnonHuge' in l]\n"
        "print(json.dumps({'same': before == after, 'huge_kb': int(huge[0]) if huge else 0}))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["same"]
    if _kernel_offers_huge_pages():
        assert got["huge_kb"] > 0


def _kernel_offers_huge_pages() -> bool:
    try:
        mode = Path("/sys/kernel/mm/transparent_hugepage/enabled").read_text()
    except OSError:
        return False
    major, minor = (int(x) for x in platform.release().split(".")[:2])
    return "[never]" not in mode and (major, minor) >= (6, 1)
