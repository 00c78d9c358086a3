"""The `grade` command line: exit codes (0 full marks, 1 some points lost, 2 could not grade,
with one line on stderr), JSON that validates against the result document, and the defaults.

Most tests call `grader.cli.main` in-process; one runs `python -m grader.cli` for real. Only
three of them start a sandbox: the others fail before anything runs.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from conftest import EXERCISES, REPO, SOLUTIONS, exercise
from grader.cli import main
from grader.result import RESULT_SCHEMA, Result

STUB = EXERCISES / "ex02_gd" / "ex02.py"
BROKEN_PY = "import torch\n\ndef GD(params, loss_fn:\n    pass\n"


# ---- the result document's schema ------------------------------------------------------------

def _schema_errors(value, schema: dict, where: str = "$") -> list[str]:
    """A small validator for the keywords RESULT_SCHEMA uses: type, enum, required,
    properties, items. It runs even where jsonschema is missing."""
    types = {"object": dict, "array": list, "string": str, "boolean": bool,
             "number": (int, float)}
    errors = []
    if "type" in schema:
        ok = isinstance(value, types[schema["type"]])
        if schema["type"] == "number" and isinstance(value, bool):
            ok = False
        if not ok:
            return [f"{where}: expected {schema['type']}, got {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} not one of {schema['enum']}")
    if isinstance(value, dict):
        errors += [f"{where}: missing {k}" for k in schema.get("required", ()) if k not in value]
        for k, sub in schema.get("properties", {}).items():
            if k in value:
                errors += _schema_errors(value[k], sub, f"{where}.{k}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += _schema_errors(item, schema["items"], f"{where}[{i}]")
    return errors


def assert_valid_result(doc: dict) -> None:
    assert _schema_errors(doc, RESULT_SCHEMA) == []
    try:
        import jsonschema
    except ImportError:
        pass
    else:
        jsonschema.validate(doc, RESULT_SCHEMA)
    Result.from_dict(doc)  # and it reads back into the data model


def test_the_schema_check_is_not_vacuous():
    good = {"exercise": "ex02", "score": 1, "max_score": 2, "status": "graded", "checks": [
        {"name": "a", "passed": True, "points": 1, "max_points": 1, "hidden": False,
         "message": ""}]}
    assert _schema_errors(good, RESULT_SCHEMA) == []
    bad = json.loads(json.dumps(good))
    bad["score"], bad["status"] = "1", "fine"
    del bad["checks"][0]["passed"]
    assert len(_schema_errors(bad, RESULT_SCHEMA)) == 3


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

    # A notebook is found when there is no .py (a syntax error: graded 0 without a sandbox).
    nb = new_notebook(cells=[new_code_cell("import torch"), new_code_cell("def GD(:\n  pass")])
    nbformat.write(nb, str(tmp_path / "ex02.ipynb"))
    code, out, _ = run_cli(capsys, "ex02", "--json", "--no-report")
    doc = json.loads(out)
    assert code == 1 and doc["submission"].endswith("ex02.ipynb")
    assert doc["status"] == "syntax_error" and "cell 2" in doc["message"]

    # ./ex02.py wins over ./ex02.ipynb; without --json: the table, and the report's path.
    (tmp_path / "ex02.py").write_text(BROKEN_PY, encoding="utf-8")
    code, out, _ = run_cli(capsys, "ex02", "--out", str(tmp_path / "out"))
    assert code == 1
    assert "line 3" in out  # the table shows the syntax error
    report = Path(out.strip().splitlines()[-1].removeprefix("report: "))
    assert report.parent == tmp_path / "out" and report.is_file() and "ex02" in report.name
    assert list((tmp_path / "out").iterdir()) == [report]


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
    """A real `python -m grader.cli` process: the stub loses points (exit 1), public checks only."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, "-m", "grader.cli", "ex02", str(STUB), "--public-only", "--json",
         "--no-report"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert_valid_result(doc)
    assert doc["status"] == "graded" and doc["score"] == 0
    assert doc["public_only"] is True
    assert doc["hidden_remaining"] == sum(c.hidden for c in exercise("ex02").checks) > 0
    assert doc["hidden_points"] > 0
    assert doc["checks"] and not any(c["hidden"] for c in doc["checks"])
    assert all("NotImplementedError" in c["message"] for c in doc["checks"])
    assert not (tmp_path / "reports").exists()
