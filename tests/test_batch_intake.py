"""Whole batches over what an instructor brings: a roster, hostile names and links, the exits
and words of `grade batch`. Submissions here need no sandbox (syntax errors, an empty file, a
forbidden import are graded 0 without one), so every test is quick."""
from __future__ import annotations

import csv
import fcntl
import os
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest

from conftest import EXERCISES, SUBMISSIONS
from grader.classroom.batch import BatchOptions, run_batch
from grader.cli import main
from grader.classroom.gradebook import NO_SUBMISSION, Gradebook

SYNTAX = "def f(:\n"


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _tree(root: Path, files: dict) -> Path:
    for rel, data in files.items():
        p = Path(os.fsdecode(os.fsencode(root) + b"/" + (rel if isinstance(rel, bytes)
                                                          else rel.encode())))
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data if isinstance(data, bytes) else data.encode())
    return root


def cli(*args: str) -> int:
    return main(["--exercises", str(EXERCISES), "batch", *args, "--jobs", "1"])


CANVAS_ROSTER = """\
Student,ID,SIS User ID,SIS Login ID,Section,Exercise 2 (1234)
    Points Possible,,,,,10
"Lovelace, Ada",1001,S-001,ada,Section A,
"Turing, Alan",1002,S-002,alan,Section A,
"Hopper, Grace",1003,S-003,grace,Section B,
"Knuth, Donald",1004,S-004,don,Section B,
"Hamilton, Margaret",1005,S-005,meg,Section B,
"Student, Test",9999,,,,
"""


@pytest.fixture
def canvas_run(tmp_path: Path):
    z = _zip(tmp_path / "canvas.zip", {
        "lovelaceada_1001_5001_ex02.py": SYNTAX + "# ada\n",
        "turingalan_late_1002_5002_my_gd.py": SYNTAX + "# alan\n",
        "hopper_1003_5003_cubic.ipynb": b"",                         # empty: graded 0
        "mysterystudent_4242_5042_ex02.py": SYNTAX + "# who\n",      # not on the roster
        "knuthdonald_1004_5004_ex01.py": SYNTAX,                     # other exercise only
    })
    roster = tmp_path / "roster.csv"
    roster.write_text(CANVAS_ROSTER, encoding="utf-8-sig")
    out = tmp_path / "out"
    summary = run_batch(z, EXERCISES, BatchOptions(out=out, exercise="ex02", roster=roster))
    return out, summary


def test_roster_maps_ids_flags_strangers_and_zeroes_the_missing(canvas_run):
    out, summary = canvas_run
    assert summary.off_roster == ["4242"]
    assert summary.no_submission == ["1005 ex02"]
    # sent ex01.py to the ex02 assignment: submitted, not gradable, never "no submission"
    assert summary.not_gradable == ["1004 ex02: ex01.py is for ex01"]
    with Gradebook.in_folder(out) as gb:
        entries = {e.student: e for e in gb.current()}
        people = gb.students()
    assert set(entries) == {"1001", "1002", "1003", "1004", "1005", "4242"}
    assert (entries["1005"].status, entries["1005"].score, entries["1005"].max_score) == \
        (NO_SUBMISSION, 0.0, 10.0)
    assert (entries["1004"].score, entries["1004"].message) == \
        (0.0, "submitted, not gradable: ex01.py is for ex01")
    assert entries["1002"].late and not entries["1001"].late
    assert entries["1001"].submitted_at == ""    # Canvas's zip times are the zip's, not theirs
    assert entries["4242"].on_roster is False and entries["1001"].on_roster is True
    assert (people["1001"]["name"], people["1001"]["sis_user_id"], people["1001"]["sis_login_id"],
            people["1001"]["section"], people["1001"]["lms"], people["1001"]["lms_id"]) == \
        ("Lovelace, Ada", "S-001", "ada", "Section A", "canvas", "1001")
    assert "9999" not in people                   # "Student, Test" is Canvas's, not a person
    rows = {r[0]: r[1:] for r in csv.reader((out / "grades.csv").open())}
    assert rows["1001"][0] == "Lovelace, Ada"                # names beside ids
    rows = {k: v[1:] for k, v in rows.items()}
    assert rows["1004"] == ["0", "0"] and rows["1001"] == ["0", "0"]


def test_overview_shows_not_graded_files_no_submission_and_strangers(canvas_run):
    out, _ = canvas_run
    html = (out / "index.html").read_text()
    assert "Submitted but not graded" in html
    assert "1 file: for an exercise not graded in this run" in html   # counted, not listed
    assert "knuthdonald_1004_5004_ex01.py" not in html
    assert "0 (no submission)" in html
    section = html[html.index("Not on the roster"):]
    assert "4242" in section[:200]


def test_rerun_with_the_roster_adds_nothing(canvas_run, tmp_path: Path):
    out, _ = canvas_run
    with Gradebook.in_folder(out) as gb:
        before = gb.counts()
    again = run_batch(tmp_path / "canvas.zip", EXERCISES, BatchOptions(
        out=out, exercise="ex02", roster=tmp_path / "roster.csv"))
    assert (again.graded, again.unchanged) == (0, 4)
    with Gradebook.in_folder(out) as gb:
        assert gb.counts() == before


