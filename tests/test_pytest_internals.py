"""The pytest internals grader/grading/plugin.py and grader/grading/runner.py rely on, checked directly, so that
a pytest release that moves them fails here, loudly and by name, instead of as a puzzling
grading failure (pyproject.toml pins the range these tests pass on).

- runner.py runs the collected items again for each submission from its own
  `pytest_runtestloop`, calling `pytest_runtest_protocol` with `nextitem=None` at the end so
  the last teardown ends every fixture;
- plugin.py makes the report of a phase that raised itself, through the public
  `pytest_runtest_makereport` hook (first result wins), with the exception's one line as its
  long repr: pytest's own would render a traceback with source that a grading never shows.
  It builds `pytest.TestReport` from the item's public attributes, and leaves a skip to
  pytest (`TestReport.from_item_and_call`); the runner disables the capture and logging
  plugins, so a failing phase has no captured sections to carry;
- runner.py disables built-in plugins by name (`-p no:NAME`).
"""
from __future__ import annotations

import importlib.metadata
import inspect
import os
from pathlib import Path
from types import SimpleNamespace

import _pytest.config
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


def test_the_report_plugin_py_makes_is_built_from_public_names():
    params = list(inspect.signature(pytest.TestReport).parameters)
    assert params[:10] == ["nodeid", "location", "keywords", "outcome", "longrepr", "when",
                           "sections", "duration", "start", "stop"], params
    assert callable(pytest.TestReport.from_item_and_call)
    assert issubclass(pytest.skip.Exception, BaseException)
    assert {"capture", "logging"} <= set(runner._UNUSED_PLUGINS), (
        "a failing phase's report carries no captured sections: capture must stay off")


def test_every_plugin_the_runner_disables_exists():
    gone = set(runner._UNUSED_PLUGINS) - set(_pytest.config.default_plugins)
    assert not gone, f"pytest no longer has the built-in plugins {gone}: update grader/grading/runner.py"


ODD = '''
import sys

import pytest

if sys.version_info < (3, 11):
    from exceptiongroup import ExceptionGroup


@pytest.fixture
def broken():
    raise RuntimeError("the fixture's own fault")


def test_skips():
    pytest.skip("not today")


def test_group():
    raise ExceptionGroup("two", [ValueError("a"), AssertionError("b")])


def test_skips_in_a_group():
    raise ExceptionGroup("skips", [pytest.skip.Exception("x")])


def test_setup_fails(broken):
    pass


def test_long_message():
    assert False, "x" * 5000
'''


def _drop_the_warm_session() -> None:
    """The next run starts a pytest session of its own (this file's checks are not a bank's)."""
    me = worker.current()
    with me.one_at_a_time:
        if me.checks is not None:
            me.checks.stop()
            me.checks = None


def _run(tmp_path: Path, text: str, seeds=(1,)) -> list[dict]:
    folder = tmp_path / "exzz_internals"
    folder.mkdir(exist_ok=True)
    (folder / "test_public.py").write_text(text, encoding="utf-8")
    ex = SimpleNamespace(id="exzz", folder=folder,
                         check_files=lambda hidden: [folder / "test_public.py"])
    try:
        return [runner.run_checks(Job(exercise=ex, session=None, seed=s), hidden=False)
                for s in seeds]
    finally:
        _drop_the_warm_session()


def test_what_is_not_a_plain_failure_ends_as_before(tmp_path: Path):
    """A skip, an exception group, a fixture that raises, a message past 2000 characters: the
    verdict each gets, whoever builds pytest's report."""
    out = _run(tmp_path, ODD)[0]
    assert {k: v.status for k, v in out.items()} == {
        "test_skips": "grader_error", "test_group": "grader_error",
        "test_skips_in_a_group": "grader_error", "test_setup_fails": "grader_error",
        "test_long_message": "failed"}
    assert out["test_long_message"].message == "x" * 5000
    assert "RuntimeError: the fixture's own fault" in out["test_setup_fails"].traceback


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
        _drop_the_warm_session()


class _Reports:
    def __init__(self) -> None:
        self.seen: list[pytest.TestReport] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.seen.append(report)


def test_a_failure_is_reported_in_one_line_without_rendering_its_source(tmp_path: Path):
    """The plugin's own report: the exception's line as the long repr, and pytest's renderer of
    a failure (which reads the check file's source) never asked."""
    from grader.grading.plugin import GraderPlugin
    checks = tmp_path / "test_one.py"
    checks.write_text("def test_fails():\n    assert 1 == 2, 'one is not two'\n"
                      "def test_passes():\n    pass\n", encoding="utf-8")
    plugin, reports = GraderPlugin(), _Reports()
    plugin.begin(Job(exercise=None, session=None, seed=0))
    rendered = []
    original = pytest.Item.repr_failure
    pytest.Item.repr_failure = lambda self, *a, **k: rendered.append(self) or original(self, *a, **k)
    try:
        code = pytest.main([str(checks), "-q", "-p", "no:cacheprovider", "-p", "no:capture",
                            "-p", "no:logging", "--assert=plain", "-c", os.devnull,
                            "--rootdir", str(tmp_path)], plugins=[plugin, reports])
    finally:
        pytest.Item.repr_failure = original
    assert code == 1 and rendered == []
    failed = [r for r in reports.seen if r.failed]
    assert len(failed) == 1 and isinstance(failed[0].longrepr, str)
    assert failed[0].longrepr.startswith("AssertionError: one is not two")
    assert plugin.outcomes["test_fails"].message == "one is not two"
    assert plugin.outcomes["test_passes"].status == "passed"

