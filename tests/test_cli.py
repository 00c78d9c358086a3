"""The `grade` command line: exit codes (0 full marks, 1 some points lost, 2 could not grade,
with one line on stderr), JSON that validates against the result document, and the defaults.

Most tests call `grader.cli.main` in-process; one runs `python -m grader.cli` for real. Only
three of them start a sandbox: the others fail before anything runs.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from conftest import EXERCISES, REPO, SOLUTIONS, exercise
from grader.cli import main
from grader.core.result import SCHEMA_VERSION, Result, load_schema
from grader.core.status import CheckStatus, RunStatus

STUB = EXERCISES / "ex02_gd" / "ex02.py"
BROKEN_PY = "import torch\n\ndef GD(params, loss_fn:\n    pass\n"


# ---- the result document's schema ------------------------------------------------------------

SCHEMA = load_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def assert_valid_result(doc: dict) -> None:
    jsonschema.validate(doc, SCHEMA, cls=jsonschema.Draft202012Validator)
    Result.from_dict(doc)  # and it reads back into the data model


def test_the_schema_is_a_valid_json_schema_and_matches_the_code():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert set(SCHEMA["$defs"]["run_status"]["enum"]) == {s.value for s in RunStatus}
    assert set(SCHEMA["$defs"]["check_status"]["enum"]) == {s.value for s in CheckStatus}
    # Every field the data model writes is described (a new field needs a line in the schema).
    doc = json.loads(Result("ex02", "t", "x.py", "graded", 0, 0, checks=()).to_json())
    assert set(doc) <= set(SCHEMA["properties"]), set(doc) - set(SCHEMA["properties"])


def test_the_schema_check_is_not_vacuous():
    good = {"schema_version": SCHEMA_VERSION, "exercise": "ex02", "title": "t",
            "submission": "x.py", "score": 1, "max_score": 2, "status": "graded", "checks": [
                {"name": "a", "description": "", "status": "passed", "passed": True,
                 "points": 1, "max_points": 1, "hidden": False, "message": ""}]}
    assert list(VALIDATOR.iter_errors(good)) == []
    bad = json.loads(json.dumps(good))
    bad["score"], bad["status"] = "1", "fine"
    del bad["checks"][0]["passed"]
    assert len(list(VALIDATOR.iter_errors(bad))) == 3


# ---- helpers ---------------------------------------------------------------------------------

def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, out: str, err: str, *words: str) -> None:
    assert code == 2
    assert out == ""
    assert err.startswith("grade: ") and err.endswith("\n") and err.count("\n") == 1, err
    for w in words:
        assert w in err, err


# ---- commands that run nothing ---------------------------------------------------------------

def test_list_shows_every_exercise_with_its_points(capsys):
    code, out, err = run_cli(capsys, "list")
    assert code == 0 and err == ""
    line = next(s for s in out.splitlines() if s.startswith("ex02 "))
    assert f"{exercise('ex02').max_score:g} pts" in line
    assert "gd" in line and exercise("ex02").title in line


def test_exercises_option_before_the_command(capsys):
    code, out, _ = run_cli(capsys, "--exercises", str(EXERCISES), "list")
    assert code == 0 and "ex02" in out
    # and before the `grade ex02 FILE` shorthand, which must still read as `check`
    assert_one_line_error(*run_cli(capsys, "--exercises", str(EXERCISES), "ex02", "nope.py"),
                          "no such file")


def test_help_shows_examples_and_exit_codes(capsys):
    for argv in (["--help"], ["check", "--help"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 0
        out = capsys.readouterr().out
        assert "examples:" in out and "grade ex02" in out
        assert "exit codes" in out and "0 full marks" in out and "2 could not grade" in out
    assert run_cli(capsys)[0] == 0  # no command at all: the help, not an error


def test_doctor_prints_the_sandbox_line(capsys):
    code, out, err = run_cli(capsys, "doctor")
    assert code == 0
    assert out.startswith("sandbox: ") and "own process group" in out.splitlines()[0]


def test_unknown_exercise_is_exit_2_with_one_line(capsys):
    assert_one_line_error(*run_cli(capsys, "ex99", str(STUB)), "ex99", "grade list")


@pytest.mark.parametrize("name,content,words", [
    ("missing.py", None, ["no such file"]),
    ("answers.txt", "def GD(): pass\n", [".py", ".ipynb"]),
    ("empty.py", "", ["empty"]),
    ("truncated.ipynb", '{"cells": [{"cell_type": "code", "sou', ["not a valid notebook"]),
    ("not_a_notebook.ipynb", '{"hello": "world"}', ["not a valid notebook"]),
])
def test_input_that_cannot_be_graded_is_exit_2_with_one_line(capsys, tmp_path, name, content,
                                                              words):
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert_one_line_error(*run_cli(capsys, "ex02", str(path), "--no-report"), *words)


def test_default_submission_is_exNN_py_in_the_current_folder(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert_one_line_error(*run_cli(capsys, "ex02", "--no-report"), "no ex02.py or ex02.ipynb")

    # A notebook is found when there is no .py (a syntax error in every cell, so the
    # submission's: graded 0 without a sandbox).
    nb = new_notebook(cells=[new_code_cell("import torch as"), new_code_cell("def GD(:\n  pass")])
    nbformat.write(nb, str(tmp_path / "ex02.ipynb"))
    code, out, _ = run_cli(capsys, "ex02", "--json", "--no-report")
    doc = json.loads(out)
    assert code == 1 and doc["submission"].endswith("ex02.ipynb")
    assert doc["status"] == "syntax_error" and "cell 1" in doc["message"]

    # Of ./ex02.py and ./ex02.ipynb, the one saved last, named on stderr; without --json:
    # the table, and the report's path.
    (tmp_path / "ex02.py").write_text(BROKEN_PY, encoding="utf-8")
    os.utime(tmp_path / "ex02.ipynb", (1_000_000, 1_000_000))
    code, out, err = run_cli(capsys, "ex02", "--out", str(tmp_path / "out"))
    assert code == 1 and "grade: grading ex02.py, saved after ex02.ipynb" in err
    assert "line 3" in out  # the table shows the syntax error
    report = Path(out.strip().splitlines()[-1].removeprefix("report: "))
    assert report.parent == tmp_path / "out" and report.is_file() and "ex02" in report.name
    assert list((tmp_path / "out").iterdir()) == [report]


def test_the_notebook_saved_after_the_py_is_the_one_graded(capsys, tmp_path, monkeypatch):
    """A pack ships both: a student who works in the notebook and runs `grade ex02` in a
    terminal must not get the untouched stub graded."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ex02.py").write_text(STUB.read_text(encoding="utf-8"), encoding="utf-8")
    os.utime(tmp_path / "ex02.py", (1_000_000, 1_000_000))
    nbformat.write(new_notebook(cells=[new_code_cell("def GD(:\n  pass")]),
                   str(tmp_path / "ex02.ipynb"))
    code, out, err = run_cli(capsys, "ex02", "--json", "--no-report")
    doc = json.loads(out)
    assert doc["submission"].endswith("ex02.ipynb") and doc["status"] == "syntax_error"
    assert err.strip().splitlines()[0] == ("grade: grading ex02.ipynb, saved after ex02.py "
                                          "(pass the file to grade the other: grade ex02 ex02.py)")