def test_moodle_worksheet_roster_and_folders(tmp_path: Path):
    z = _zip(tmp_path / "moodle.zip", {
        "Ada Lovelace_1001_assignsubmission_file_/gd.py": SYNTAX,
        "Alan Turing_1002_assignsubmission_file_/ex02.ipynb": b"",
    })
    roster = tmp_path / "worksheet.csv"
    roster.write_text("Identifier,Full name,Email address,Status,Grade\n"
                      "Participant 1001,Ada Lovelace,ada@uni.edu,Submitted,\n"
                      "Participant 1002,Alan Turing,alan@uni.edu,Submitted,\n"
                      "Participant 1003,Grace Hopper,grace@uni.edu,No submission,\n")
    out = tmp_path / "out"
    summary = run_batch(z, EXERCISES, BatchOptions(out=out, exercise="ex02", roster=roster))
    assert summary.no_submission == ["1003 ex02"] and summary.off_roster == []
    with Gradebook.in_folder(out) as gb:
        people = gb.students()
    assert people["1001"]["email"] == "ada@uni.edu" and people["1003"]["name"] == "Grace Hopper"


def test_plain_folder_ids_match_a_roster_by_login(tmp_path: Path):
    subs = _tree(tmp_path / "subs", {"ada/ex02.py": SYNTAX, "zed/ex02.py": SYNTAX + "#\n"})
    roster = tmp_path / "roster.csv"
    roster.write_text(CANVAS_ROSTER)
    out = tmp_path / "out"
    summary = run_batch(subs, EXERCISES, BatchOptions(out=out, exercise="ex02", roster=roster))
    assert summary.off_roster == ["zed"]
    with Gradebook.in_folder(out) as gb:
        assert {e.student for e in gb.current() if e.status != NO_SUBMISSION} == {"1001", "zed"}


def test_a_roster_that_is_not_one_is_a_one_line_error(tmp_path: Path, capsys):
    _tree(tmp_path / "subs", {"ada/ex02.py": SYNTAX})
    (tmp_path / "r.csv").write_text("foo,bar\n1,2\n")
    assert cli(str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--exercise", "ex02",
               "--roster", str(tmp_path / "r.csv")) == 2
    err = capsys.readouterr().err.strip()
    assert "not a roster" in err and len(err.splitlines()) == 1


# ---- hostile input through a whole batch ------------------------------------------------------

def test_hostile_names_and_links_cost_nobody_else(tmp_path: Path, repo: Path, capsys):
    subs = _tree(tmp_path / "subs", {
        "alice/ex02.py": SYNTAX + "# alice\n",
        "alice./ex02.py": SYNTAX + "# alice dot\n",
        b"caf\xe9/ex02 \xff.py": SYNTAX + "# cafe\n",
        "eve/helper[/oops].py": SYNTAX + "# eve\n",
        "frank/\x1b]0;pwned\x07x.py": SYNTAX + "# frank\n",
        "erin/ex01.py": SYNTAX,
    })
    (subs / "mallory").mkdir()
    os.symlink(repo / "solutions" / "ex02.py", subs / "mallory" / "ex02.py")
    out = tmp_path / "out"
    assert cli(str(subs), "--out", str(out), "--exercise", "ex02", "--verbose") == 0
    stdout = capsys.readouterr().out
    assert "\x1b" not in stdout and "\x07" not in stdout
    assert "eve ex02 0/10 (syntax error)" in stdout     # `helper[/oops].py`: no MarkupError
    assert "caf\\xe9 ex02 0/10" in stdout                  # a non-UTF-8 id, shown escaped
    assert "a symbolic link" in stdout and "mallory/ex02.py" in stdout   # --verbose lists it
    with Gradebook.in_folder(out) as gb:
        entries = {e.student: e for e in gb.current()}
        intake = gb.intake()
    assert set(entries) == {"alice", "alice.", "caf\\xe9", "eve", "frank", "erin", "mallory"}
    assert all(e.status == "syntax_error" and e.score == 0 for s, e in entries.items()
               if s not in ("erin", "mallory"))
    assert entries["mallory"].message == "submitted, not gradable: a symbolic link (links " \
        "are not followed)" and entries["erin"].message.endswith("ex01.py is for ex01")
    assert {r["reason"] for r in intake} == {"refused: a link, not a regular file, or outside "
                                             "the input", "for an exercise not graded in this run"}
    reports = sorted(p.parent.name for p in (out / "reports").rglob("*.html"))
    assert len(reports) == len(set(reports)) == 5                 # alice and alice. apart
    raw = sqlite3.connect(out / "gradebook.sqlite").execute(
        "SELECT raw_path FROM submissions WHERE student = 'caf\\xe9'").fetchone()[0]
    assert raw.endswith(b"/caf\xe9/ex02 \xff.py")
    html = (out / "index.html").read_text()
    assert "mallory/ex02.py" in html and "1 file: for an exercise not graded" in html


