"""Runs an exercise's checks through pytest's own API, against one live sandboxed submission.

A pytest session costs about 30 ms to set up (configuration, plugins, collection, fixture
parsing), a quarter of a light grading's overhead. So one session serves every submission of
an exercise in this process: it is started once, in a thread of its own, with a
`pytest_runtestloop` hook that waits for the next submission and runs the collected checks
again, exactly as pytest's default loop would (the last check's teardown ends every fixture,
so nothing of one submission reaches the next). A batch worker grades a class this way; a
student's single `grade` pays for one session, as before.

The session is replaced when the exercise's check files change on disk, or when another
exercise or mode (public or public + hidden) is asked for.
It is the process's Worker's (grader.grading.worker), as is the lock that lets one grading at
a time through it.
"""
from __future__ import annotations

import os
import queue
import sys
import threading
from pathlib import Path

import pytest

from grader.grading import worker
from grader.grading.plugin import GraderPlugin, Job, Outcome
from grader.core.spec import Exercise, grading_files_digest
from grader.core.errors import ChecksBroken

# Built-in plugins a grading run does not use; two of them run gc.collect() per session.
_UNUSED_PLUGINS = ("unraisableexception", "threadexception", "doctest", "junitxml", "pastebin",
                   "logging", "faulthandler", "stepwise", "setuponly", "setupplan", "unittest",
                   "legacypath", "debugging", "capture")


def run_checks(job: Job, hidden: bool) -> dict[str, Outcome]:
    """Run the exercise's checks (the hidden ones too if asked) against `job.session`;
    return each check's outcome by name. The session is this process's Worker's."""
    me = worker.current()
    key = _key(job.exercise, hidden)
    with me.one_at_a_time:
        if me.checks is None or me.checks.key != key or not me.checks.alive:
            if me.checks is not None:
                me.checks.stop()
            _forget_check_modules(job.exercise)
            me.checks = ChecksSession(job.exercise, hidden, key)
        return me.checks.run(job)


def _key(ex: Exercise, hidden: bool) -> tuple:
    return (os.getpid(), str(ex.folder), hidden, grading_files_digest(ex.folder))


def _forget_check_modules(ex: Exercise) -> None:
    """pytest's importlib mode reuses a module already in sys.modules: without this, a check
    file fixed by the instructor, or another folder of the same name, would go on running the
    checks this process imported first."""
    package = Path(ex.folder).name
    for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
        del sys.modules[name]


class ChecksSession:
    """A pytest session in a thread, fed one Job at a time."""

    def __init__(self, ex: Exercise, hidden: bool, key: tuple):
        self.key = key
        self.plugin = GraderPlugin()
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._done: queue.Queue[tuple[str, object]] = queue.Queue()
        args = [str(f) for f in ex.check_files(hidden)] + [
            "-p", "no:cacheprovider", "-p", "no:terminal", "--assert=plain", "--noconftest",
            *(arg for name in _UNUSED_PLUGINS for arg in ("-p", f"no:{name}")),
            "-c", os.devnull, "--import-mode=importlib",
            # rootdir above the exercise folders: check modules get distinct names
            # (ex01_x.test_public)
            "--rootdir", str(Path(ex.folder).parent),
            "-W", "ignore::DeprecationWarning"]
        # Third-party pytest plugins have no business in a grading run.
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        self._thread = threading.Thread(target=self._main, args=(args,), daemon=True,
                                        name=f"checks-{ex.id}")
        self._thread.start()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def run(self, job: Job) -> dict[str, Outcome]:
        self._jobs.put(job)
        while True:
            try:
                kind, value = self._done.get(timeout=1.0)
                break
            except queue.Empty:
                if not self._thread.is_alive() and self._done.empty():
                    raise ChecksBroken("the pytest session ended unexpectedly") from None
        if kind == "ok":
            return value  # type: ignore[return-value]
        raise ChecksBroken(str(value))

    def stop(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=10)

    # ---- in the session's thread -------------------------------------------------------------
    def _main(self, args: list[str]) -> None:
        try:
            code = pytest.main(args, plugins=[self.plugin, self])
        except BaseException as e:  # noqa: BLE001  anything here is the grader's fault
            code = f"{type(e).__name__}: {e}"
        # A session that ended before the loop (a usage error) answers the job it was given.
        self._done.put(("error", f"pytest exit code {code}"))

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        while (job := self._jobs.get()) is not None:
            if self.plugin.collect_errors:
                self._done.put(("error", self.plugin.collect_errors[0]))
                return True
            self.plugin.begin(job)
            items = session.items
            for i, item in enumerate(items):
                item.config.hook.pytest_runtest_protocol(
                    item=item, nextitem=items[i + 1] if i + 1 < len(items) else None)
            self._done.put(("ok", self.plugin.outcomes))
        return True
