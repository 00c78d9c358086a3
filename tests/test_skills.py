"""Skills bypassed by a second route: what an exercise asks the student to write cannot be
reached some other way (grader/sandbox/skills.py), and a recorded training is the one the
exercise asks for (ex03's loss, gradients and steps recomputed in the grader).

The attacks are tests/attacks/skill_*.py, each with its verdict in its header; here they are
graded against the real exercises in the strong sandbox. The routes themselves are also tried
one by one, with skills.py loaded into a plain interpreter, as the child loads it.
"""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import EXERCISES, STRONG, exercise, strong_only
from grader.grading.pipeline import GradeOptions, grade
from grader.core.result import GRADED
from grader.sandbox.isolation import INSIDE_FILES, SANDBOX_DIR

ATTACKS = Path(__file__).resolve().parent / "attacks"
ZERO_GRAD = "test_zero_grad_clears_every_gradient"  # their own zero_grad is honest
TRAINS = "test_fit_torch_trains_with_autograd"


@dataclass(frozen=True)
class Verdict:
    exercise: str
    words: str                       # in a failed check's message
    lost_only: tuple[str, ...] = ()  # when set: exactly these checks fail
    kept: tuple[str, ...] = ()       # checks it may pass (honest parts of it): the rest score 0


VERDICTS = {
    # a second route to torch.optim's algorithms (ex10 refuses them)
    "skill_second_load_from_file.py": Verdict("ex10", "may not be read in ex10", kept=(ZERO_GRAD,)),
    "skill_runpy_source.py": Verdict("ex10", "may not be read in ex10", kept=(ZERO_GRAD,)),
    "skill_exec_source_text.py": Verdict("ex10", "may not be read in ex10", kept=(ZERO_GRAD,)),
    "skill_link_and_reload.py": Verdict("ex10", "may not be", kept=(ZERO_GRAD,)),
    "skill_source_via_program.py": Verdict("ex10", "may not be started in ex10",
                                           kept=(ZERO_GRAD,)),
    "skill_functional_forms.py": Verdict("ex10", "may not be used in ex10", kept=(ZERO_GRAD,)),
    "skill_optimizer_private_forms.py": Verdict("ex10", "may not be used in ex10",
                                                kept=(ZERO_GRAD,)),
    "skill_fused_kernels.py": Verdict("ex10", "torch._fused_sgd_ may not be used in ex10",
                                      kept=(ZERO_GRAD,)),
    # a training that is not the exercise's (ex03: the answer in closed form, then steps)
    "skill_closed_form_fake_loss.py": Verdict("ex03", "not the squared error", (TRAINS,)),
    "skill_fake_loss_other_data.py": Verdict("ex03", "not the squared error", (TRAINS,)),
    "skill_real_loss_fake_gradient.py": Verdict("ex03", "the gradient of the data's loss",
                                                (TRAINS,)),
    "skill_own_step_to_the_answer.py": Verdict("ex03", "replayed here", (TRAINS,)),
}


def test_every_skill_attack_has_a_verdict():
    assert sorted(p.name for p in ATTACKS.glob("skill_*.py")) == sorted(VERDICTS)


@strong_only
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_skill_attack_gets_its_verdict(name):
    v = VERDICTS[name]
    r = grade(exercise(v.exercise), ATTACKS / name, GradeOptions(hidden=True, layers=STRONG))
    failed = [c for c in r.checks if not c.passed]
    said = [r.message] + [c.message for c in failed]
    assert r.status == GRADED, (r.status, said)
    assert any(v.words in m for m in said), said
    if v.lost_only:
        assert sorted(c.name for c in failed) == sorted(v.lost_only), said
    else:
        assert all(c.name in v.kept for c in r.checks if c.passed), \
            [(c.name, c.message) for c in r.checks if c.passed]
    assert not any(c.status == "grader_error" for c in r.checks), said