def test_a_corrupt_zip_member_costs_only_its_student(tmp_path: Path, capsys):
    z = _zip(tmp_path / "c.zip", {"alice_1_1_ex02.py": SYNTAX * 50, "bob_2_2_ex02.py": SYNTAX})
    data = bytearray(z.read_bytes())
    at = data.index(b"alice_1_1_ex02.py") + 30
    data[at:at + 20] = b"\x00" * 20
    z.write_bytes(bytes(data))
    with zipfile.ZipFile(z) as zf:      # make sure the member really is corrupt
        with pytest.raises(zipfile.BadZipFile):
            zf.read("alice_1_1_ex02.py")
    out = tmp_path / "out"
    assert cli(str(z), "--out", str(out), "--exercise", "ex02") == 0
    stdout = capsys.readouterr().out
    assert "2 (bob) ex02 0/10 (syntax error)" in stdout
    assert "could not be read from the input" in stdout
    assert not list((out / "unpacked").rglob("*.part"))


# ---- exits and words --------------------------------------------------------------------------

def test_nothing_found_is_exit_2_with_one_line(tmp_path: Path, capsys):
    (tmp_path / "empty").mkdir()
    _tree(tmp_path / "others", {"alice/ex01.py": SYNTAX, "alice/notes.txt": "x"})
    _zip(tmp_path / "junk.zip", {"readme.txt": b"x"})
    for source in ("empty", "others", "junk.zip"):
        assert cli(str(tmp_path / source), "--out", str(tmp_path / "out"),
                   "--exercise", "ex02") == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("grade: no submissions for ex02") and len(err.splitlines()) == 1
    assert "1 for an exercise not graded in this run" in err or "others" not in err


def test_a_missing_input_makes_no_out_folder(tmp_path: Path, capsys):
    assert cli(str(tmp_path / "nope"), "--out", str(tmp_path / "out")) == 2
    assert "no such folder" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_out_inside_the_input_is_refused(tmp_path: Path, capsys):
    subs = _tree(tmp_path / "subs", {"alice/ex02.py": SYNTAX})
    assert cli(str(subs), "--out", str(subs / "graded"), "--exercise", "ex02") == 2
    err = capsys.readouterr().err
    assert "inside the submissions folder" in err and not (subs / "graded").exists()


def test_a_second_batch_on_one_out_refuses(tmp_path: Path, capsys):
    subs = _tree(tmp_path / "subs", {"alice/ex02.py": SYNTAX})
    out = tmp_path / "out"
    out.mkdir()
    fd = os.open(out / ".grade-batch.lock", os.O_RDWR | os.O_CREAT)
    try:
        os.write(fd, b"12345\n")
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert cli(str(subs), "--out", str(out), "--exercise", "ex02") == 2
        err = capsys.readouterr().err
        assert "another grade batch (pid 12345)" in err and len(err.strip().splitlines()) == 1
    finally:
        os.close(fd)
    assert cli(str(subs), "--out", str(out), "--exercise", "ex02") == 0


def test_an_empty_bank_is_exit_2(tmp_path: Path, capsys):
    _tree(tmp_path / "subs", {"alice/ex02.py": SYNTAX})
    (tmp_path / "bank").mkdir()
    code = main(["--exercises", str(tmp_path / "bank"), "batch", str(tmp_path / "subs"),
                 "--out", str(tmp_path / "out")])
    assert code == 2 and "no exercises" in capsys.readouterr().err


def test_graded_zero_is_graded_not_not_graded(tmp_path: Path, capsys):
    subs = _tree(tmp_path / "subs", {
        "s1/ex01.py": "", "s2/ex01.py": SYNTAX,
        "s3/ex01.py": (SUBMISSIONS / "ex01" / "imports_torch.py").read_text()})
    assert cli(str(subs), "--out", str(tmp_path / "out"), "--exercise", "ex01") == 0
    stdout = capsys.readouterr().out
    assert "s2 ex01 0/17 (syntax error)" in stdout
    assert "s3 ex01 0/17 (forbidden import)" in stdout
    assert "NOT graded" not in stdout and "not graded: 0" not in stdout
    html = (tmp_path / "out" / "index.html").read_text()
    assert "could not be graded" not in html and "graded 0, did not run" in html


# ---- the gradebook's schema ------------------------------------------------------------------

SCHEMA_1 = """
CREATE TABLE students (id TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '');
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, student TEXT NOT NULL REFERENCES students(id),
    exercise TEXT NOT NULL, sha256 TEXT NOT NULL, grading_key TEXT NOT NULL, path TEXT NOT NULL,
    graded_at TEXT NOT NULL, status TEXT NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL,
    message TEXT NOT NULL DEFAULT '', wall_s REAL NOT NULL DEFAULT 0, result_json TEXT,
    current INTEGER NOT NULL DEFAULT 0, UNIQUE (student, exercise, sha256, grading_key));
CREATE TABLE results (
    submission INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    name TEXT NOT NULL, status TEXT NOT NULL, points REAL NOT NULL, max_points REAL NOT NULL,
    hidden INTEGER NOT NULL, message TEXT NOT NULL DEFAULT '',
    duration_s REAL NOT NULL DEFAULT 0, PRIMARY KEY (submission, name));
INSERT INTO students VALUES ('alice', 'Alice A');
INSERT INTO submissions (student, exercise, sha256, grading_key, path, graded_at, status,
    score, max_score, current) VALUES ('alice', 'ex02', 'abc', 'k', 'alice/ex02.py',
    '2026-11-01T00:00:00+00:00', 'syntax_error', 0, 10, 1);
PRAGMA user_version = 1;
"""


