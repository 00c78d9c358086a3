"""The pytest internals grader/grading/plugin.py and grader/grading/runner.py rely on, checked directly, so that
a pytest release that moves them fails here, loudly and by name, instead of as a puzzling
grading failure (pyproject.toml pins the range these tests pass on).

- runner.py runs the collected items again for each submission from its own
  `pytest_runtestloop`, calling `pytest_runtest_protocol` with `nextitem=None` at the end so
  the last teardown ends every fixture;
- plugin.py replaces `Item.repr_failure` and the private `Item._repr_failure_py`;
- runner.py disables built-in plugins by name (`-p no:NAME`).
"""
from __future__ import annotations

import importlib.metadata
import inspect
from pathlib import Path
from types import SimpleNamespace

import _pytest.config
import _pytest.nodes
import pytest
from packaging.requirements import Requirement

from grader.grading import runner, worker
from grader.grading.plugin import Job

CHECKS = '''
import pytest

EVENTS = []


@pytest.fixture(scope="module")
def shared():
    EVENTS.append("module-setup")
    yield
    EVENTS.append("module-teardown")


@pytest.fixture
def each(seed):
    EVENTS.append(f"setup-{seed}")
    yield seed
    EVENTS.append(f"teardown-{seed}")


def test_passes(shared, each):
    assert each >= 0


def test_fails(shared, each):
    assert each < 0, f"seed {each}"


def test_events(shared, each):
    assert EVENTS.count("module-setup") == EVENTS.count("module-teardown") + 1
'''


def test_the_installed_pytest_is_in_the_pinned_range():
    wanted = next(Requirement(r) for r in importlib.metadata.requires("nn-grader")
                  if Requirement(r).name == "pytest")
    assert wanted.specifier.contains(pytest.__version__), (
        f"pytest {pytest.__version__} is outside the tested range {wanted.specifier}: run this "
        f"file, then widen the pin in pyproject.toml")


def test_the_private_repr_hook_plugin_py_replaces_still_exists():
    assert hasattr(_pytest.nodes.Node, "_repr_failure_py"), (
        "pytest.Item._repr_failure_py is gone: grader/grading/plugin.py's "
        "pytest_collection_modifyitems must find the new name")
    params = list(inspect.signature(_pytest.nodes.Node._repr_failure_py).parameters)
    assert params[:2] == ["self", "excinfo"], params


def test_every_plugin_the_runner_disables_exists():
    gone = set(runner._UNUSED_PLUGINS) - set(_pytest.config.default_plugins)
    assert not gone, f"pytest no longer has the built-in plugins {gone}: update grader/grading/runner.py"


def test_one_session_reruns_its_items_with_fresh_fixtures(tmp_path: Path):
    """Three submissions through one live pytest session, exactly as a batch worker runs them:
    each gets every outcome, and every fixture (module scope too) is set up and torn down once
    per submission."""
    folder = tmp_path / "exzz_internals"
    folder.mkdir()
    (folder / "test_public.py").write_text(CHECKS, encoding="utf-8")
    ex = SimpleNamespace(id="exzz", folder=folder,
                         check_files=lambda hidden: [folder / "test_public.py"])
    try:
        for seed in (1, 2, 3):
            outcomes = runner.run_checks(Job(exercise=ex, session=None, seed=seed), hidden=False)
            assert {k: v.status for k, v in outcomes.items()} == {
                "test_passes": "passed", "test_fails": "failed", "test_events": "passed"}
            assert outcomes["test_fails"].message.endswith(f"seed {seed}")
        module = next(m for name, m in __import__("sys").modules.items()
                      if name.endswith("exzz_internals.test_public"))
        events = module.EVENTS
        assert events.count("module-setup") == events.count("module-teardown") == 3, events
        for seed in (1, 2, 3):
            assert events.count(f"setup-{seed}") == events.count(f"teardown-{seed}") == 3
    finally:
        me = worker.current()
        with me.one_at_a_time:
            if me.checks is not None:
                me.checks.stop()
                me.checks = None
