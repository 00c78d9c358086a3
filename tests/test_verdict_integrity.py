"""Verdicts the submission cannot forge: patched libraries, reaching for the grader's data, and
checks passed without the skill (tests/attacks/, each file's header says what it does and the
verdict it must get). Graded against the real exercises, in the strong sandbox."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import STRONG, exercise, strong_only
from grader.grading.pipeline import GradeOptions, grade
from grader.core.result import GRADED, LOAD_ERROR

ATTACKS = Path(__file__).resolve().parent / "attacks"
pytestmark = strong_only
TAMPER = "the grader cannot trust this run"
FRAMES = "reached for the grader's own frames"
ZERO_GRAD = "test_zero_grad_clears_every_gradient"  # their own zero_grad is honest


@dataclass(frozen=True)
class Verdict:
    exercise: str
    status: str
    words: str = ""              # in the result's message, or in a failed check's
    lost_only: tuple[str, ...] = ()  # when set: exactly these checks fail
    kept: tuple[str, ...] = ()   # checks it may pass (honest parts of it): the rest score 0
    hidden: bool = True
    not_in_output: str = "LEAKED"


VERDICTS = {
    # 1. patched libraries
    "tensor_float_patched.py": Verdict("ex02", LOAD_ERROR, "added torch.Tensor.__float__"),
    "numpy_asarray_patched.py": Verdict("ex07", LOAD_ERROR, "replaced numpy.asarray"),
    "sys_modules_torch_replaced.py": Verdict("ex03", LOAD_ERROR, "replaced sys.modules['torch']"),
    "torch_function_mode.py": Verdict("ex06", LOAD_ERROR, "torch function or dispatch mode"),
    "probes_namespace_poisoned.py": Verdict("ex02", GRADED, "added the grader's probes.float"),
    "rewrites_probe_code.py": Verdict("ex02", GRADED, "rewrote a function that is not yours"),
    "optimizer_registry_emptied.py": Verdict("ex10", GRADED, "may not be used in ex10",
                                             kept=(ZERO_GRAD,)),
    "optimizer_via_subclasses.py": Verdict("ex10", GRADED, "may not be used in ex10",
                                           kept=(ZERO_GRAD,)),
    # 2. the grader's data in reach
    "walks_frames_for_hidden_inputs.py": Verdict("ex02", GRADED, FRAMES),
    "traceback_frame_walk.py": Verdict("ex03", GRADED, FRAMES),
    "inspect_stack.py": Verdict("ex07", GRADED, FRAMES),
    "gc_walks_heap.py": Verdict("ex06", LOAD_ERROR, "walked the interpreter's heap"),
    # 3. checks passed without the skill
    "closed_form_then_noop_steps.py": Verdict(
        "ex03", GRADED, "changed the parameters", ("test_fit_torch_trains_with_autograd",)),
    "closed_form_then_tiny_steps.py": Verdict(
        "ex03", GRADED, "bring it down", ("test_fit_torch_trains_with_autograd",)),
    "params_set_between_steps.py": Verdict(
        "ex03", GRADED, "changed between optimizer steps", ("test_fit_torch_trains_with_autograd",)),
}


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_attack_gets_its_verdict(name):
    v = VERDICTS[name]
    r = grade(exercise(v.exercise), ATTACKS / name, GradeOptions(hidden=v.hidden, layers=STRONG))
    failed = [c for c in r.checks if not c.passed]
    said = [r.message] + [c.message for c in failed]
    assert r.status == v.status, (r.status, said)
    assert any(v.words in m for m in said), said
    if v.lost_only:
        assert sorted(c.name for c in failed) == sorted(v.lost_only), said
    else:
        assert all(c.name in v.kept for c in r.checks if c.passed), \
            [(c.name, c.message) for c in r.checks if c.passed]
    assert v.not_in_output not in r.output, r.output[-2000:]
    assert not any(c.status == "grader_error" for c in r.checks), said


def test_a_builtin_patched_only_while_the_code_runs_does_not_reach_the_probes():
    r = grade(exercise("ex02"), ATTACKS / "builtins_float_transient.py",
              GradeOptions(hidden=True, layers=STRONG))
    assert r.status == GRADED and not r.full_marks, [(c.name, c.message) for c in r.checks]
    assert not any(TAMPER in c.message for c in r.checks)  # nothing left changed: just wrong
    notes = next(c for c in r.checks if c.name == "test_reaches_minimum_of_notes_loss")
    assert "x = -1.5" in notes.message, notes.message  # the probe read the truth


def test_a_students_own_run_never_holds_the_hidden_probes():
    r = grade(exercise("ex02"), ATTACKS / "reads_probes_namespace.py",
              GradeOptions(hidden=False, layers=STRONG))
    seen = [line for line in r.output.splitlines() if line.startswith("PROBES")]
    assert seen and all("notes_loss" in line for line in seen), r.output
    assert not any("descend" in line for line in seen), seen  # ex02's hidden checks' probe


def test_honest_code_that_touches_the_libraries_legitimately_is_not_called_tampering(tmp_path):
    """Seeding, printing options, no_grad, a module's own hooks, namedtuple and logging (which
    read frames themselves), matplotlib, tqdm: none of it is tampering."""
    source = (ATTACKS / "honest_gd.py").read_text() + "\n" + HONEST_EXTRAS
    path = tmp_path / "ex02.py"
    path.write_text(source)
    r = grade(exercise("ex02"), path, GradeOptions(hidden=True, layers=STRONG))
    assert r.status == GRADED and r.full_marks, [(c.name, c.message) for c in r.checks]


HONEST_EXTRAS = '''
import collections, logging, traceback, typing
import numpy as np
import torch
import matplotlib.pyplot as plt
from tqdm import tqdm

torch.manual_seed(0)
np.random.seed(0)
torch.set_printoptions(precision=3)
np.set_printoptions(precision=3)
Point = collections.namedtuple("Point", "x y")
T = typing.TypeVar("T")
logging.basicConfig(level=logging.INFO)
logging.getLogger("student").info("starting")
net = torch.nn.Linear(2, 1)
net.register_forward_hook(lambda module, args, out: None)
with torch.no_grad():
    net(torch.zeros(1, 2))
try:
    raise ValueError("a student's own error, printed")
except ValueError:
    traceback.print_exc()
for _ in tqdm(range(3)):
    pass
plt.plot([1, 2, 3])
plt.savefig("/tmp/plot.png")
'''
