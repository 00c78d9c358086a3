"""The gradebook (SQLite): one transaction per grade, nothing lost or duplicated, resumable after
SIGKILL, a current submission per student and exercise, and clean errors for unusable files.
No sandbox runs here: results are built by hand."""
from __future__ import annotations

import dataclasses
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import REPO, SOLUTIONS, exercise
from grader.classroom.gradebook import UNREADABLE, Gradebook, GradebookError, Key
from grader.core.result import FAILED, GRADED, PASSED, CheckResult, Result, RunInfo

KEY = "k" * 32


def result(score: float = 3.0, checks: int = 3, wall_s: float = 1.5) -> Result:
    cs = tuple(CheckResult(name=f"test_{i}", description=f"check {i}",
                           status=PASSED if i < score else FAILED, points=1.0 if i < score else 0,
                           max_points=1.0, hidden=i == checks - 1, message="" if i < score
                           else "wrong <b>value</b>") for i in range(checks))
    return Result(exercise="ex01", title="t", submission="subs/a/ex01.py", status=GRADED,
                  score=sum(c.points for c in cs), max_score=float(checks), checks=cs,
                  run=RunInfo(seed=0, device="cpu", sandbox="x", wall_s=wall_s),
                  graded_at="2026-01-01T00:00:00+00:00")


def key(student: str = "alice", sha: str = "a" * 64, ex: str = "ex01") -> Key:
    return Key(student, ex, sha, KEY)


@pytest.fixture
def gb(tmp_path: Path):
    with Gradebook.in_folder(tmp_path) as book:
        yield book


def rows(gb: Gradebook, sql: str) -> list:
    return gb._db.execute(sql).fetchall()


