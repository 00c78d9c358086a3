"""The private torch (and numpy) names the sandbox's walls rely on, checked in the installed
torch, so that a release that moves one fails here, by name, instead of leaving a wall quietly
open: each of these is looked up with getattr(..., None) where it is used, and a missing one
is skipped there, not reported (pyproject.toml pins the torch these pass on).

- grader/sandbox/guard.py: `torch._C._len_torch_function_stack` and
  `_len_torch_dispatch_stack` (a submission that leaves a torch function or dispatch mode
  active is caught by these counts); `RAW_ADDRESS` (torch's constructors of a storage at a raw
  address, refused); `torch._disable_dynamo`, whose wrappers `_library_wrapper` tells apart
  from a student's replacement by their `__wrapped__` and their file in torch's folder; the
  watched modules and classes; numpy's private `numpy.lib._stride_tricks_impl.as_strided`.
- grader/sandbox/readers.py: torch.Tensor's attributes as its MRO resolves them, through the
  private `torch._C.TensorBase` (where `item` lives), and nn.Parameter a subclass of Tensor.
- grader/sandbox/skills.py: `torch._C._dispatch_library(kind, name, dispatch, file, linenum)`
  and its module's `impl(name, dispatch, func, with_keyset)`, aten's fused optimizer kernels
  (`torch.ops.aten._fused_adam_` ... with `overloads()`), and every entry of ex10's
  `disabled_in_sandbox` (private modules such as torch.optim._functional among them).
- grader/sandbox/child.py: `torch._C._set_deterministic_algorithms` (it falls back on the
  public call without it, at two seconds a run).
"""
from __future__ import annotations

import importlib
import inspect
import os

import numpy as np
import pytest
import torch
import yaml

from conftest import EXERCISES
from grader.sandbox import guard, readers


def _signature_words(fn) -> str:
    """A pybind function's signature, as its docstring's first line says it."""
    return (fn.__doc__ or "").strip().splitlines()[0]


def test_the_mode_counters_guard_reads_count_modes():
    from torch.overrides import TorchFunctionMode
    counters = guard._mode_counters(torch)
    assert len(counters) == 2, "torch._C._len_torch_function_stack / _len_torch_dispatch_stack"
    before = tuple(f() for f in counters)
    with TorchFunctionMode():
        assert tuple(f() for f in counters) != before
    assert tuple(f() for f in counters) == before


@pytest.mark.parametrize("owner, name", guard.RAW_ADDRESS)
def test_the_raw_address_constructors_guard_refuses_exist(owner, name):
    holder = torch._C if owner == "torch._C" else getattr(torch, owner.split(".")[1])
    assert callable(getattr(holder, name, None)), f"{owner}.{name} is gone: update RAW_ADDRESS"


def test_torchs_own_wrappers_are_told_apart_from_a_students():
    def original():
        return 1

    wrapped = torch._disable_dynamo(original)
    assert wrapped.__wrapped__ is original
    assert guard._library_wrapper(wrapped, original)
    assert not guard._library_wrapper(lambda: 1, original)


def test_every_watched_module_and_class_exists():
    for name in guard.WATCHED_MODULES:
        importlib.import_module(name)
    for owner, attr in guard.WATCHED_CLASSES:
        assert isinstance(getattr(importlib.import_module(owner), attr, None), type), \
            f"{owner}.{attr}"


def test_numpys_private_as_strided_guard_bounds_exists():
    impl = importlib.import_module("numpy.lib._stride_tricks_impl")
    assert impl.as_strided is np.lib.stride_tricks.as_strided


def test_the_tensor_classes_readers_snapshot():
    assert readers._tensor_classes() == (torch.Tensor, torch.nn.Parameter)
    assert torch._C.TensorBase in torch.Tensor.__mro__
    merged = readers._merged(torch.Tensor)
    for name in ("item", "detach", "tolist", "__float__", "__int__", "numpy"):
        assert name in merged, f"torch.Tensor.{name}"
    assert "item" in vars(torch._C.TensorBase)


def test_the_dispatcher_entry_skills_overrides_kernels_through():
    words = _signature_words(torch._C._dispatch_library)
    assert words.startswith("_dispatch_library(kind: str, name: str, dispatch: str, file: str"), \
        words
    impl = _signature_words(torch._C._DispatchModule.impl)
    assert impl.startswith("impl(self: object, name: str, dispatch: "), impl
    assert "func: object, with_keyset: bool" in impl, impl


def _disabled_in_ex10() -> list[str]:
    spec = yaml.safe_load((EXERCISES / "ex10_optimizers" / "exercise.yaml").read_text("utf-8"))
    return spec["disabled_in_sandbox"]


@pytest.mark.parametrize("path", _disabled_in_ex10())
def test_everything_ex10_refuses_exists(path):
    """skills._forbidden skips a name it cannot find: a renamed one would be left open."""
    try:
        importlib.import_module(path)
        return
    except ImportError:
        pass
    owner, _, attr = path.rpartition(".")
    assert getattr(importlib.import_module(owner), attr, None) is not None, path
    if owner == "torch" and attr.startswith("_fused_"):
        for name in (attr, attr.rstrip("_")):   # in place and functional twins
            packet = getattr(torch.ops.aten, name)
            assert "default" in packet.overloads(), name


def test_the_deterministic_switch_child_flips_does_what_the_public_one_does():
    was = (torch.are_deterministic_algorithms_enabled(),
           torch.is_deterministic_algorithms_warn_only_enabled())
    try:
        torch._C._set_deterministic_algorithms(True, warn_only=True)
        assert torch.are_deterministic_algorithms_enabled()
        assert torch.is_deterministic_algorithms_warn_only_enabled()
    finally:
        torch._C._set_deterministic_algorithms(was[0], warn_only=was[1])


def test_the_files_named_here_still_use_these_names():
    """This file names what the walls use; a wall that stops using one can drop it here."""
    sandbox = os.path.dirname(guard.__file__)
    text = {f: open(os.path.join(sandbox, f), encoding="utf-8").read()
            for f in ("guard.py", "readers.py", "skills.py", "child.py")}
    for f, names in {"guard.py": ("_len_torch_function_stack", "_construct_storage_from_data",
                                  "_new_with_weak_ptr", "_stride_tricks_impl"),
                     "skills.py": ("_dispatch_library", "handle.impl", "overloads()"),
                     "child.py": ("_set_deterministic_algorithms",),
                     "readers.py": ("__mro__",)}.items():
        for name in names:
            assert name in text[f], f"{f} no longer uses {name}: drop it from this test"
    assert inspect.getsource(guard._library_wrapper).count("__wrapped__")