def test_a_schema_1_gradebook_is_migrated_in_place(tmp_path: Path):
    db = tmp_path / "gradebook.sqlite"
    with sqlite3.connect(db) as conn:
        conn.executescript(SCHEMA_1)
    with Gradebook(db) as gb:
        [e] = gb.current()
        assert (e.student, e.name, e.score, e.submitted_at, e.late, e.on_roster) == \
            ("alice", "Alice A", 0.0, "", False, None)
        gb.set_students([{"id": "alice", "email": "a@uni.edu"}], roster=["alice"])
        assert gb.students()["alice"]["email"] == "a@uni.edu"
        assert gb.intake() == []
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    with Gradebook(db) as gb:             # opening again changes nothing
        assert len(gb.current()) == 1


def test_the_progress_bar_names_the_running_submissions():
    from grader.classroom.batch.console import Bar
    from grader.classroom.batch.executors import LocalExecutor, Task

    class FakeProgress:
        def __init__(self):
            self.descriptions = []

        def update(self, _id, advance=0, description=""):
            self.descriptions.append(description)

    ex = type("X", (), {"id": "ex02"})()
    tasks = [Task(s, ex, "p") for s in ("ann", "bob", "cy")]
    executor = LocalExecutor(2)
    executor._futures = {object(): t for t in tasks}
    progress = FakeProgress()
    bar = Bar(progress, 0)
    bar.running(executor.running(set()))
    bar.finished("ann ex02 10/10", executor.running({id(tasks[0])}))
    assert progress.descriptions == ["grading ann ex02, bob ex02", "grading bob ex02, cy ex02"]


# ---- every layout through a whole batch: the gradebook accounts for every file ----------------

LAYOUTS = {
    "canvas.zip": {"ada_1001_5001_my_gd.py": SYNTAX, "alan_LATE_1002_5002_ex02.ipynb": "",
                   "ada_1001_5001_notes.txt": "x", "__MACOSX/._ada": "x"},
    "moodle.zip": {"Ada L_1001_assignsubmission_file_/gd.py": SYNTAX,
                   "Alan T_1002_assignsubmission_onlinetext_/onlinetext.html": "<p/>",
                   "Alan T_1002_assignsubmission_file_/sub/ex2.py": SYNTAX + "#\n"},
    "moodle-flat.zip": {"Ada L_1001_assignsubmission_file_cubic.ipynb": "",
                        "Alan T_1002_assignsubmission_file_ex01.py": SYNTAX},
    "nbgrader": {"submitted/ada/ps1/x.ipynb": "", "submitted/ada/ps1/timestamp.txt": "2026-01-01 "
                 "00:00:00 UTC", "submitted/al an/ps1/y.ipynb": "{\"cells\": 1}"},
    "github": {"gd-ada/gd.py": SYNTAX, "gd-ada/README.md": "#", "gd-alan/solution.py": SYNTAX + "#"},
    "plain": {"ada/ex02.py": SYNTAX, "ada/old.py": SYNTAX + "#", ".alan/ex02.ipynb": ""},
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.slow
def test_every_layout_every_file_accounted_in_the_gradebook(tmp_path: Path, layout: str):
    files = {k: v.encode() for k, v in LAYOUTS[layout].items()}
    source = _zip(tmp_path / layout, files) if layout.endswith(".zip") \
        else _tree(tmp_path / layout, files)
    out = tmp_path / "out"
    summary = run_batch(source, EXERCISES, BatchOptions(
        out=out, exercise="ex02", assignments=(("ps1", "ex02"),)))
    assert summary.files == len(files) == summary.found + len(summary.skipped)
    assert summary.graded == summary.found and summary.errors == []
    with Gradebook.in_folder(out) as gb:
        # and a student who sent only what cannot be graded has a row saying so
        assert len(gb.current()) == summary.found + len(summary.not_gradable)
        assert len(gb.intake()) == len(summary.skipped)


def test_moodle_grades_export_matches_by_name(tmp_path: Path):
    z = _zip(tmp_path / "moodle.zip", {
        "Ada Lovelace_1001_assignsubmission_file_/gd.py": SYNTAX,
        "Alan Turing_1002_assignsubmission_file_/gd.py": SYNTAX + "#\n",
    })
    roster = tmp_path / "grades.csv"
    roster.write_text("First name,Last name,ID number,Institution,Department,Email address\n"
                      "Ada,Lovelace,S-001,,,ada@uni.edu\nGrace,Hopper,S-003,,,grace@uni.edu\n")
    out = tmp_path / "out"
    summary = run_batch(z, EXERCISES, BatchOptions(out=out, exercise="ex02", roster=roster))
    assert summary.off_roster == ["1002"] and summary.no_submission == ["S-003 ex02"]
    with Gradebook.in_folder(out) as gb:
        people = gb.students()
        assert {e.student for e in gb.current()} == {"S-001", "1002", "S-003"}
    assert (people["S-001"]["lms"], people["S-001"]["lms_id"], people["S-001"]["email"]) == \
        ("moodle", "1001", "ada@uni.edu")


def test_on_a_terminal_markup_in_names_is_shown_not_parsed(tmp_path: Path):
    import io
    from rich.console import Console
    subs = _tree(tmp_path / "subs", {"[/oops]/ex02.py": SYNTAX, "[bold]x/ex02.py": SYNTAX + "#",
                                     "[red]y/notes.txt": "x"})
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=120)
    summary = run_batch(subs, EXERCISES, BatchOptions(out=tmp_path / "out", exercise="ex02",
                                                      verbose=True), console=console)
    assert summary.graded == 2
    text = buf.getvalue()
    assert "\\[red]y/notes.txt" in text and "Batch summary" in text


