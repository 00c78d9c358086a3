"""`%load_ext grader` and `%grade ex02`: the notebook graded as saved, in another process, the
report shown inline; the kernel never holds a verdict it could change."""
from __future__ import annotations

import shutil
from pathlib import Path

import grader
from grader.grading.jupyter import Inline, grade_magic

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"


class FakeIPython:
    def __init__(self):
        self.magics = {}

    def register_magic_function(self, fn, magic_kind, magic_name):
        self.magics[(magic_kind, magic_name)] = fn


def test_load_ext_registers_the_grade_line_magic():
    ip = FakeIPython()
    grader.load_ipython_extension(ip)
    assert ("line", "grade") in ip.magics


def test_grade_runs_the_cli_public_only_on_the_saved_notebook(tmp_path):
    shutil.copy(NOTEBOOKS / "ex02_jupyterlab.ipynb", tmp_path / "ex02.ipynb")
    seen = {}

    def run(cmd, cwd, **kw):
        seen["cmd"], seen["cwd"] = cmd, cwd
        out = Path(cmd[cmd.index("--out") + 1])
        (out / "ex02-ex02.html").write_text("<html>report & <b>score</b></html>")

        class Done:
            stdout, stderr, returncode = "ex02: 4/4", "", 0
        return Done()

    shown = grade_magic("ex02", cwd=tmp_path, run=run)
    assert seen["cmd"][2:] [:4] == ["grader.cli", "check", "ex02", str(tmp_path / "ex02.ipynb")]
    assert "--public-only" in seen["cmd"]
    html = shown._repr_html_()
    assert html.startswith("<iframe srcdoc=") and "report &amp; &lt;b&gt;score" in html
    assert repr(shown) == "ex02: 4/4"


def test_grade_really_grades_a_notebook(tmp_path):
    # The classic Notebook's fixture: the JupyterLab one times a 100,000-step GD in a cell
    # (seconds of CPU; it is graded in the slow tier, test_notebook_formats)
    shutil.copy(NOTEBOOKS / "ex02_classic_notebook.ipynb", tmp_path / "ex02.ipynb")
    shown = grade_magic("ex02", cwd=tmp_path)
    assert isinstance(shown, Inline) and "Score" not in shown.page[:10]
    assert "All public checks pass" in shown.page, shown.text


def test_an_ungradable_file_is_one_line(tmp_path):
    (tmp_path / "ex02.ipynb").write_text("not json")
    shown = grade_magic("ex02", cwd=tmp_path)
    assert "is not a valid notebook" in repr(shown)
    assert grade_magic("").text.startswith("usage")