def test_created_on_first_use_with_the_three_tables(tmp_path: Path):
    with Gradebook.in_folder(tmp_path / "new" / "out") as gb:
        assert gb.path == tmp_path / "new" / "out" / "gradebook.sqlite"
        assert gb.path.exists()
        tables = {r[0] for r in rows(gb, "SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"students", "submissions", "results"} <= tables
        assert gb.counts() == {"students": 0, "submissions": 0, "results": 0}


def test_record_stores_submission_and_every_check(gb: Gradebook):
    sid = gb.record(key(), "subs/alice/ex01.py", result(score=2), name="Alice A")
    assert gb.has(key())
    assert not gb.has(key(sha="b" * 64))
    assert gb.counts() == {"students": 1, "submissions": 1, "results": 3}
    (e,) = gb.current()
    assert (e.id, e.student, e.name, e.exercise, e.score, e.max_score, e.wall_s) == \
        (sid, "alice", "Alice A", "ex01", 2.0, 3.0, 1.5)
    assert e.result.checks[2].message == "wrong <b>value</b>"   # the document round-trips
    assert gb.passing("ex01") == {"test_0": 1, "test_1": 1, "test_2": 0}


def test_regrade_replaces_the_row_instead_of_adding_one(gb: Gradebook):
    first = gb.record(key(), "p", result(score=1))
    second = gb.record(key(), "p", result(score=3))
    assert second != first
    assert gb.counts() == {"students": 1, "submissions": 1, "results": 3}
    assert [e.score for e in gb.current()] == [3.0]


def test_new_content_becomes_current_and_going_back_needs_no_regrade(gb: Gradebook):
    gb.record(key(sha="1" * 64), "p", result(score=1))
    gb.record(key(sha="2" * 64), "p", result(score=3))
    assert [e.sha256[0] for e in gb.current()] == ["2"]
    assert gb.has(key(sha="1" * 64))          # the student went back to the first file
    assert [e.sha256[0] for e in gb.current()] == ["1"]
    assert gb.counts()["submissions"] == 2    # history kept, one current row
    assert gb.passing("ex01")["test_0"] == 1


def test_expected_and_observed_round_trip_and_old_documents_still_load(gb: Gradebook):
    """A failed check's values come back as they went in; a document written before the
    fields existed (no keys at all) loads with None."""
    r = result(score=1)
    r = dataclasses.replace(r, checks=(
        r.checks[0],
        dataclasses.replace(r.checks[1], expected=2.0, observed="nan"),
        dataclasses.replace(r.checks[2], expected=[3, 4], observed=[4, 3])))
    back = gb.entry(gb.record(key(), "subs/alice/ex01.py", r)).result
    assert back == r
    assert [(c.expected, c.observed) for c in back.checks] == \
        [(None, None), (2.0, "nan"), ([3, 4], [4, 3])]
    old = r.to_json(indent=None).replace(', "expected": 2.0, "observed": "nan"', "")
    old = old.replace(', "expected": [3, 4], "observed": [4, 3]', "")
    assert '"expected"' not in old
    sid = gb.record(key(sha="b" * 64), "subs/alice/ex01.py", r, result_json=old)
    assert [(c.expected, c.observed) for c in gb.entry(sid).result.checks] == [(None, None)] * 3


def test_unreadable_file_is_recorded_with_its_reason_and_no_checks(gb: Gradebook):
    gb.record_unreadable(key(), "p/ex01.py", "ex01.py is empty", 17.0, "2026-01-01T00:00:00Z")
    (e,) = gb.current()
    assert (e.status, e.score, e.max_score, e.message, e.result) == \
        (UNREADABLE, 0.0, 17.0, "ex01.py is empty", None)
    assert gb.counts()["results"] == 0


def test_a_failed_write_leaves_nothing_behind(gb: Gradebook):
    bad = result()
    bad = Result(**{**bad.__dict__, "checks": bad.checks + bad.checks[:1]})  # duplicate check
    with pytest.raises(sqlite3.IntegrityError):
        gb.record(key(), "p", bad)
    assert gb.counts() == {"students": 0, "submissions": 0, "results": 0}
    assert not gb.has(key())


def test_name_is_kept_when_a_later_record_has_none(gb: Gradebook):
    gb.record(key(ex="ex01"), "p", result(), name="Alice A")
    gb.record(key(ex="ex02"), "p", result())
    assert {e.name for e in gb.current()} == {"Alice A"}


def test_not_a_gradebook_is_one_clean_error(tmp_path: Path):
    (tmp_path / "gradebook.sqlite").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(GradebookError, match="not a usable gradebook"):
        Gradebook.in_folder(tmp_path)


def test_a_newer_schema_is_refused(tmp_path: Path):
    db = sqlite3.connect(tmp_path / "gradebook.sqlite")
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(GradebookError, match="newer grader"):
        Gradebook.in_folder(tmp_path)


WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {tests!r})
    from test_gradebook import key, result
    from grader.classroom.gradebook import Gradebook
    with Gradebook.in_folder({out!r}) as gb:
        for i in range(100000):
            gb.record(key(student=f"s{{i:06d}}"), "p", result(checks=20))
            if i == 20:
                print("writing", flush=True)
""")


def test_sigkill_mid_write_loses_and_duplicates_nothing(tmp_path: Path):
    """A writer recording grades as fast as it can is killed with SIGKILL: every submission
    that made it into the gradebook has all its 20 checks, and the gradebook opens again."""
    code = WRITER.format(tests=str(Path(__file__).parent), out=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == "writing"
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Gradebook.in_folder(tmp_path) as gb:
        n = gb.counts()["submissions"]
        assert n > 20
        assert gb.counts()["results"] == 20 * n
        assert rows(gb, "SELECT COUNT(*) FROM submissions s WHERE (SELECT COUNT(*) FROM "
                        "results r WHERE r.submission = s.id) != 20") == [(0,)]
        assert rows(gb, "PRAGMA integrity_check") == [("ok",)]
        gb.record(key(student="after"), "p", result())   # and it can be written again


def test_a_grader_fault_is_kept_with_its_traceback_until_the_file_is_graded(tmp_path: Path):
    """`grade batch` does not record a grading the grader broke (the next run retries it), but
    keeps its traceback for the instructor; grading that same file clears it."""
    from grader.classroom.batch.executors import Task, grade_task
    from grader.grading.pipeline import GradeOptions
    from grader.core.status import TaskKind

    ex = exercise("ex02")
    broken = dataclasses.replace(ex, data=("no-such-data-set",))  # load_datasets raises
    sub = tmp_path / "ex02.py"
    sub.write_text((SOLUTIONS / "ex02.py").read_text(encoding="utf-8"), encoding="utf-8")
    payload = grade_task(Task("alice", broken, str(sub)), GradeOptions())
    assert payload.kind == TaskKind.ERROR == "error"
    assert "unknown data set" in payload.reason
    assert "Traceback (most recent call last)" in payload.traceback
    assert "load_datasets" in payload.traceback

    key = Key("alice", "ex02", "f" * 64, "public+hidden")
    with Gradebook.in_folder(tmp_path / "out") as gb:
        gb.record_grader_error(key, "alice/ex02.py", payload.reason, payload.traceback,
                               "2026-11-29T12:00:00Z")
        [row] = gb.grader_errors()
        assert (row["student"], row["exercise"]) == ("alice", "ex02")
        assert "load_datasets" in row["traceback"]
        gb.record_unreadable(key, "alice/ex02.py", "empty", 10, "2026-11-29T12:01:00Z")
        assert gb.grader_errors() == []


def test_times_and_grades_a_run_did_not_include_are_kept(tmp_path):
    from grader.classroom.gradebook import NO_SUBMISSION, Gradebook, Key
    with Gradebook(tmp_path / "gb.sqlite") as gb:
        key = Key("ada", "ex02", "a" * 64, "k")
        gb.record_unreadable(key, "ada/ex02.py", "empty", 10, "2026-11-20T10:00:00")
        assert gb.has_grade("ada", "ex02") and not gb.has_grade("bob", "ex02")
        gb.record_no_submission(Key("bob", "ex02", "", "k"), 10, "2026-11-20T10:00:00")
        assert not gb.has_grade("bob", "ex02")          # "no submission" is not a grade
        gb.update_times([("ada", "ex02", "a" * 64, "2026-11-21T08:00:00", True)])
        gb.update_times([("ada", "ex02", "a" * 64, "", True)])    # a rerun without times
        [e] = [e for e in gb.current() if e.student == "ada"]
        assert (e.submitted_at, e.late) == ("2026-11-21T08:00:00", True)
        assert [e.status for e in gb.current() if e.student == "bob"] == [NO_SUBMISSION]
        assert gb.grader_error_checks() == {}