def test_the_intake_options_are_documented(repo: Path):
    from grader.cli import build_parser
    from grader.commands.batch import EPILOG as BATCH_EPILOG
    readme = (repo / "docs" / "commands.md").read_text(encoding="utf-8")
    batch = build_parser()._subparsers._group_actions[0].choices["batch"]
    for option in ("--roster", "--assignment", "--prefer", "--verbose", "--wait"):
        action = next(a for a in batch._actions if option in a.option_strings)
        assert action.help and option in readme, option
    assert "Getting submissions in" in readme and "nbgrader" in BATCH_EPILOG


def test_roster_names_meet_whatever_their_unicode_form():
    import unicodedata
    from grader.classroom.roster import Matcher, Person
    m = Matcher([Person("S-1", "José Núñez"), Person("S-2", "Lovelace, Ada")])
    assert m.match("999", unicodedata.normalize("NFD", "José Núñez")).id == "S-1"
    assert m.match("1001", "lovelaceada").id == "S-2"        # Canvas's file-name form
    assert m.match("s-1").id == "S-1" and m.match("nobody", "Nobody") is None


def test_a_huge_sparse_file_is_graded_0_by_its_real_size(tmp_path: Path, capsys):
    subs = _tree(tmp_path / "subs", {"bob/ex02.py": SYNTAX})
    (subs / "zoe").mkdir()
    with open(subs / "zoe" / "my gd.py", "wb") as f:
        f.truncate(40 * 1024 ** 3)                     # 40 GB, sparse: never read whole
    assert cli(str(subs), "--out", str(tmp_path / "out"), "--exercise", "ex02") == 0
    stdout = capsys.readouterr().out
    assert "zoe ex02: my gd.py is 42949.7 MB; submissions are limited to 2 MB" in stdout
    assert (tmp_path / "out" / "unpacked" / "zoe" / "ex02" / "my gd.py").stat().st_size \
        == 2_000_001


# ---- issue 25: a class's grades are right as the LMS sees them ---------------------------------
# Zips built as the LMSs build them: Canvas's content_zipper.rb stamps every entry with the time
# the zip is built (here: long after the deadline); Moodle's downloader names each member's
# folder `<full name, "_" as " ">_<participant>_assignsubmission_file_`.
ZIP_BUILT = (2026, 12, 6, 23, 59, 0)
DEADLINE = "2026-11-20T23:59+00:00"


def _lms_zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=ZIP_BUILT), data)
    return path


def _override(out: Path, student: str, *how: str) -> None:
    assert main(["--exercises", str(EXERCISES), "override", str(out), student, "ex02", *how,
                 "--comment", "by hand", "--by", "ta"]) == 0


def _final(out: Path) -> dict[str, float]:
    from grader.classroom.final import final_grades
    with Gradebook.in_folder(out) as gb:
        return {s: g.score for (s, _), g in final_grades(gb).items()}


def test_github_classroom_repos_match_by_the_github_username_column_only(tmp_path: Path):
    repos = _tree(tmp_path / "gd-submissions", {
        "gd-alice-smith/ex02.py": SYNTAX + "# mallory's, under a username that is alice's id\n",
        "gd-asmith99/ex02.py": SYNTAX + "# alice's own\n",
    })
    roster = tmp_path / "classroom_roster.csv"
    roster.write_text("identifier,github_username,github_id,name\n"
                      "alice-smith,asmith99,101,Alice Smith\n"
                      "mallory-jones,alice-smith,102,Mallory Jones\n")
    out = tmp_path / "out"
    summary = run_batch(repos, EXERCISES, BatchOptions(out=out, exercise="ex02", roster=roster))
    assert summary.off_roster == [] and summary.no_submission == []
    with Gradebook.in_folder(out) as gb:
        paths = {e.student: e.path for e in gb.current()}
    assert paths["alice-smith"].endswith("gd-asmith99/ex02.py")
    assert paths["mallory-jones"].endswith("gd-alice-smith/ex02.py")


