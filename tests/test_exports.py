"""Grades and feedback going out of a class folder: Canvas and Moodle imports, the per-check
export, overrides (audit trail, review when the file changes), the late policy, feedback with
hidden checks withheld until release, and a Gradescope autograder run on a fake /autograder.

Classes here are built from submissions graded without a sandbox (syntax errors: every check
failed, hidden ones too), so each batch takes a second; only the Gradescope test runs one real
submission (the ex02 reference) in the sandbox.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import jsonschema
import pytest

from conftest import EXERCISES, REPO, SOLUTIONS, STRONG, SUBMISSIONS
from grader.classroom.batch import BatchOptions, run_batch
from grader.cli import main
from grader.classroom import csvfile
from grader.classroom.exports.gradescope import RESULTS_SCHEMA, results_document
from grader.classroom.late import Policy, lateness
from grader.classroom.gradebook import Gradebook
from grader.core.result import FAILED, GRADED, PASSED, CheckResult, Result

SYNTAX = "def GD(:\n"
HIDDEN_CHECK = "test_random_bowl_minimum"        # one of ex02's hidden checks
PUBLIC_CHECK = "test_loss_falls"                 # public, worth 1
CANVAS_ROSTER = """\
Student,ID,SIS User ID,SIS Login ID,Section,Exercise 2: descent (123456),Current Score
    Points Possible,,,,,10,