def test_skills_py_is_mounted_in_the_sandbox():
    assert "skills.py" in INSIDE_FILES and (SANDBOX_DIR / "skills.py").is_file()


# Each route, tried in a plain interpreter after skills.close(ex10's list): "closed" or "open".
ROUTES = r'''
import importlib, importlib.util, json, os, runpy, subprocess, sys
import torch
import torch.distributed.optim.functional_adam as distributed  # loaded before, as a preload is
spec = importlib.util.spec_from_file_location("_grader_skills", sys.argv[1])
skills = importlib.util.module_from_spec(spec)
spec.loader.exec_module(skills)
skills.close(json.loads(sys.argv[2]), "ex10")
import torch.optim.optimizer as base, torch.optim._functional as F
OPTIM = os.path.dirname(torch.optim.__file__)
ADAM = os.path.join(OPTIM, "adam.py")
p = torch.zeros(3, requires_grad=True)
p.grad = torch.ones(3)
z = lambda: torch.zeros(3)
ADAM_ARGS = dict(amsgrad=False, beta1=.9, beta2=.99, lr=.1, weight_decay=0., eps=1e-8,
                 maximize=False)
PRIVATE = dict(grad_scale=None, found_inf=None, has_complex=False, capturable=False,
               differentiable=False, **ADAM_ARGS)
SGD_ARGS = dict(weight_decay=0., momentum=0., lr=.1, dampening=0., nesterov=False,
                maximize=False)


def subclass(name):
    for c in torch.optim.Optimizer.__subclasses__():
        if c.__name__ == name:
            return c
    raise LookupError("gone: no reference to the class is left, and it was collected")


routes = {
    "by name": lambda: torch.optim.Adam([p]).step(),
    "a subclass found by the base class": lambda: subclass("Adam")([p]).step(),
    "a subclass of the class": lambda: type("A", (subclass("SGD"),), {})([p], lr=.1).step(),
    "optimizer.py's copy of _single_tensor_adam": lambda: base._single_tensor_adam(
        [p], [p.grad], [z()], [z()], [], [torch.tensor(0.)], **PRIVATE),
    "torch.optim._functional.adam": lambda: F.adam([p], [p.grad], [z()], [z()], [],
                                                   [torch.tensor(0.)], **ADAM_ARGS),
    "torch.optim._functional.sgd": lambda: F.sgd([p], [p.grad], [None], **SGD_ARGS),
    "what the functional form wraps": lambda: F.adam.__wrapped__,
    "the distributed functional optimizers": lambda: distributed.F.adam(
        [p], [p.grad], [z()], [z()], [], [torch.tensor(0.)], **ADAM_ARGS),
    "aten::_fused_adam_ via torch.ops": lambda: torch.ops.aten._fused_adam_.default(
        [p], [p.grad], [z()], [z()], [], [torch.tensor(1.)], lr=.1, beta1=.9, beta2=.99,
        weight_decay=0., eps=1e-8, amsgrad=False, maximize=False),
    "aten::_fused_sgd_ via torch._VF": lambda: torch._VF._fused_sgd_(
        [p], [p.grad], [], is_first_step=False, **SGD_ARGS),
    "adam.py opened": lambda: open(ADAM).read(),
    "adam.py through a folder's fd": lambda: os.open("adam.py", os.O_RDONLY,
                                                     dir_fd=os.open(OPTIM, os.O_RDONLY)),
    "its bytecode": lambda: [open(os.path.join(OPTIM, "__pycache__", f), "rb").read()
                             for f in os.listdir(os.path.join(OPTIM, "__pycache__"))
                             if f.startswith("adam.")],
    "a link to it": lambda: os.symlink(ADAM, sys.argv[3] + "/mine.py"),
    "a link to its folder": lambda: (os.symlink(OPTIM, sys.argv[3] + "/d"),
                                     open(sys.argv[3] + "/d/adam.py").read()),
    "runpy": lambda: runpy.run_path(ADAM, run_name="torch.optim._x"),
    "importlib.reload": lambda: importlib.reload(sys.modules["torch.optim.adam"]),
    "its loader's code": lambda: sys.modules["torch.optim.adam"].__spec__.loader.get_code(
        "torch.optim.adam"),
    "code that says it came from adam.py": lambda: exec(compile("x = 1", ADAM, "exec")),
    "another program": lambda: subprocess.run(["cat", ADAM], capture_output=True),
    "os.system": lambda: os.system("true"),
    "subprocess's C function": lambda: sys.modules["_posixsubprocess"].fork_exec(),
    "a fresh copy of it": lambda: (sys.modules.pop("_posixsubprocess"),
                                   __import__("_posixsubprocess").fork_exec),
    # honest code: none of these is the algorithm
    "honest: an Optimizer subclass": lambda: type("Mine", (torch.optim.Optimizer,), {
        "step": lambda self: None})([p], {}).step(),
    "honest: foreach arithmetic": lambda: torch._foreach_add([z()], [z()]),
    "honest: optimizer.py read": lambda: open(base.__file__).read(),
    "honest: a scheduler": lambda: torch.optim.lr_scheduler.StepLR,
}
out = {}
pid = os.fork()  # forking stays allowed: the child keeps the hook
if pid == 0:
    os._exit(0)
out["honest: a fork"] = "open" if os.waitpid(pid, 0)[1] == 0 else "closed"
for name, route in routes.items():
    try:
        route()
        out[name] = "open"
    except BaseException as e:
        out[name] = "closed: " + type(e).__name__ + ": " + str(e)[:400]
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def routes(tmp_path_factory) -> dict[str, str]:
    paths = yaml.safe_load((EXERCISES / "ex10_optimizers" / "exercise.yaml").read_text())
    scratch = tmp_path_factory.mktemp("routes")
    done = subprocess.run([sys.executable, "-c", ROUTES, str(SANDBOX_DIR / "skills.py"),
                           json.dumps(paths["disabled_in_sandbox"]), str(scratch)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


USED, READ = "may not be used in ex10", "may not be read in ex10"
CLOSED_BECAUSE = {  # route: what its refusal says (any one of)
    "by name": (USED,),
    "a subclass found by the base class": (USED, "gone"),
    "a subclass of the class": (USED, "gone"),
    "optimizer.py's copy of _single_tensor_adam": (USED,),
    "torch.optim._functional.adam": (USED,),
    "torch.optim._functional.sgd": (USED,),
    "what the functional form wraps": ("no attribute '__wrapped__'",),  # a refuser wraps nothing
    "the distributed functional optimizers": (USED,),
    "aten::_fused_adam_ via torch.ops": (USED,),
    "aten::_fused_sgd_ via torch._VF": (USED,),
    "adam.py opened": (READ,),
    "adam.py through a folder's fd": (READ,),
    "its bytecode": (READ,),
    "a link to it": ("may not be linked to in ex10",),
    "a link to its folder": (READ,),
    "runpy": (READ,),
    "importlib.reload": (READ,),
    "its loader's code": (READ,),
    "code that says it came from adam.py": ("may not be compiled in ex10",),
    "another program": ("may not be started in ex10",),
    "os.system": ("may not be started in ex10",),
    "subprocess's C function": ("may not be started in ex10",),
    "a fresh copy of it": ("may not be imported in ex10",),
}


def test_every_route_to_torch_optims_algorithms_is_closed(routes):
    tried = {k: v for k, v in routes.items() if not k.startswith("honest")}
    assert sorted(tried) == sorted(CLOSED_BECAUSE)
    wrong = {k: v for k, v in tried.items() if not any(w in v for w in CLOSED_BECAUSE[k])}
    assert not wrong, wrong


def test_honest_code_beside_the_refused_algorithms_still_works(routes):
    honest = {k: v for k, v in routes.items() if k.startswith("honest")}
    assert all(v == "open" for v in honest.values()), honest