def test_a_submission_that_could_be_two_people_is_given_to_nobody(tmp_path: Path):
    z = _lms_zip(tmp_path / "moodle.zip", {
        "Ann Lee_1001_assignsubmission_file_/ex02.py": SYNTAX,
        "Bob Roe_1002_assignsubmission_file_/ex02.py": SYNTAX + "#\n"})
    roster = tmp_path / "participants.csv"          # no participant numbers: names only
    roster.write_text("First name,Last name,ID number,Email address\n"
                      "Ann,Lee,S-1,ann1@uni.edu\nAnn,Lee,S-2,ann2@uni.edu\n"
                      "Bob,Roe,S-3,bob@uni.edu\n")
    out = tmp_path / "out"
    summary = run_batch(z, EXERCISES, BatchOptions(out=out, exercise="ex02", roster=roster))
    assert summary.off_roster == ["1001"]
    assert any("could be S-1 or S-2" in n for n in summary.notes)
    assert sorted(summary.no_submission) == ["S-1 ex02", "S-2 ex02"]


CANVAS_HOSTILE = {
    "lovelaceada_1001_5001_ex02.py": SYNTAX,
    "o_brienmary_1016_text.html": "<p>answer</p>",                 # online text entry
    "turingalan_LATE_1002_link.html": "<a href=x>",                 # a URL, late
    "hopper_1003_5003_mywork.zip": None,                            # their own zip
    "knuthdonald_1004_5004_ex02_2026-11-19-10-00-00.py": SYNTAX,    # a date in the name
}


def _own_zip() -> bytes:
    import io
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mywork/ex02.py", SYNTAX + "# grace\n")
    return buf.getvalue()


def test_canvas_text_link_own_zip_and_anonymous_grade_without_a_crash(tmp_path: Path, capsys):
    files = {**CANVAS_HOSTILE, "hopper_1003_5003_mywork.zip": _own_zip()}
    z = _lms_zip(tmp_path / "canvas.zip", files)
    roster = tmp_path / "roster.csv"
    roster.write_text(CANVAS_ROSTER + '"O\'Brien, Mary",1016,S-016,mary,Section B,\n')
    out = tmp_path / "out"
    assert cli(str(z), "--out", str(out), "--exercise", "ex02", "--roster", str(roster)) == 0
    stdout = capsys.readouterr().out
    assert "submitted, not gradable (graded 0): 2" in stdout
    assert "1016 (O'Brien, Mary) ex02: a Canvas online text entry" in stdout
    assert "1005 (Hamilton, Margaret) ex02" in stdout        # no submission, with the name
    with Gradebook.in_folder(out) as gb:
        entries = {e.student: e for e in gb.current()}
    assert entries["1003"].status == "syntax_error"          # graded from inside their zip
    assert entries["1002"].message.startswith("submitted, not gradable: a Canvas website URL")
    assert entries["1005"].status == NO_SUBMISSION
    anon = _lms_zip(tmp_path / "anon.zip", {"anon_Xy3Zq_5001_ex02.py": SYNTAX,
                                           "LATE_anon_Pq9Rs_text.html": "<p/>"})
    out2 = tmp_path / "out2"
    assert cli(str(anon), "--out", str(out2), "--exercise", "ex02", "--roster", str(roster)) == 0
    assert "cannot be matched to the roster" in capsys.readouterr().out
    with Gradebook.in_folder(out2) as gb:
        assert {e.student for e in gb.current()} == {"anon_Xy3Zq", "anon_Pq9Rs"}


def test_lateness_only_from_lms_marks_or_supplied_times(tmp_path: Path):
    z = _lms_zip(tmp_path / "canvas.zip", {
        "lovelaceada_1001_5001_ex02.py": SYNTAX,                        # on time
        "turingalan_LATE_1002_5002_ex02.py": SYNTAX + "#2\n",           # LATE, no time
        "hopper_LATE_1003_5003_ex02.py": SYNTAX + "#3\n",               # LATE, 3 days
        "knuthdonald_1004_5004_ex02_2026-12-01-10-00-00.py": SYNTAX + "#4\n"})  # a name
    times = tmp_path / "times.csv"
    times.write_text("student,submitted_at\n1003,2026-11-23T12:00+00:00\n")
    roster = tmp_path / "roster.csv"
    roster.write_text(CANVAS_ROSTER)
    out = tmp_path / "out"
    opts = dict(out=out, exercise="ex02", roster=roster, deadline=DEADLINE, late_per_day=10)
    run_batch(z, EXERCISES, BatchOptions(**opts))
    for who in ("1001", "1002", "1003", "1004"):     # 1 point each, so a penalty shows
        _override(out, who, "--check", "test_loss_falls", "--points", "1")
    # Nobody on time is penalised though the zip was built after the deadline; LATE without a
    # time is one day; a date in an upload's name is nothing.
    assert _final(out) == {"1001": 1.0, "1002": 0.9, "1003": 0.9, "1004": 1.0, "1005": 0.0}
    run_batch(z, EXERCISES, BatchOptions(**opts, submission_times=times))   # 3 days, said
    assert _final(out)["1003"] == 0.7 and _final(out)["1002"] == 0.9
    run_batch(z, EXERCISES, BatchOptions(**opts))     # a rerun without the file keeps them
    assert _final(out)["1003"] == 0.7
    # Moodle: the grading worksheet's "Last modified (submission)" is Moodle's own time.
    m = _lms_zip(tmp_path / "moodle.zip", {
        "Ada Lovelace_2001_assignsubmission_file_/ex02.py": SYNTAX,
        "Alan Turing_2002_assignsubmission_file_/ex02.py": SYNTAX + "#\n"})
    sheet = tmp_path / "worksheet.csv"
    sheet.write_text("Identifier,Full name,Email address,Status,Grade,Last modified (submission)\n"
                     "Participant 2001,Ada Lovelace,a@u.edu,Submitted,,"
                     '"Friday, 20 November 2026, 10:22 AM"\n'
                     "Participant 2002,Alan Turing,t@u.edu,Submitted,,"
                     '"Sunday, 22 November 2026, 11:00 PM"\n')
    out2 = tmp_path / "out2"
    run_batch(m, EXERCISES, BatchOptions(out=out2, exercise="ex02", roster=sheet,
                                         deadline=DEADLINE, late_per_day=10))
    for who in ("2001", "2002"):
        _override(out2, who, "--check", "test_loss_falls", "--points", "1")
    assert _final(out2) == {"2001": 1.0, "2002": 0.8}


