"""`grade batch`: a whole class into the gradebook, grades.csv, results.json, reports and the
class overview; resumable after SIGKILL; the same scores with --jobs 1 and --jobs 2; LMS zips.

Sandbox runs are the cost here (about 2 s each for ex01, the cheapest exercise): the real
gradings happen in two module-wide batches of three and in the kill test. Everything about
bookkeeping uses submissions that need no sandbox: an empty file (unreadable), a syntax error
and a forbidden import are graded without starting one.
"""
from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from conftest import EXERCISES, REPO, SOLUTIONS, SUBMISSIONS, exercise
from grader.classroom.batch import BatchOptions, run_batch
from grader.classroom.intake import DiscoveryError, Reason, discover, exercise_of
from grader.cli import main
from grader.classroom.gradebook import UNREADABLE, Gradebook

EX01 = SOLUTIONS / "ex01.py"
WRONG = SUBMISSIONS / "ex01" / "mul_rule_swapped.py"
FORBIDDEN = SUBMISSIONS / "ex01" / "imports_torch.py"
HOSTILE_ID = "eve<script>"       # any name is an id; this folder is empty: nothing to grade


def notebook(source: str) -> str:
    return nbformat.writes(new_notebook(cells=[new_code_cell(source)]))


def make_class(root: Path, files: dict[str, tuple[str, str | bytes]]) -> Path:
    """files: student -> (file name, content)."""
    for student, (name, content) in files.items():
        d = root / student
        d.mkdir(parents=True, exist_ok=True)
        (d / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    return root


def cheap_class(root: Path) -> Path:
    """Three submissions of ex01 that are graded without a sandbox."""
    return make_class(root, {
        "s1": ("ex01.py", b""),                                     # unreadable: empty
        "s2": ("ex01.py", "def forward(:\n    pass\n"),              # syntax error
        "s3": ("ex01.py", FORBIDDEN.read_text()),                    # forbidden import
    })


def batch(subs: Path, out: Path, **kw) -> object:
    return run_batch(subs, EXERCISES, BatchOptions(out=out, exercise=kw.pop("exercise", "ex01"),
                                                   **kw))


def scores(out: Path) -> dict:
    with Gradebook.in_folder(out) as gb:
        return {(e.student, e.exercise): (e.status, e.score, e.max_score,
                                          tuple((c.name, c.status) for c in e.result.checks)
                                          if e.result else ())
                for e in gb.current()}


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("class") / "submissions"
    make_class(root, {
        "alice": ("ex01.py", EX01.read_text()),
        "bob": ("ex01.py", WRONG.read_text()),
        "carol": ("ex01.py", b""),
        "dave": ("ex01.ipynb", notebook(EX01.read_text())),
        "erin": ("ex01.py", FORBIDDEN.read_text()),
    })
    (root / "alice" / "notes.txt").write_text("not a submission")
    (root / "bob" / "scratch.py").write_text("print('not an exercise')")
    (root / HOSTILE_ID).mkdir()
    return root


@pytest.fixture(scope="module")
def run2(klass, tmp_path_factory):
    out = tmp_path_factory.mktemp("out2")
    return out, batch(klass, out, jobs=2)


@pytest.fixture(scope="module")
def run1(klass, tmp_path_factory):
    out = tmp_path_factory.mktemp("out1")
    return out, batch(klass, out, jobs=1)


# ---- a whole class ---------------------------------------------------------------------------

def test_every_submission_lands_in_the_gradebook(run2):
    out, summary = run2
    s = scores(out)
    assert sorted(s) == [(n, "ex01") for n in ("alice", "bob", "carol", "dave", "erin")]
    assert s["alice", "ex01"][:3] == ("graded", 17.0, 17.0)
    assert s["dave", "ex01"][:3] == ("graded", 17.0, 17.0)          # a notebook
    assert s["bob", "ex01"][0] == "graded" and 0 < s["bob", "ex01"][1] < 17
    assert s["carol", "ex01"][:3] == (UNREADABLE, 0.0, 17.0)
    assert s["erin", "ex01"][:2] == ("forbidden_import", 0.0)
    assert (summary.found, summary.graded, summary.unchanged, summary.errors) == (5, 5, 0, [])
    assert summary.unreadable == ["carol ex01: ex01.py is empty"]
    assert any("bob/scratch.py" in w and "another file" in w for w in summary.warnings)
    assert any("alice/notes.txt" in w and "not a .py" in w for w in summary.warnings)
    assert summary.files == summary.found + len(summary.skipped) == 7


def test_grades_csv_one_row_per_student_id_first(run2):
    out, _ = run2
    rows = list(csv.reader((out / "grades.csv").open()))
    assert rows[0] == ["student_id", "name", "ex01", "total"]
    table = {r[0]: r[2:] for r in rows[1:]}
    assert table["alice"] == ["17", "17"] and table["carol"] == ["0", "0"]
    assert list(table) == sorted(table)


def test_results_json_is_gradescope_shaped(run2):
    out, _ = run2
    doc = json.loads((out / "results" / "bob" / "ex01.json").read_text())
    assert doc["score"] == sum(t["score"] for t in doc["tests"])
    assert {"name", "score", "max_score", "output", "visibility"} <= set(doc["tests"][0])
    assert [t["number"] for t in doc["tests"]] == [str(i) for i in range(1, len(doc["tests"]) + 1)]
    visibility = {t["extra_data"]["check"]: t["visibility"] for t in doc["tests"]}
    assert visibility["test_forward_of_notes_example"] == "visible"
    assert visibility["test_random_graph_gradients"] == "after_published"   # hidden check
    failed = [t for t in doc["tests"] if t["score"] < t["max_score"]]
    assert failed and all(t["output"] for t in failed)
    empty = json.loads((out / "results" / "carol" / "ex01.json").read_text())
    assert (empty["score"], empty["tests"], empty["output"]) == (0.0, [], "ex01.py is empty")


def test_one_report_per_student_and_exercise(run2):
    out, _ = run2
    reports = sorted(p.relative_to(out).as_posix() for p in (out / "reports").rglob("*.html"))
    assert reports == [f"reports/{s}/ex01-ex01.html" for s in ("alice", "bob", "dave", "erin")]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.tags = [], set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.links += [v for k, v in attrs if k in ("href", "src")]


def test_class_overview_is_self_contained_and_links_every_report(run2):
    out, _ = run2
    html = (out / "index.html").read_text()
    parser = _Links()
    parser.feed(html)
    assert "script" not in parser.tags
    local = [l for l in parser.links if not l.startswith("#")]
    assert local and all(not re.match(r"[a-z]+:", l) for l in local)     # nothing fetched
    assert all((out / l).is_file() for l in local)
    # (alice's file and dave's notebook hold the same code: their side-by-side page)
    assert {l for l in local if not l.startswith("similarity/")} == {
        f"reports/{s}/ex01-ex01.html" for s in ("alice", "bob", "dave", "erin")}
    assert html.count("<svg") == 1                                        # the histogram
    assert "ex01.py is empty" in html and "forbidden" in html             # crashed list


def test_overview_lists_the_most_failed_check_first(run2):
    out, _ = run2
    html = (out / "index.html").read_text()
    section = html[html.index("most-failed first"):html.index("Graded 0 without running")]
    shares = [float(x) for x in re.findall(r"\(([\d.]+) %\)", section)]
    assert shares == sorted(shares) and len(shares) == 10
    # bob's wrong mul rule fails the gradient checks: passed by alice and dave only, of 5
    first = re.search(r"<span class=\"tag\">(\w+)", section).group(1)
    assert first in {"test_random_graph_gradients", "test_node_used_many_times",
                     "test_descent_random_graph"}
    assert "2 / 5 (40.0 %)" in section


def test_overview_escapes_what_students_control(tmp_path: Path):
    # a name in an LMS export is whatever the student typed into their profile
    z = _zip(tmp_path / "moodle.zip",
             {"<img src=x onerror=alert(1)>_42_assignsubmission_file_/ex01.py": b"def f(:\n"})
    batch(z, tmp_path / "out")
    html = (tmp_path / "out" / "index.html").read_text()
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.slow
def test_same_scores_with_one_and_two_jobs(run1, run2):
    assert scores(run1[0]) == scores(run2[0])


# ---- resumable and idempotent ----------------------------------------------------------------

def test_rerun_grades_nothing_when_nothing_changed(run2, klass):
    out, _ = run2
    before = scores(out)
    with Gradebook.in_folder(out) as gb:
        counts = gb.counts()
    again = batch(klass, out, jobs=2)
    assert (again.graded, again.unchanged) == (0, 5)
    with Gradebook.in_folder(out) as gb:
        assert gb.counts() == counts
    assert scores(out) == before


def test_changed_file_is_graded_again_and_regrade_forces_all(tmp_path: Path):
    subs, out = cheap_class(tmp_path / "subs"), tmp_path / "out"
    assert batch(subs, out).graded == 3
    (subs / "s1" / "ex01.py").write_text("def f(:\n")                 # now a syntax error
    second = batch(subs, out)
    assert (second.graded, second.unchanged) == (1, 2)
    assert scores(out)["s1", "ex01"][0] == "syntax_error"
    forced = batch(subs, out, regrade=True)
    assert (forced.graded, forced.unchanged) == (3, 0)
    with Gradebook.in_folder(out) as gb:
        # history: s1's empty file and its syntax error; one current row per student
        assert gb.counts()["submissions"] == 4
        assert len(gb.current()) == 3


def test_public_only_is_a_different_grading(tmp_path: Path):
    subs, out = cheap_class(tmp_path / "subs"), tmp_path / "out"
    batch(subs, out)
    public = batch(subs, out, public_only=True)
    assert public.graded == 3
    assert scores(out)["s1", "ex01"][2] == 6.0      # the public checks' points only


def test_a_missing_results_file_is_rendered_again(tmp_path: Path):
    subs, out = cheap_class(tmp_path / "subs"), tmp_path / "out"
    batch(subs, out)
    (out / "results" / "s3" / "ex01.json").unlink()
    shutil.rmtree(out / "reports" / "s3")
    assert batch(subs, out).graded == 0
    assert (out / "results" / "s3" / "ex01.json").is_file()
    assert (out / "reports" / "s3" / "ex01-ex01.html").is_file()


def _children(pid: int) -> list[int]:
    kids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if int((d / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    kids.append(int(d.name))
            except (OSError, IndexError, ValueError):
                pass
    return kids


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to watch the workers")
@pytest.mark.slow
def test_sigkill_mid_batch_then_rerun_grades_only_the_rest(tmp_path: Path):
    """A real `grade batch` is killed with SIGKILL after its first result is committed. Its
    workers die with it; the rerun grades only what is missing; nothing is lost or doubled."""
    students = ["s1", "s2", "s3", "s4"]
    subs = make_class(tmp_path / "subs", {s: ("ex01.py", EX01.read_text() + f"\n# {s}\n")
                                          for s in students})
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "grader.cli", "batch", str(subs), "--out", str(out),
           "--jobs", "1"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db, deadline, first = out / "gradebook.sqlite", time.monotonic() + 120, []
    try:
        while not first and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            if db.exists():
                try:
                    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                        first = conn.execute("SELECT id, student FROM submissions").fetchall()
                except sqlite3.OperationalError:
                    pass
        workers = _children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert first and len(first) < len(students), "the batch was not caught mid-way"
    deadline = time.monotonic() + 15
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert workers and not any(map(_alive, workers)), "a worker outlived the killed batch"

    with Gradebook.in_folder(out) as gb:
        kept = {(e.student, e.id) for e in gb.current()}
    assert set(first) <= {(i, s) for s, i in kept}
    rerun = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{len(students) - len(kept)} graded now, {len(kept)} unchanged" in rerun.stdout
    with Gradebook.in_folder(out) as gb:
        final = gb.current()
        assert gb.counts() == {"students": 4, "submissions": 4, "results": 4 * 10}
    assert {(e.student, e.id) for e in final} >= kept          # the first results untouched
    assert [e.score for e in final] == [17.0] * 4
    for e in final:
        assert json.loads((out / "results" / e.student / "ex01.json").read_text()
                          )["extra_data"]["gradebook_id"] == e.id


# ---- LMS zips --------------------------------------------------------------------------------

def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_moodle_zip_maps_folders_to_student_ids(tmp_path: Path):
    z = _zip(tmp_path / "moodle.zip", {
        "Ada Lovelace_12345_assignsubmission_file_/ex01.py": b"a = 1\n",
        "Ada Lovelace_12345_assignsubmission_file_/ex02.ipynb": b"{}",
        "Alan Turing_67890_assignsubmission_file_/My Ex01 final.py": b"b = 2\n",
        "Alan Turing_67890_assignsubmission_onlinetext_/onlinetext.html": b"<p>hi</p>",
        "__MACOSX/Ada Lovelace_12345_assignsubmission_file_/._ex01.py": b"junk",
    })
    intake = discover(z, ["ex01", "ex02"], tmp_path / "unpacked")
    got = [(f.student, f.exercise, f.name, f.path.relative_to(tmp_path).as_posix())
           for f in intake.found]
    assert got[:2] == [("12345", "ex01", "Ada Lovelace", "unpacked/12345/ex01/ex01.py"),
                       ("12345", "ex02", "Ada Lovelace", "unpacked/12345/ex02/ex02.ipynb")]
    assert got[2][:3] == ("67890", "ex01", "Alan Turing")
    assert intake.found[2].path.read_text() == "b = 2\n"
    assert sorted(k.reason for k in intake.skipped) == [Reason.NOT_CODE, Reason.METADATA]


def test_canvas_zip_maps_file_names_to_student_ids(tmp_path: Path):
    z = _zip(tmp_path / "canvas.zip", {
        "lovelaceada_12345_900001_ex01.py": b"a = 1\n",
        "turingalan_LATE_67890_900002_ex01-1.py": b"b = 2\n",      # late, resubmitted
        "turingalan_67890_900003_ex01.py": b"old = 0\n",          # exact name wins
        "hopper_55555_900004_README.md": b"not code",
        "stray.py": b"whose?",
    })
    intake = discover(z, ["ex01"], tmp_path / "unpacked")
    found = intake.found
    assert [(f.student, f.exercise, f.name) for f in found] == \
        [("12345", "ex01", "lovelaceada"), ("67890", "ex01", "turingalan")]
    assert found[1].path.read_text() == "old = 0\n"     # same time: the exact name wins
    why = {k.path.rsplit("/", 1)[1]: k.reason for k in intake.skipped}
    assert why == {"turingalan_LATE_67890_900002_ex01-1.py": Reason.NOT_CHOSEN,
                   "hopper_55555_900004_README.md": Reason.NOT_CODE,
                   "stray.py": Reason.NO_OWNER}


def test_zip_members_never_escape_and_are_capped(tmp_path: Path):
    z = _zip(tmp_path / "evil.zip", {
        "../../outside_1_2_ex01.py": b"x = 1\n",
        "mallory_3_4_ex01.py": b"#" * 5000,
    })
    intake = discover(z, ["ex01"], tmp_path / "unpacked", max_bytes=1000)
    found = intake.found
    assert [f.student for f in found] == ["3"]
    assert [k.reason for k in intake.skipped] == [Reason.UNSAFE]
    assert found[0].path.stat().st_size == 1001        # the loader refuses it as too large
    assert not (tmp_path.parent / "outside_1_2_ex01.py").exists()
    assert {p.name for p in (tmp_path / "unpacked").iterdir()} == {"3"}


def test_exercise_is_read_from_the_file_name():
    ids = ["ex01", "ex02"]
    assert [exercise_of(n, ids) for n in ("ex01.py", "Ex02-1.ipynb", "my_ex01_final.py",
                                          "ex012.py", "ex03.py", "ex01.txt", "rex01.py",
                                          "ex2.py", "Exercise_1.ipynb")] == \
        ["ex01", "ex02", "ex01", None, None, None, None, "ex02", "ex01"]


def test_batch_from_a_canvas_zip_writes_student_ids(tmp_path: Path):
    z = _zip(tmp_path / "canvas.zip", {
        "lovelaceada_12345_900001_ex01.py": FORBIDDEN.read_bytes(),
        "turingalan_67890_900002_ex01.py": b"def f(:\n",
    })
    out = tmp_path / "out"
    summary = batch(z, out)
    assert summary.graded == 2
    rows = list(csv.reader((out / "grades.csv").open()))
    assert [r[0] for r in rows] == ["student_id", "12345", "67890"]
    assert "lovelaceada" in (out / "index.html").read_text()
    assert batch(z, out).graded == 0           # unpacked again, same bytes: unchanged


def test_discovery_errors_are_one_line(tmp_path: Path):
    with pytest.raises(DiscoveryError, match="no such folder"):
        discover(tmp_path / "nope", ["ex01"], tmp_path / "u")
    (tmp_path / "f.txt").write_text("x")
    with pytest.raises(DiscoveryError, match="neither"):
        discover(tmp_path / "f.txt", ["ex01"], tmp_path / "u")


# ---- the command line ------------------------------------------------------------------------

def test_cli_batch_prints_progress_summary_and_exits_0(tmp_path: Path, capsys):
    subs = cheap_class(tmp_path / "subs")
    code = main(["--exercises", str(EXERCISES), "batch", str(subs), "--out",
                 str(tmp_path / "out"), "--exercise", "ex01", "--jobs", "1"])
    out = capsys.readouterr().out     # not a terminal: plain lines and the summary on stdout
    assert code == 0
    assert "Batch summary" in out and "3 graded now, 0 unchanged" in out
    assert "s1 ex01: ex01.py is empty" in out
    assert "s2 ex01 0/17 (syntax error)" in out                 # graded, not "not graded"
    assert "grades:" in out and "grades.csv" in out


def test_cli_batch_workers_adopt_the_sandboxes_started_first(tmp_path: Path, monkeypatch):
    """`grade batch --exercise` starts each worker's warm sandbox before anything else, and the
    workers (forked later) grade in those: no worker starts one of its own."""
    from grader.sandbox import zygote
    starts = tmp_path / "starts"
    real_init = zygote.Zygote.__init__

    def counted_init(self, *args, **kwargs):
        with open(starts, "a") as f:
            f.write(f"{os.getpid()} {kwargs.get('wait', True)}\n")
        real_init(self, *args, **kwargs)
    monkeypatch.setattr(zygote.Zygote, "__init__", counted_init)
    from grader.sandbox import holdings
    monkeypatch.setattr(holdings.current(), "zygotes", {})  # this test's own, whatever ran before

    subs = make_class(tmp_path / "subs", {"alice": ("ex01.py", EX01.read_text()),
                                          "bob": ("ex01.py", WRONG.read_text())})
    out = tmp_path / "out"
    assert main(["--exercises", str(EXERCISES), "batch", str(subs), "--out", str(out),
                 "--exercise", "ex01", "--jobs", "2"]) == 0
    assert starts.read_text().split("\n")[:-1] == [f"{os.getpid()} False"] * 2
    assert not holdings.current().zygotes  # handed over to the workers, gone now
    graded = scores(out)
    assert graded[("alice", "ex01")][1] == graded[("alice", "ex01")][2]  # full marks
    assert graded[("bob", "ex01")][1] < graded[("bob", "ex01")][2]


@pytest.mark.parametrize("args, message", [
    (["batch", "NOPE", "--out", "OUT"], "no such folder or zip file"),
    (["batch", "SUBS", "--out", "OUT", "--jobs", "0"], "--jobs must be at least 1"),
    (["batch", "SUBS", "--out", "OUT", "--executor", "dask"], "needs --scheduler"),
    (["batch", "SUBS", "--out", "OUT", "--exercise", "ex99"], "unknown exercise"),
])
def test_cli_batch_user_errors_are_one_line_exit_2(tmp_path: Path, capsys, args, message):
    cheap_class(tmp_path / "SUBS")
    args = [str(tmp_path / a) if a in ("NOPE", "SUBS", "OUT") else a for a in args]
    assert main(["--exercises", str(EXERCISES), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_batch_refuses_a_weak_sandbox_unless_allowed(tmp_path: Path, capsys, monkeypatch):
    from grader.sandbox import isolation
    weak = isolation.detect_layers(allow_bwrap=False)
    monkeypatch.setattr(isolation, "detect_layers", lambda allow_bwrap=True: weak)
    subs = cheap_class(tmp_path / "subs")
    args = ["--exercises", str(EXERCISES), "batch", str(subs), "--out", str(tmp_path / "out"),
            "--exercise", "ex01", "--jobs", "1"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert "--allow-weak-sandbox" in err and len(err.splitlines()) == 1
    assert main(args + ["--allow-weak-sandbox"]) == 0


# ---- dask.distributed ------------------------------------------------------------------------

def _wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@contextlib.contextmanager
def _cluster(tmp: Path, workers: int, wrap: tuple[str, ...] = ()):
    """A real `dask scheduler` and `workers` `dask worker` processes on 127.0.0.1; `wrap`
    runs the workers under a command (tests/docker_like.py: a machine without namespaces)."""
    pytest.importorskip("distributed")
    dask_cli = [sys.executable, "-m", "dask"]     # the `dask` command of this environment
    info = tmp / "scheduler.json"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    common = dict(cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                  start_new_session=True)
    procs = [subprocess.Popen([*dask_cli, "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--no-dashboard", "--scheduler-file", str(info)], **common)]
    try:
        _wait_for(info.exists, 60, "the dask scheduler")
        address = json.loads(info.read_text())["address"]
        for i in range(workers):
            procs.append(subprocess.Popen(
                [*wrap, *dask_cli, "worker", address, "--nthreads", "1", "--no-dashboard",
                 "--host", "127.0.0.1", "--name", f"w{i}", "--local-directory",
                 str(tmp / f"w{i}")], **common))
        from distributed import Client
        with Client(address, timeout="30s") as client:
            _wait_for(lambda: len(client.scheduler_info()["workers"]) == workers, 60,
                      f"{workers} workers")
        yield address
    finally:
        for p in procs[::-1]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A real `dask scheduler` and two `dask worker` processes on 127.0.0.1."""
    with _cluster(tmp_path_factory.mktemp("dask"), workers=2) as address:
        yield address


@pytest.fixture(scope="module")
def weak_dask_cluster(tmp_path_factory):
    """A scheduler and one worker whose machine cannot sandbox strongly: the real bwrap fails
    there as in a Docker container that forbids namespaces (tests/docker_like.py)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("tests/docker_like.py is Linux's seccomp")
    docker_like = (sys.executable, str(Path(__file__).resolve().parent / "docker_like.py"))
    with _cluster(tmp_path_factory.mktemp("dask-weak"), workers=1, wrap=docker_like) as address:
        yield address


@pytest.mark.slow
def test_dask_executor_gives_the_local_executors_results(dask_cluster, klass, run2,
                                                         tmp_path: Path):
    out = tmp_path / "out"
    summary = batch(klass, out, executor="dask", scheduler=dask_cluster)
    assert (summary.graded, summary.errors) == (5, [])
    assert scores(out) == scores(run2[0])
    assert sorted(p.relative_to(out).as_posix() for p in (out / "reports").rglob("*.html")) == \
        sorted(p.relative_to(run2[0]).as_posix() for p in (run2[0] / "reports").rglob("*.html"))
    with Gradebook.in_folder(out) as gb:   # the names the instructor knows, not the worker's
        assert {e.result.submission for e in gb.current() if e.result} == \
            {str(klass / s / f) for s, f in (("alice", "ex01.py"), ("bob", "ex01.py"),
                                             ("dave", "ex01.ipynb"), ("erin", "ex01.py"))}


@pytest.mark.slow
def test_dask_scheduler_that_is_not_there_is_a_grader_error():
    pytest.importorskip("distributed")
    from grader.classroom.batch.dask_executor import DaskExecutor
    from grader.core.errors import GraderError
    with pytest.raises(GraderError, match="cannot reach the dask scheduler at tcp://127.0.0.1:1"):
        DaskExecutor("tcp://127.0.0.1:1", timeout_s=1)


@pytest.mark.slow
def test_a_dask_worker_refuses_a_weak_sandbox_unless_allowed(weak_dask_cluster, tmp_path: Path,
                                                             capsys):
    """As `grade batch` refuses locally: one line naming the worker, exit 2, nothing graded; a
    worker that joins after the start refuses each task (a grader error, retried next run);
    with --allow-weak-sandbox the class is graded there."""
    from distributed import Client
    from grader.classroom.batch.dask_executor import Shipped, grade_shipped
    from grader.classroom.batch.executors import ERROR, Task
    from grader.grading.pipeline import GradeOptions
    subs = make_class(tmp_path / "subs", {"s1": ("ex01.py", EX01.read_text()),
                                          "s2": ("ex01.py", "def forward(:\n")})
    out = tmp_path / "out"
    args = ["--exercises", str(EXERCISES), "batch", str(subs), "--out", str(out),
            "--exercise", "ex01", "--executor", "dask", "--scheduler", weak_dask_cluster]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert re.search(r"dask worker tcp://127\.0\.0\.1:\d+ cannot sandbox strongly", err)
    assert "--allow-weak-sandbox" in err
    assert not (out / "gradebook.sqlite").exists() or scores(out) == {}
    job = Shipped(Task("s1", exercise("ex01"), "ex01.py"), "ex01.py", EX01.read_bytes())
    with Client(weak_dask_cluster, timeout="30s") as client:
        late = client.submit(grade_shipped, job, GradeOptions(), False, pure=False).result()
    assert late.kind == ERROR and "cannot sandbox strongly" in late.reason
    assert main(args + ["--allow-weak-sandbox"]) == 0
    graded = scores(out)
    assert graded["s1", "ex01"][:3] == ("graded", 17.0, 17.0)
    assert graded["s2", "ex01"][:2] == ("syntax_error", 0.0)


def test_dask_slots_are_distinct_between_holders():
    from grader.classroom.batch.dask_executor import hold_slot
    with hold_slot() as a, hold_slot() as b:   # flock: even two holders in one process
        assert a != b


def test_a_grading_the_grader_breaks_is_kept_with_its_traceback_and_listed(tmp_path: Path):
    """A fault of the grader's (here: an exercise asking for a data set that does not exist)
    is not a grade: the summary lists it, the gradebook keeps its traceback, index.html says
    so, and a later run that grades the file clears it."""
    from conftest import copy_exercise
    bank = tmp_path / "bank"
    copy_exercise(bank, "ex02_gd", data=["no-such-data-set"])
    subs = tmp_path / "subs" / "alice"
    subs.mkdir(parents=True)
    shutil.copy(SOLUTIONS / "ex02.py", subs / "ex02.py")
    summary = run_batch(tmp_path / "subs", bank, BatchOptions(out=tmp_path / "out",
                                                               exercise="ex02", jobs=1))
    assert summary.graded == 0 and len(summary.errors) == 1
    assert "unknown data set" in summary.errors[0]
    with Gradebook.in_folder(tmp_path / "out") as gb:
        [row] = gb.grader_errors()
        assert gb.current() == []
    assert (row["student"], row["exercise"]) == ("alice", "ex02")
    assert "Traceback (most recent call last)" in row["traceback"]
    assert "GraderError" in row["traceback"]
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "Not graded: the grader or the machine failed" in html and "unknown data set" in html

    shutil.rmtree(bank)
    copy_exercise(bank, "ex02_gd")               # the exercise fixed: graded, error cleared
    summary = run_batch(tmp_path / "subs", bank, BatchOptions(out=tmp_path / "out",
                                                               exercise="ex02", jobs=1))
    assert summary.graded == 1 and summary.errors == []
    with Gradebook.in_folder(tmp_path / "out") as gb:
        assert gb.grader_errors() == []
