"""Whole batches over what an instructor brings: a roster, hostile names and links, the exits
and words of `grade batch`. Submissions here need no sandbox (syntax errors, an empty file, a
forbidden import are graded 0 without one), so every test is quick."""
from __future__ import annotations

import csv
import fcntl
import os
import sqlite3
import zipfile
from pathlib import Path

import pytest

from conftest import EXERCISES, SUBMISSIONS
from grader.batch import BatchOptions, run_batch
from grader.cli import main
from grader.gradebook import NO_SUBMISSION, Gradebook

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
    from grader.batch.console import Bar
    from grader.batch.executors import LocalExecutor, Task

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
        assert len(gb.current()) == summary.found
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
    from grader.cli import BATCH_EPILOG, build_parser
    readme = (repo / "README.md").read_text(encoding="utf-8")
    batch = build_parser()._subparsers._group_actions[0].choices["batch"]
    for option in ("--roster", "--assignment", "--prefer", "--verbose", "--wait"):
        action = next(a for a in batch._actions if option in a.option_strings)
        assert action.help and option in readme, option
    assert "Getting submissions in" in readme and "nbgrader" in BATCH_EPILOG


def test_roster_names_meet_whatever_their_unicode_form():
    import unicodedata
    from grader.batch.roster import Matcher, Person
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