def test_a_rerun_with_a_partial_download_never_downgrades_anyone(tmp_path: Path):
    roster = tmp_path / "roster.csv"
    roster.write_text(CANVAS_ROSTER)
    out = tmp_path / "out"
    everyone = _lms_zip(tmp_path / "all.zip", {
        f"{n}_{i}_{5000 + i}_ex02.py": SYNTAX + f"# {i}\n" for n, i in (
            ("lovelaceada", 1001), ("turingalan", 1002), ("hopper", 1003), ("knuth", 1004))})
    run_batch(everyone, EXERCISES, BatchOptions(out=out, exercise="ex02", roster=roster))
    _override(out, "1002", "--points", "8")
    two = _lms_zip(tmp_path / "two.zip", {"lovelaceada_1001_5001_ex02.py": SYNTAX + "# new\n",
                                          "hopper_1003_5003_ex02.py": SYNTAX + "# 1003\n"})
    summary = run_batch(two, EXERCISES, BatchOptions(out=out, exercise="ex02", roster=roster))
    assert summary.no_submission == ["1005 ex02"]     # only who never sent anything
    with Gradebook.in_folder(out) as gb:
        status = {e.student: e.status for e in gb.current()}
    assert status == {"1001": "syntax_error", "1002": "syntax_error", "1003": "syntax_error",
                      "1004": "syntax_error", "1005": NO_SUBMISSION}
    assert _final(out)["1002"] == 8.0                # the override stays
    assert "1002,\"Turing, Alan\",8,8" in (out / "grades.csv").read_text()


def _class_state(out: Path) -> dict[str, str]:
    from grader.classroom.exports.canvas import canvas_csv
    from grader.classroom.exports.checks import checks_csv
    from grader.core.spec import all_exercises
    bank = all_exercises(EXERCISES)
    with Gradebook.in_folder(out) as gb:
        return {"grades.csv": (out / "grades.csv").read_text(),
                "canvas": canvas_csv(gb, bank)[0], "canvas zero": canvas_csv(
                    gb, bank, missing="zero")[0], "checks": checks_csv(gb)}


def test_three_partial_runs_give_what_one_full_run_gives(tmp_path: Path):
    roster = tmp_path / "roster.csv"
    roster.write_text(CANVAS_ROSTER + '"O\'Brien, Mary",1016,S-016,mary,Section B,\n')
    parts = [{"lovelaceada_1001_5001_ex02.py": SYNTAX,
              "turingalan_LATE_1002_5002_my_gd.py": SYNTAX + "#2\n"},
             {"hopper_1003_5003_ex02.py": SYNTAX + "#3\n",
              "o_brienmary_1016_text.html": "<p/>"},
             {"knuth_LATE_1004_5004_ex02.py": SYNTAX + "#4\n"}]
    times = tmp_path / "times.csv"
    times.write_text("student,submitted_at\n1004,2026-11-24T00:30+00:00\n")
    opts = dict(exercise="ex02", roster=roster, deadline=DEADLINE, late_per_day=10,
                submission_times=times)

    def overrides(out: Path, who: set[str]) -> None:
        if "1001" in who:
            _override(out, "1001", "--check", "test_loss_falls", "--points", "1")
        if "1002" in who:
            _override(out, "1002", "--check", "test_loss_falls", "--points", "1")
        if "1004" in who:
            _override(out, "1004", "--points", "6")

    full = tmp_path / "full"
    run_batch(_lms_zip(tmp_path / "full.zip", {k: v for p in parts for k, v in p.items()}),
              EXERCISES, BatchOptions(out=full, **opts))
    overrides(full, {"1001", "1002", "1004"})
    partial = tmp_path / "partial"
    for n, p in enumerate(parts):
        run_batch(_lms_zip(tmp_path / f"part{n}.zip", p), EXERCISES,
                  BatchOptions(out=partial, **opts))
        overrides(partial, {re.search(r"_(\d{4})_", k)[1] for k in p})
    # the same every time it is rendered again, too
    run_batch(_lms_zip(tmp_path / "part0.zip", parts[0]), EXERCISES,
              BatchOptions(out=partial, **opts))
    overrides(full, set())
    assert _class_state(partial) == _class_state(full)
    final = _final(full)
    assert (final["1001"], final["1002"], final["1004"], final["1005"]) == (1.0, 0.9, 6.0, 0.0)
    canvas = _class_state(full)["canvas"]
    assert '"O\'Brien, Mary",1016,S-016,mary,Section B,\r\n' in canvas.replace("\ufeff", "")