"Lovelace, Ada",1001,S-001,ada,Section A,,
"Turing, Alan",1002,S-002,alan,Section A,,
"=cmd|' /C calc'!A0",1003,S-003,eve,Section B,,
"""
WHEN = (2026, 11, 20, 10, 0, 0)                  # the zip's time of every submission


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=WHEN), data)
    return path


def grade(*args: str) -> int:
    return main(["--exercises", str(EXERCISES), *args])


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def canvas_class(tmp: Path, ada: str = SYNTAX, **late) -> Path:
    z = _zip(tmp / "canvas.zip", {
        "lovelaceada_1001_5001_ex02.py": ada,
        "turingalan_1002_5002_ex02.py": SYNTAX + "# alan\n",
        "stranger_4242_5042_ex02.py": SYNTAX + "# who\n",
    })
    roster = tmp / "roster.csv"
    roster.write_text(CANVAS_ROSTER, encoding="utf-8")
    out = tmp / "class"
    run_batch(z, EXERCISES, BatchOptions(out=out, exercise="ex02", roster=roster, **late))
    return out


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    return canvas_class(tmp_path_factory.mktemp("canvas"))


# ---- Canvas, Moodle, checks ------------------------------------------------------------------

def test_canvas_export_has_canvas_columns_every_rostered_student_and_no_total(klass, capsys):
    assert grade("export", "canvas", str(klass), "-o", "-") == 0
    out, err = capsys.readouterr()
    table = rows(out)
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                        "Exercise 2: descent (123456)"]            # the roster's Canvas column
    assert table[1][0].strip() == "Points Possible" and table[1][5] == "10"
    people = {r[1]: r for r in table[2:]}
    assert set(people) == {"1001", "1002", "1003"}            # 4242 is not on the roster
    assert people["1003"][5] == ""       # no submission: blank, Canvas keeps a TA's grade
    assert people["1001"][:5] == ["Lovelace, Ada", "1001", "S-001", "ada", "Section A"]
    assert people["1003"][0].startswith("'=")                  # a formula, neutralised
    assert "not on the roster left out: 4242" in err
    assert "ex02 goes to the Canvas column 'Exercise 2: descent (123456)'" in err


def test_canvas_roster_columns_match_by_exercise_words_not_bare_numbers():
    from grader.classroom.exports.canvas import column_names
    from conftest import exercise
    ex02 = exercise("ex02")
    assert column_names([ex02], {}, ["Quiz 2 (5)", "Ex 2: descent (6)"]) == ["Ex 2: descent (6)"]
    assert column_names([ex02], {}, ["Quiz 2 (5)"]) == ["ex02 " + ex02.title]


def test_canvas_assignment_flag_names_the_column(klass, tmp_path: Path):
    target = tmp_path / "c.csv"
    assert grade("export", "canvas", str(klass), "-o", str(target),
                 "--assignment", "ex02=Lab 2 (999)") == 0
    assert rows(target.read_text(encoding="utf-8-sig"))[0][-1] == "Lab 2 (999)"


def test_canvas_column_without_a_name_starts_with_the_exercise_id(tmp_path: Path):
    subs = tmp_path / "subs" / "ada"
    subs.mkdir(parents=True)
    (subs / "ex02.py").write_text(SYNTAX)
    run_batch(tmp_path / "subs", EXERCISES, BatchOptions(out=tmp_path / "c", exercise="ex02"))
    assert grade("export", "canvas", str(tmp_path / "c")) == 0
    head = rows((tmp_path / "c" / "canvas.csv").read_text(encoding="utf-8-sig"))[0]
    assert head[5].startswith("ex02 ") and "total" not in head


def test_moodle_worksheet_is_what_moodle_imports(tmp_path: Path, capsys):
    z = _zip(tmp_path / "moodle.zip", {
        "Ada Lovelace_1001_assignsubmission_file_/gd.py": SYNTAX,
        "Alan Turing_1002_assignsubmission_file_/ex02.py": SYNTAX + "#\n"})
    out = tmp_path / "class"
    run_batch(z, EXERCISES, BatchOptions(out=out, exercise="ex02"))
    assert grade("override", str(out), "1002", "ex02", "--check", HIDDEN_CHECK, "--points",
                 "2", "--comment", "right idea") == 0
    capsys.readouterr()
    assert grade("export", "moodle", str(out), "-o", "-") == 0
    table = rows(capsys.readouterr().out)
    assert table[0][:6] == ["Identifier", "Full name", "Email address", "Status", "Grade",
                            "Maximum grade"]
    assert {"Last modified (grade)", "Feedback comments"} <= set(table[0])
    col = {h: i for i, h in enumerate(table[0])}
    assert [r[0] for r in table[1:]] == ["Participant 1001", "Participant 1002"]
    assert table[1][col["Grade"]] == "0" and table[1][col["Maximum grade"]] == "10"
    assert "0 of 6 checks passed" in table[1][col["Feedback comments"]]
    assert table[2][col["Grade"]] == "2"
    assert "(a check): right idea" in table[2][col["Feedback comments"]]
    assert HIDDEN_CHECK not in "".join(",".join(r) for r in table)
    # A Moodle class's feedback is Moodle's feedback zip, filed by participant number.
    assert grade("feedback", str(out), "--out", str(tmp_path / "fb")) == 0
    assert not list((tmp_path / "fb").glob("canvas-*"))
    with zipfile.ZipFile(tmp_path / "fb" / "moodle-feedback-ex02.zip") as zf:
        assert sorted(zf.namelist()) == [
            "Ada Lovelace_1001_assignsubmission_file_/ex02-report.html",
            "Alan Turing_1002_assignsubmission_file_/ex02-report.html"]


def test_checks_export_has_a_row_per_check(klass, capsys):
    assert grade("export", "checks", str(klass), "-o", "-") == 0
    table = rows(capsys.readouterr().out)
    assert table[0][:8] == ["student_id", "name", "exercise", "check", "hidden", "status",
                            "points", "max_points"]
    ada = [r for r in table[1:] if r[0] == "1001"]
    assert len(ada) == 6 and {r[5] for r in ada} == {"failed"}
    assert [r for r in ada if r[3] == HIDDEN_CHECK][0][4] == "1"
    assert [r for r in table if r[0] == "1003"][0][5] == "no_submission"


def test_checks_export_ends_with_expected_and_observed(tmp_path, capsys):
    """A real grading (ex02's sign error, in the sandbox): each failed check's values as data
    in the last two columns, the columns before them as they always were."""
    wrong = (SUBMISSIONS / "ex02" / "sign_error.py").read_text(encoding="utf-8")
    out = canvas_class(tmp_path, ada=wrong)
    assert grade("export", "checks", str(out), "-o", "-") == 0
    table = rows(capsys.readouterr().out)
    assert table[0] == ["student_id", "name", "exercise", "check", "hidden", "status", "points",
                        "max_points", "override_points", "message", "expected", "observed"]
    assert {len(r) for r in table} == {12}
    ada = {r[3]: r for r in table[1:] if r[0] == "1001"}
    minimum = ada["test_reaches_minimum_of_notes_loss"]
    assert minimum[5] == "failed" and minimum[10] == "2.0"
    assert abs(float(minimum[11]) - 2.0) > 0.01 and minimum[9].startswith("x = ")
    assert ada["test_loss_falls"][10].startswith("below ")
    assert ada["test_runs_loop_max_steps"][5] == "passed"
    assert ada["test_runs_loop_max_steps"][10:] == ["", ""]
    alan = [r for r in table[1:] if r[0] == "1002"]
    assert alan and all(r[10:] == ["", ""] for r in alan)   # syntax error: nothing compared


def test_exports_come_from_the_gradebook_not_grades_csv(klass, capsys):
    (klass / "grades.csv").write_text("student_id,name,ex02,total\n1001,Ada,10,10\n")
    assert grade("export", "canvas", str(klass), "-o", "-") == 0
    assert {r[1]: r[5] for r in rows(capsys.readouterr().out)[2:]}["1001"] == "0"


def test_formula_cells_are_escaped():
    assert [csvfile.cell(v) for v in ("=1+1", "+x", "-x", "@x", "Ada", 3.0)] == \
        ["'=1+1", "'+x", "'-x", "'@x", "Ada", 3.0]


@pytest.mark.parametrize("args, message", [
    (["export", "canvas", "no-such-class"], "no such class folder"),
    (["override", "no-such-class", "--list"], "no such class folder"),
    (["feedback", "no-such-class", "--out", "fb"], "no such class folder"),
    (["gradescope", "ex99", "--out", "x.zip"], "ex99"),
])
def test_unusable_input_is_one_line_exit_2(tmp_path: Path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    assert grade(*args) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "no-such-class").exists()        # nothing made by a typo


# ---- overrides -------------------------------------------------------------------------------

def test_override_is_audited_and_shown_everywhere(tmp_path: Path, capsys):
    out = canvas_class(tmp_path)
    assert grade("override", str(out), "1001", "ex02", "--check", PUBLIC_CHECK, "--points", "1",
                 "--comment", "the loss does fall", "--by", "prof") == 0
    assert grade("override", str(out), "1002", "ex02", "--points", "7",
                 "--comment", "oral exam") == 0
    capsys.readouterr()
    assert grade("override", str(out), "--list") == 0
    listed = capsys.readouterr().out
    assert "1001 ex02 test_loss_falls -> 1 [applied] by prof" in listed
    assert "1002 ex02 (exercise) -> 7 [applied]" in listed and "oral exam" in listed
    with Gradebook.in_folder(out) as gb:
        assert [(o["student"], o["by"]) for o in gb.overrides()][0] == ("1001", "prof")
    grades = {r[0]: r[2] for r in csv.reader((out / "grades.csv").open())}
    assert (grades["1001"], grades["1002"]) == ("1", "7")
    assert grade("export", "canvas", str(out), "-o", "-") == 0
    assert {r[1]: r[5] for r in rows(capsys.readouterr().out)[2:]}["1002"] == "7"
    report = next((out / "reports" / "1001").glob("ex02-*.html")).read_text()
    assert "Your grade was adjusted" in report and "the loss does fall" in report
    doc = json.loads((out / "results" / "1001" / "ex02.json").read_text())
    assert doc["score"] == 1 and any("Override" in a for a in doc["extra_data"]["adjustments"])
    assert "oral exam" in (out / "index.html").read_text()


def test_override_kept_while_the_file_is_unchanged_and_flagged_when_it_changes(tmp_path: Path,
                                                                              capsys):
    out = canvas_class(tmp_path)
    assert grade("override", str(out), "1001", "ex02", "--points", "5", "--comment", "ok") == 0
    canvas_class(tmp_path)                                   # rerun, same files
    assert {r[0]: r[2] for r in csv.reader((out / "grades.csv").open())}["1001"] == "5"
    canvas_class(tmp_path, ada=SYNTAX + "# a new attempt\n")     # Ada sends another file
    assert {r[0]: r[2] for r in csv.reader((out / "grades.csv").open())}["1001"] == "0"
    capsys.readouterr()
    assert grade("override", str(out), "--list") == 0
    assert "[needs review]" in capsys.readouterr().out
    assert "Needs review" in (out / "index.html").read_text()


@pytest.mark.parametrize("args, message", [
    (["9999", "ex02", "--points", "1", "--comment", "x"], "unknown student"),
    (["1001", "ex02", "--check", "nope", "--points", "1", "--comment", "x"], "no check 'nope'"),
    (["1001", "ex02", "--points", "11", "--comment", "x"], "between 0 and 10"),
    (["1001", "ex02", "--points", "1"], "--comment is required"),
    (["1001", "ex02", "--comment", "x"], "--points"),
    (["1003", "ex02", "--check", PUBLIC_CHECK, "--points", "1", "--comment", "x"],
     "no check ran for 1003"),
])
def test_override_refuses_what_cannot_be(klass, capsys, args, message):
    assert grade("override", str(klass), *args) == 2
    assert message in capsys.readouterr().err


# ---- late policy -----------------------------------------------------------------------------

def test_lateness_days_grace_cap_and_extensions():
    rule = Policy("2026-11-20T00:00+00:00", per_day=10, cap=25, grace_minutes=30,
                  extensions={"bob": "2026-11-25T00:00+00:00"})
    assert lateness(rule, "ada", "2026-11-20T00:29:00") is None           # within the grace
    assert lateness(rule, "ada", "2026-11-20T00:31:00").days == 1
    assert lateness(rule, "ada", "2026-11-21T12:00:00").percent == 20
    assert lateness(rule, "ada", "2026-11-30T00:00:00").percent == 25    # the cap
    assert lateness(rule, "bob", "2026-11-24T00:00:00") is None          # an extension
    assert lateness(rule, "ada", "") is None                             # no time known


def test_late_penalty_applied_at_export_and_shown(tmp_path: Path, capsys):
    ext = tmp_path / "extensions.csv"
    ext.write_text("student,days\n1002,30\n")
    times = tmp_path / "times.csv"        # from Canvas's Submissions API: the zip has none
    times.write_text("student,submitted_at\n1001,2026-11-20T10:00\n1002,2026-11-20T10:00\n")
    out = canvas_class(tmp_path, deadline="2026-11-18T10:00+00:00", late_per_day=25,
                       late_cap=50, extensions=ext, submission_times=times)   # 2 days after
    for who in ("1001", "1002"):
        assert grade("override", str(out), who, "ex02", "--check", "test_reaches_minimum_of_"
                     "notes_loss", "--points", "3", "--comment", "checked by hand") == 0
    capsys.readouterr()
    assert grade("export", "canvas", str(out), "-o", "-") == 0
    scores = {r[1]: r[5] for r in rows(capsys.readouterr().out)[2:]}
    assert (scores["1001"], scores["1002"]) == ("1.5", "3")   # 2 days: -50%; extended: on time
    report = next((out / "reports" / "1001").glob("ex02-*.html")).read_text()
    assert "2 days after the deadline" in report
    index = (out / "index.html").read_text()
    assert "25% per day late" in index and "Late: submitted" in index


def test_an_extension_for_an_unknown_student_is_refused(tmp_path: Path):
    ext = tmp_path / "extensions.csv"
    ext.write_text("student,days\nnobody,3\n")
    with pytest.raises(Exception, match="unknown student nobody"):
        canvas_class(tmp_path, deadline="2026-11-18T10:00", extensions=ext)


# ---- feedback --------------------------------------------------------------------------------

def test_feedback_withholds_hidden_checks_until_release(tmp_path: Path, capsys):
    klass = canvas_class(tmp_path)
    assert grade("override", str(klass), "1002", "ex02", "--check", HIDDEN_CHECK, "--points",
                 "2", "--comment", "right idea", "--by", "prof") == 0
    before, after = tmp_path / "before", tmp_path / "after"
    assert grade("feedback", str(klass), "--out", str(before)) == 0
    html = (before / "1001" / "ex02-report.html").read_text()
    assert "4 hidden checks, worth 6 points, graded after the deadline" in html
    assert HIDDEN_CHECK not in html and PUBLIC_CHECK in html
    assert "0 / 4" in html                                 # out of the public points
    assert grade("feedback", str(klass), "--out", str(after), "--release") == 0
    html = (after / "1001" / "ex02-report.html").read_text()
    assert HIDDEN_CHECK in html and "hidden checks, worth" not in html
    instructor = next((klass / "reports" / "1001").glob("ex02-*.html")).read_text()
    assert HIDDEN_CHECK in instructor
    # A Canvas class: Canvas's "Re-Upload Submissions" names (user id, attachment id), never
    # a Moodle zip carrying Canvas ids as participant numbers.
    assert not list(before.glob("moodle-*"))
    with zipfile.ZipFile(before / "canvas-feedback-ex02.zip") as zf:
        names = zf.namelist()
        assert all(HIDDEN_CHECK.encode() not in zf.read(n) for n in names)
    assert sorted(names) == ["lovelaceada_1001_5001_ex02-report.html",
                             "stranger_4242_5042_ex02-report.html",
                             "turingalan_1002_5002_ex02-report.html"]
    assert "1003 ex02: no uploaded file in Canvas" in capsys.readouterr().err
    alan = (after / "1002" / "ex02-report.html").read_text()
    assert "Points changed by hand (a check): right idea" in alan and "prof" not in alan
    capsys.readouterr()
    assert grade("export", "moodle", str(klass), "-o", "-") == 2   # Canvas ids: none for Moodle
    assert "no student in" in capsys.readouterr().err


def test_before_release_the_output_of_hidden_runs_is_withheld(klass):
    from grader.classroom.exports.feedback import WITHHELD, student_view
    with Gradebook.in_folder(klass) as gb:
        result = next(e for e in gb.current() if e.student == "1001").result
    view, note = student_view(dataclasses.replace(result, output="x = 0.3141 (a hidden input)"))
    assert view.output == WITHHELD and note.startswith("4 hidden checks")
    assert [c.name for c in view.checks if c.hidden] == [] and view.max_score == 4


def test_deadline_none_removes_the_late_policy(tmp_path: Path):
    out = canvas_class(tmp_path, deadline="2026-11-18T10:00", late_per_day=10)
    with Gradebook.in_folder(out) as gb:
        assert gb.setting("late:ex02")["per_day"] == 10
    canvas_class(tmp_path)                                    # no --deadline: kept
    with Gradebook.in_folder(out) as gb:
        assert gb.setting("late:ex02")["per_day"] == 10
    canvas_class(tmp_path, deadline="none")
    with Gradebook.in_folder(out) as gb:
        assert gb.setting("late:ex02") is None
    assert "ex02: deadline" not in (out / "index.html").read_text()


# ---- Gradescope ------------------------------------------------------------------------------

def test_batch_results_json_follows_the_gradescope_specification(klass):
    for p in (klass / "results").rglob("*.json"):
        doc = json.loads(p.read_text())
        jsonschema.validate(doc, RESULTS_SCHEMA)
        assert "gradebook_id" in doc["extra_data"]


def _run_autograder(zip_path: Path, root: Path, submission: str) -> dict:
    """Gradescope's tree: the zip in source/, the student's file in submission/. bubblewrap
    binds it at /autograder where it can; else GRADESCOPE_ROOT points run_autograder at it."""
    shutil.rmtree(root, ignore_errors=True)
    (root / "submission").mkdir(parents=True)
    (root / "source").mkdir()
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
    (root / "submission" / "ex02.py").write_text(submission)
    env = {**os.environ, "PATH": f"{REPO / '.venv' / 'bin'}:{os.environ.get('PATH', '')}"}
    bwrap = shutil.which("bwrap")
    cmd = (["bwrap", "--dev-bind", "/", "/", "--bind", str(root), "/autograder", "--chdir",
            "/autograder", "bash", "/autograder/source/run_autograder"] if bwrap and
           subprocess.run(["bwrap", "--dev-bind", "/", "/", "true"]).returncode == 0 else
           ["bash", str(root / "source" / "run_autograder")])
    if cmd[0] == "bash":
        env["GRADESCOPE_ROOT"] = str(root)
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text())


@pytest.mark.slow
def test_gradescope_autograder_runs_and_writes_results_to_the_specification(tmp_path: Path):
    zip_path = tmp_path / "ex02-autograder.zip"
    assert grade("gradescope", "ex02", "--out", str(zip_path)) == 0
    with zipfile.ZipFile(zip_path) as zf:
        names = set(zf.namelist())
        mode = zf.getinfo("run_autograder").external_attr >> 16
        setup = zf.read("setup.sh").decode()
    assert {"setup.sh", "run_autograder", "nn-grader/pyproject.toml",
            "nn-grader/exercises/ex02_gd/test_hidden.py"} <= names
    assert mode & 0o111 and not any(n.startswith("nn-grader/solutions") for n in names)
    assert "pip install /autograder/source/nn-grader" in setup
    full = _run_autograder(zip_path, tmp_path / "ag", (SOLUTIONS / "ex02.py").read_text())
    jsonschema.validate(full, RESULTS_SCHEMA)
    assert full["score"] == 10 and len(full["tests"]) == 6
    assert [t["number"] for t in full["tests"]] == ["1", "2", "3", "4", "5", "6"]
    visibility = {t["extra_data"]["check"]: t["visibility"] for t in full["tests"]}
    assert visibility[HIDDEN_CHECK] == "after_published"
    assert visibility[PUBLIC_CHECK] == "visible"
    assert full["visibility"] == "after_published"      # the total counts hidden checks
    assert "Public checks: 4/4 points" in full["output"]
    sandbox = full["extra_data"]["sandbox"]
    assert sandbox["graded"] and sandbox["strong"] == STRONG.strong
    broken = _run_autograder(zip_path, tmp_path / "ag", SYNTAX)
    jsonschema.validate(broken, RESULTS_SCHEMA)
    assert broken["score"] == 0 and "SyntaxError" in broken["output"]


def _check(name: str, points: float, hidden: bool) -> CheckResult:
    return CheckResult(name=f"test_{name}", description=f"{name} works", status=PASSED if points
                       else FAILED, points=points, max_points=2.0, hidden=hidden)


def test_gradescope_total_waits_for_publishing_while_hidden_checks_count():
    """One policy with the feedback reports: public checks at once, hidden checks and the total
    (which counts them) once the instructor publishes; numbers for display, names aside."""
    result = Result(exercise="ex02", title="t", submission="ex02.py", status=GRADED, score=6.0,
                    max_score=8.0, checks=(_check("a", 2, False), _check("b", 0, False),
                                           _check("c", 2, True), _check("d", 2, True)))
    doc = results_document(result, 6.0, "", {})
    jsonschema.validate(doc, RESULTS_SCHEMA)
    assert doc["score"] == 6.0 and doc["visibility"] == "after_published"
    assert [(t["number"], t["name"], t["extra_data"]["check"], t["visibility"])
            for t in doc["tests"]] == [
        ("1", "a works", "test_a", "visible"), ("2", "b works", "test_b", "visible"),
        ("3", "c works", "test_c", "after_published"),
        ("4", "d works", "test_d", "after_published")]
    assert doc["output"] == ("Public checks: 2/4 points. 2 hidden checks (4 points) are graded "
                             "too; they and your total show when your instructor publishes "
                             "the grades.")
    public = results_document(dataclasses.replace(result, checks=result.checks[:2]), 2.0,
                              "note", {})
    assert (public["visibility"], public["output"]) == ("visible", "note")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**doc, "tests": [{**doc["tests"][0], "number": "test_a"}]},
                            RESULTS_SCHEMA)


def test_gradescope_takes_no_symlink_for_the_submission(tmp_path: Path):
    """run_autograder reads the file as root: a link to /etc/shadow is not a submission."""
    from grader.classroom.exports.gradescope import find_submission
    (tmp_path / "ex02.py").symlink_to("/etc/shadow")
    assert find_submission(tmp_path, "ex02") is None
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "mine.py").write_text("x = 1\n")
    assert find_submission(tmp_path, "ex02") == tmp_path / "sub" / "mine.py"


def test_every_new_command_and_option_is_documented():
    from grader.cli import build_parser
    readme = (REPO / "docs" / "commands.md").read_text(encoding="utf-8")
    commands = build_parser()._subparsers._group_actions[0].choices
    assert "Getting grades out" in readme
    kinds = commands["export"]._subparsers._group_actions[0].choices
    parsers = {"override": commands["override"], "feedback": commands["feedback"],
               "gradescope": commands["gradescope"], **{f"export {k}": p for k, p in kinds.items()}}
    for name, parser in parsers.items():
        assert f"grade {name}" in readme, name
        for action in parser._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert action.help and option in readme, (name, option)
    for option in ("--deadline", "--extensions", "--late-per-day", "--late-cap", "--late-grace"):
        assert option in readme, option


def test_override_waits_for_no_batch(klass, capsys):
    import fcntl
    fd = os.open(klass / ".grade-batch.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert grade("override", str(klass), "1001", "ex02", "--points", "1",
                     "--comment", "x") == 2
    finally:
        os.close(fd)
    assert "another grade batch" in capsys.readouterr().err
    with Gradebook.in_folder(klass) as gb:
        assert gb.overrides() == []


def test_revert_adds_a_row_and_the_grader_points_come_back(tmp_path: Path, capsys):
    out = canvas_class(tmp_path)
    assert grade("override", str(out), "1001", "ex02", "--points", "6", "--comment", "a") == 0
    assert grade("override", str(out), "1001", "ex02", "--revert", "--comment", "undo") == 0
    capsys.readouterr()
    assert grade("override", str(out), "--list") == 0
    listed = capsys.readouterr().out.splitlines()
    assert "[superseded]" in listed[0] and "[back to the grader's]" in listed[1]
    with Gradebook.in_folder(out) as gb:
        assert [o["points"] for o in gb.overrides()] == [6.0, None]    # both kept
    assert {r[0]: r[2] for r in csv.reader((out / "grades.csv").open())}["1001"] == "0"


def test_lms_late_mark_without_a_time_is_one_day_unless_a_time_says_more():
    rule = Policy("2026-11-20T00:00+00:00", per_day=10)
    assert lateness(rule, "ada", "", marked_late=True).days == 1
    assert "marked late by the LMS" in lateness(rule, "ada", "", marked_late=True).describe()
    assert lateness(rule, "ada", "2026-11-23T01:00", marked_late=True).days == 4
    assert lateness(rule, "ada", "2026-11-19T01:00", marked_late=True).days == 1
    assert lateness(rule, "ada", "2026-11-19T01:00") is None