def test_grade_at_a_packs_root_points_to_the_exercises_folder(capsys, tmp_path, monkeypatch):
    shutil.copytree(EXERCISES / "ex02_gd", tmp_path / "exercises" / "ex02_gd")
    monkeypatch.chdir(tmp_path)
    assert_one_line_error(*run_cli(capsys, "ex02", "--no-report"),
                          f"no ex02.py or ex02.ipynb in {tmp_path}",
                          "ex02 is in exercises/ex02_gd: cd there and run grade ex02")


def _bank_with_a_broken_exercise(tmp_path: Path, yaml_edit: tuple[str, str]) -> Path:
    for name in ("ex02_gd", "ex07_activations"):
        shutil.copytree(EXERCISES / name, tmp_path / name)
    spec = tmp_path / "ex07_activations" / "exercise.yaml"
    text = spec.read_text(encoding="utf-8")
    assert yaml_edit[0] in text
    spec.write_text(text.replace(*yaml_edit, 1), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("edit, said", [
    (("time_limit_s:", "time_limt_s:"), "unknown key 'time_limt_s' (did you mean 'time_limit_s'?)"),
    (("device: cpu", "device: [cpu"), "not valid YAML"),
])
def test_list_shows_the_others_and_names_the_broken_one(capsys, tmp_path, edit, said):
    root = _bank_with_a_broken_exercise(tmp_path, edit)
    code, out, err = run_cli(capsys, "--exercises", str(root), "list")
    assert code == 2 and out.startswith("ex02  gd") and "ex07" not in out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"grade: cannot load {root / 'ex07_activations' / 'exercise.yaml'}") and said in lines[0]


