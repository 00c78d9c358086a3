"""grader/grading/worker.py: one Worker per process holds what lasts between gradings, and
nothing else in grader/ keeps module-level state of its own."""
from __future__ import annotations

import ast
import inspect
import os
from pathlib import Path

import pytest

from grader.grading import worker
from grader.grading.worker import Worker
from grader.sandbox import holdings, uids

GRADER = Path(__file__).resolve().parents[1] / "grader"

# Module-level mutable state allowed, each with why it is not the process's state.
ALLOWED = {
    # the one holder: this process's Worker (the sandbox may not import grading, so it is there)
    "sandbox/holdings.py:_here", "sandbox/holdings.py:_making",
    # caches: the same answer for every caller, made once, never handed over
    "sandbox/isolation.py:_BWRAP_PROBLEM", "sandbox/seccomp.py:_LIBC",
    "classroom/similarity/fingerprint.py:_TOKEN_IDS",
    # context-scoped: set and reset around one check's call, in its thread
    "grading/checks.py:_RAISED",
    # inside the sandbox: the submission's own process (zygote and child), not the grader's
    "sandbox/hooks.py:_CODE", "sandbox/readers.py:_MERGED", "sandbox/skills.py:_KEEP",
    "sandbox/skills.py:_CODE", "sandbox/guard.py:_TORCH_DIR", "sandbox/child.py:*",
    "sandbox/forkserver.py:*",
}
_MUTABLE_CALLS = {"dict", "list", "set", "defaultdict", "OrderedDict", "Counter", "deque",
                  "Lock", "RLock", "Value", "ContextVar", "local", "WeakValueDictionary"}
_MUTATORS = {"append", "extend", "add", "update", "pop", "popitem", "clear", "setdefault",
             "insert", "remove", "discard", "acquire", "set"}


def _mutable_bindings(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        call = value.func if isinstance(value, ast.Call) else None
        called = getattr(call, "attr", getattr(call, "id", ""))
        if isinstance(value, (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp,
                              ast.SetComp)) or called in _MUTABLE_CALLS:
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def _state(path: Path) -> set[str]:
    """Module-level names of `path` that change after import: containers changed in place
    (a method that mutates, an item set or deleted, a lock taken) and `global` rebinds."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bound, found = _mutable_bindings(tree), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            found |= set(node.names)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name) and node.func.attr in _MUTATORS:
            found |= {node.func.value.id} & bound
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            targets = node.targets if not isinstance(node, ast.AugAssign) else [node.target]
            found |= {t.value.id for t in targets if isinstance(t, ast.Subscript)
                      and isinstance(t.value, ast.Name)} & bound
        elif isinstance(node, ast.With):
            found |= {i.context_expr.id for i in node.items
                      if isinstance(i.context_expr, ast.Name)} & bound
    return found


def _all_state() -> set[str]:
    return {f"{p.relative_to(GRADER).as_posix()}:{name}"
            for p in sorted(GRADER.rglob("*.py")) if "__pycache__" not in p.parts
            for name in _state(p)}


def _allowed(entry: str) -> bool:
    return entry in ALLOWED or entry.split(":")[0] + ":*" in ALLOWED


def test_the_worker_is_the_only_module_level_state():
    assert sorted(e for e in _all_state() if not _allowed(e)) == []


def test_the_allowed_list_names_only_state_that_remains():
    found = _all_state()
    stale = [a for a in ALLOWED if not a.endswith(":*") and a not in found]
    assert stale == []


def test_the_scan_sees_state_kept_the_old_ways(tmp_path: Path):
    """What the issue found in eight modules: a table filled later, a global slot, a lock."""
    src = tmp_path / "m.py"
    src.write_text("import threading\n_held = {}\n_slot = 0\n_lock = threading.Lock()\n"
                   "TABLE = {'a': 1}\n"
                   "def f(k, z):\n    _held[k] = z\n\n"
                   "def g(n):\n    global _slot\n    _slot = n\n\n"
                   "def h():\n    with _lock:\n        return TABLE['a']\n")
    assert _state(src) == {"_held", "_slot", "_lock"}


def test_one_worker_per_process_holds_the_sandbox_state():
    me = worker.current()
    assert worker.current() is me and holdings.current() is me
    base = 63000 + os.getpid() % 500
    uid = uids.lease(3, base)
    assert me.leases[(3, base)][0] == uid


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX")
def test_a_fork_gets_a_worker_of_its_own_and_a_batch_worker_adopts_its_slot():
    base = 62000 + os.getpid() % 500
    parent = worker.current()
    uids.lease(0, base), uids.lease(1, base)
    r, w = os.pipe()
    for batch_worker in (True, False):
        pid = os.fork()
        if pid == 0:
            if batch_worker:
                me = Worker.forked(1)
                ok = worker.current() is me and me.slot == 1 and me is not parent
                ok = ok and sorted(s for s, b in me.leases if b == base) == [1]
            else:                           # a plain fork: nothing of the parent's
                me = worker.current()
                ok = me is not parent and not me.leases and me.pid == os.getpid()
            os.write(w, b"ok" if ok else b"no")
            os._exit(0)
        os.waitpid(pid, 0)
        assert os.read(r, 10) == b"ok", "batch worker" if batch_worker else "plain fork"
    assert worker.current() is parent and (0, base) in parent.leases


def test_the_weak_sandbox_policy_is_the_workers(monkeypatch):
    from grader.sandbox import isolation
    weak = isolation.detect_layers(allow_bwrap=False)
    monkeypatch.setattr(isolation, "detect_layers", lambda allow_bwrap=True: weak)
    assert "cannot sandbox strongly" in Worker().refusal()
    assert "dask worker x cannot sandbox strongly" in Worker().refusal("dask worker x")
    assert Worker(allow_weak_sandbox=True).refusal() is None


def test_both_executors_are_executors():
    from grader.classroom.batch.dask_executor import DaskExecutor
    from grader.classroom.batch.executors import Executor, LocalExecutor
    wanted = {n for n in vars(Executor) if not n.startswith("_") or n in ("__enter__",
                                                                            "__exit__")}
    for cls in (LocalExecutor, DaskExecutor):
        for name in wanted:
            assert callable(getattr(cls, name, None)), f"{cls.__name__} has no {name}"
            theirs = inspect.signature(getattr(cls, name)).parameters
            assert list(theirs) == list(inspect.signature(getattr(Executor, name)).parameters)
