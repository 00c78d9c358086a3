"""Issue "Sandbox, round three", classes 2 to 4: what the submission installs never runs with
the grader's frames, raw memory is out of reach by every route that can be closed in-process,
and the probes read values only through the libraries' own classes.

Each attack in tests/attacks/ prints "REACHED ..." when a route got through; the verdict is
graded against the real exercises in the strong sandbox. The units below test hooks.py,
readers.py and the per-run code-name rules directly, in a process of their own.
"""
from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import STRONG, exercise, strong_only
from grader.grading.pipeline import GradeOptions, grade
from grader.core.result import GRADED, LOAD_ERROR
from grader.sandbox import isolation, probe_source

ATTACKS = Path(__file__).resolve().parent / "attacks"
SANDBOX = isolation.SANDBOX_DIR


@dataclass(frozen=True)
class Verdict:
    exercise: str
    status: str
    said: str = ""        # in the output, a message or a failed check's message


VERDICTS = {
    # 2. hooks that would see the grader's frames
    "hook_settrace.py": Verdict("ex02", GRADED, "sys.settrace() is not available"),
    "hook_thread_trace.py": Verdict("ex02", GRADED, "sys.settrace() is not available"),
    "hook_signal_frames.py": Verdict("ex02", GRADED, "frames 0"),
    "hook_signal_raw.py": Verdict("ex02", LOAD_ERROR, "reached for the grader's own frames"),
    "hook_audit_hook.py": Verdict("ex02", GRADED),
    "hook_main_module.py": Verdict("ex02", GRADED, "nothing in __main__"),
    "spoofed_code_names.py": Verdict("ex02", GRADED, "is not allowed in the sandbox"),
    # 3. raw memory
    "memory_routes.py": Verdict("ex02", GRADED, "refused as_strided past the end"),
    # 4. values read through the submission's classes
    "class_swapped_on_params.py": Verdict("ex02", GRADED, "may not change the class"),
    "instance_methods_shadowed.py": Verdict("ex02", GRADED),
    "subclass_returned.py": Verdict("ex06", GRADED, "a subclass of torch.Tensor"),
}


@strong_only
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_attack_gets_its_verdict(name):
    v = VERDICTS[name]
    r = grade(exercise(v.exercise), ATTACKS / name, GradeOptions(hidden=True, layers=STRONG))
    said = "\n".join([r.message, r.output] + [c.message for c in r.checks])
    assert r.status == v.status, (r.status, said[-3000:])
    assert r.score == 0, [(c.name, c.message) for c in r.checks if c.passed]
    assert "REACHED" not in r.output, r.output[-3000:]
    assert v.said in said, said[-3000:]
    assert not any(c.status == "grader_error" for c in r.checks), said[-3000:]


@strong_only
def test_a_float_subclass_is_read_as_the_number_it_holds():
    """A number subclass is the student's own value: read as what it holds, not refused."""
    r = grade(exercise("ex06"), ATTACKS / "subclass_returned.py",
              GradeOptions(hidden=True, layers=STRONG))
    norms = [c for c in r.checks if c.name == "test_norm_of_1_3"]
    assert norms and "returned Lie" in norms[0].message, [c.message for c in norms]


def _in_child(code: str) -> str:
    """Run `code` in a fresh interpreter with the sandbox's helper files importable."""
    prelude = f"import sys\nsys.path.insert(0, {str(SANDBOX)!r})\n"
    out = subprocess.run([sys.executable, "-c", prelude + code], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_signal_handlers_get_no_frame_and_getsignal_gives_them_back():
    out = _in_child(
        "import os, signal, hooks\n"
        "foreign = hooks.install_signal_wrappers()\n"
        "seen = []\n"
        "def h(n, frame): seen.append(frame)\n"
        "old = signal.signal(signal.SIGUSR1, h)\n"
        "assert signal.getsignal(signal.SIGUSR1) is h\n"
        "os.kill(os.getpid(), signal.SIGUSR1)\n"
        "assert signal.signal(signal.SIGUSR1, old) is h\n"
        "print('frames', seen, 'foreign', foreign())\n")
    assert "frames [None] foreign []" in out


def test_quarantine_puts_the_submissions_hooks_aside_between_calls():
    out = _in_child(
        "import gc, sys, warnings, hooks\n"
        "enter, leave, as_grader = hooks.quarantine()\n"
        "enter()\n"
        "mine = lambda *a: None\n"
        "sys.excepthook = sys.unraisablehook = warnings.showwarning = mine\n"
        "gc.callbacks.append(mine)\n"
        "leave()\n"
        "between = (sys.excepthook is mine, sys.unraisablehook is mine,\n"
        "           warnings.showwarning is mine, mine in gc.callbacks, gc.isenabled())\n"
        "enter()\n"
        "back = (sys.excepthook is mine, mine in gc.callbacks, gc.isenabled())\n"
        "sys.meta_path.insert(0, 'theirs')\n"
        "inside = as_grader(lambda: 'theirs' in sys.meta_path)\n"
        "print(between, back, inside, 'theirs' in sys.meta_path)\n")
    assert "(False, False, False, False, False) (True, True, True) False True" in out


def test_readers_read_the_class_as_it_was_and_refuse_subclasses():
    out = _in_child(
        "import torch, numpy, guard, readers\n"
        "surface = guard.Surface()\n"
        "read, faults = readers.make(surface.modules_as_they_were())\n"
        "attr, as_float = read['__attr__'], read['__read_float__']\n"
        "t = torch.tensor(1.5)\n"
        "t.detach = lambda: torch.tensor(2.0)\n"
        "saved = torch.Tensor.tolist\n"
        "torch.Tensor.tolist = lambda self: 'patched'\n"
        "print('detach', float(attr(t, 'detach')()), 'tolist', attr(t, 'tolist')())\n"
        "torch.Tensor.tolist = saved\n"
        "class Evil(torch.Tensor):\n"
        "    pass\n"
        "e = torch.tensor(3.0).as_subclass(Evil)\n"
        "for read_it in (lambda: attr(e, 'item'), lambda: as_float(e)):\n"
        "    try:\n"
        "        read_it()\n"
        "    except TypeError as err:\n"
        "        print('refused', 'subclass of torch.Tensor' in str(err))\n"
        "print('faults', len(faults()), len(faults()))\n"
        "class Lie(float):\n"
        "    def __float__(self):\n"
        "        return 0.0\n"
        "print('float', as_float(Lie(7.0)), 'np', attr(numpy, 'asarray') is numpy.asarray)\n")
    assert "detach 1.5 tolist 1.5" in out, out
    assert out.count("refused True") == 2 and "faults 2 0" in out, out
    assert "float 7.0 np True" in out, out


def test_probes_are_compiled_with_their_reads_routed_and_lines_kept():
    code = probe_source.compiled("import math\n\n\ndef p(sub):\n    return sub.x.y\n")
    import base64
    import marshal
    module = marshal.loads(base64.b64decode(code))
    names = {c.co_name: c for c in module.co_consts if hasattr(c, "co_name")}
    assert "__attr__" in names["p"].co_names and names["p"].co_firstlineno == 4
    assert module.co_filename == "<probes>"
    with pytest.raises(SyntaxError):
        probe_source.compiled("def broken(:\n")