def test_a_syntax_error_in_a_check_file_is_one_line_naming_file_and_line(capsys, tmp_path):
    shutil.copytree(EXERCISES / "ex02_gd", tmp_path / "ex02_gd")
    checks = tmp_path / "ex02_gd" / "test_public.py"
    lines = checks.read_text(encoding="utf-8").splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("def test_"))
    lines[at] = lines[at].replace("):", ":", 1)
    checks.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_one_line_error(*run_cli(capsys, "--exercises", str(tmp_path), "ex02", str(STUB)),
                          f"{checks}, line {at + 1}: SyntaxError: ")


def test_a_reader_that_leaves_early_ends_no_command_in_a_traceback(tmp_path):
    """`grade list | head -1`: head exits, the next write meets a closed pipe. The read end is
    closed before grade starts, so that every write meets it (no race with the reader)."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for argv in (["list"], ["--help"], ["doctor"]):
        read, write = os.pipe()
        os.close(read)
        try:
            proc = subprocess.run([sys.executable, "-m", "grader.cli", *argv], cwd=REPO, env=env,
                                  stdout=write, stderr=subprocess.PIPE, text=True, timeout=120)
        finally:
            os.close(write)
        assert proc.stderr == "" and proc.returncode == 0, (argv, proc.stderr)


# ---- grading runs (each starts one sandbox) --------------------------------------------------

def test_reference_solution_is_exit_0_and_json_only(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "ex02", str(SOLUTIONS / "ex02.py"), "--json",
                             "--out", str(tmp_path / "out"))
    assert code == 0, out
    doc = json.loads(out)  # the whole of stdout is one JSON document
    assert_valid_result(doc)
    assert doc["status"] == "graded" and doc["score"] == doc["max_score"] == 10
    assert all(c["passed"] for c in doc["checks"])
    assert any(c["hidden"] for c in doc["checks"]) and doc["public_only"] is False
    assert doc["hidden_remaining"] == 0
    reports = list((tmp_path / "out").glob("*.html"))
    assert len(reports) == 1 and reports[0].stat().st_size > 0
    assert not (tmp_path / "reports").exists()


def test_console_script_grades_the_stub_public_only(tmp_path):
    """A real `python -m grader.cli` process: the stub loses points (exit 1), public checks only;
    -v logs the grading on stderr and leaves stdout the JSON alone."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, "-m", "grader.cli", "ex02", str(STUB), "--public-only", "--json",
         "--no-report", "-v"], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "grade: INFO grader.grading.pipeline: ex02 " in proc.stderr, proc.stderr
    doc = json.loads(proc.stdout)
    assert_valid_result(doc)
    assert doc["status"] == "graded" and doc["score"] == 0
    assert doc["public_only"] is True
    assert doc["hidden_remaining"] == sum(c.hidden for c in exercise("ex02").checks) > 0
    assert doc["hidden_points"] > 0
    assert doc["checks"] and not any(c["hidden"] for c in doc["checks"])
    assert all("NotImplementedError" in c["message"] for c in doc["checks"])
    assert not (tmp_path / "reports").exists()