def test_canvas_export_missing_blank_by_default_or_zero(tmp_path: Path, capsys):
    z = _lms_zip(tmp_path / "canvas.zip", {"lovelaceada_1001_5001_ex02.py": SYNTAX,
                                           "turingalan_1002_text.html": "<p/>"})
    roster = tmp_path / "roster.csv"
    roster.write_text(CANVAS_ROSTER)
    out = tmp_path / "out"
    run_batch(z, EXERCISES, BatchOptions(out=out, exercise="ex02", roster=roster))
    _override(out, "1003", "--points", "4")           # a TA's hand grade for no file
    base = ["--exercises", str(EXERCISES), "export", "canvas", str(out), "-o", "-"]
    cells = {}
    for missing in ("blank", "zero"):
        capsys.readouterr()
        assert main(base + ["--missing", missing]) == 0
        text = capsys.readouterr().out.removeprefix("\ufeff")
        cells[missing] = {r[1]: r[5] for r in list(csv.reader(text.splitlines()))[2:]}
    assert cells["blank"] == {"1001": "0", "1002": "", "1003": "4", "1004": "", "1005": ""}
    assert cells["zero"] == {"1001": "0", "1002": "0", "1003": "4", "1004": "0", "1005": "0"}


def test_nbgrader_student_list_is_a_roster_names_beside_ids_final_grades_in_the_summary(
        tmp_path: Path, capsys):
    course = _tree(tmp_path / "course", {
        "submitted/ada/ps1/gd.ipynb": "{}",                     # empty notebook: graded 0
        "submitted/ada/ps1/timestamp.txt": "2026-11-22 10:00:00.000000 UTC",
        "submitted/alan/ps1/gd.ipynb": "{\"cells\": []",
        "submitted/alan/ps1/timestamp.txt": "2026-11-20 09:00:00 UTC"})
    students = tmp_path / "students.csv"          # `nbgrader db student import` reads this
    students.write_text("id,first_name,last_name,email\nada,Ada,Lovelace,ada@uni.edu\n"
                        "alan,Alan,Turing,alan@uni.edu\ngrace,Grace,Hopper,grace@uni.edu\n")
    out = tmp_path / "out"
    args = [str(course / "submitted"), "--out", str(out), "--assignment", "ps1=ex02",
            "--roster", str(students), "--deadline", DEADLINE, "--late-per-day", "50"]
    assert cli(*args) == 0
    stdout = capsys.readouterr().out
    assert "ada (Ada Lovelace) ex02 0/10" in stdout and "grace (Grace Hopper) ex02" in stdout
    rows = list(csv.reader((out / "grades.csv").open()))
    assert rows[0][:2] == ["student_id", "name"] and rows[1][:2] == ["ada", "Ada Lovelace"]
    _override(out, "ada", "--points", "8")        # final: no late penalty on a hand grade
    _override(out, "alan", "--points", "6")
    capsys.readouterr()
    assert cli(*args) == 0
    stdout = capsys.readouterr().out
    assert "7 / 10" in stdout          # (8 + 6) / 2: the final grades, not the grader's 0
    assert stdout.rstrip().endswith("grader errors: 0")


@pytest.mark.slow
def test_a_check_that_could_not_run_is_exit_3_and_stops_every_export(tmp_path: Path, capsys):
    from test_grader_error import SUBMISSION, broken_bank
    exercises = tmp_path / "exercises"
    exercises.mkdir()
    broken_bank(exercises)
    subs = _tree(tmp_path / "subs", {"s1/ex99.py": SUBMISSION})
    grade = ["--exercises", str(exercises)]
    assert main(grade + ["ex99", str(subs / "s1" / "ex99.py"), "--no-report"]) == 3
    out = tmp_path / "out"
    assert main(grade + ["batch", str(subs), "--out", str(out), "--exercise", "ex99",
                         "--jobs", "1"]) == 3
    last = capsys.readouterr().out.rstrip().splitlines()[-1]
    assert last.startswith("grader errors: 4 (ex99: test_check_code_raises, ")
    for kind in ("canvas", "checks", "moodle"):
        assert main(grade + ["export", kind, str(out), "-o", "-"]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "ex99: test_check_code_raises" in err
