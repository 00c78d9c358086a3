"""The load stage: .py and .ipynb files become source + notes, or one clean SubmissionError."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.grading.loader import (Submission, SubmissionError, default_submission,
                           find_default_submission, load_submission, failed_cell, locate,
                           syntax_error)
from grader.core.spec import SpecError, all_exercises, load_all, load_exercise


def write_nb(path: Path, *cells, **metadata) -> Path:
    nb = new_notebook(cells=list(cells), metadata=metadata)
    nbformat.write(nb, str(path))
    return path


def code(src, tags=()) -> nbformat.NotebookNode:
    cell = new_code_cell(src)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def load_error(path: Path, **kwargs) -> str:
    with pytest.raises(SubmissionError) as info:
        load_submission(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    return message


# --- .py files --------------------------------------------------------------------------------

def test_py_is_read_as_is(tmp_path):
    path = tmp_path / "ex02.py"
    path.write_text("x = 1\n\ndef f():\n    return x\n")
    sub = load_submission(path)
    assert sub == Submission(path, "py", "x = 1\n\ndef f():\n    return x\n", (),
                             hashlib.sha256(path.read_bytes()).hexdigest())
    assert syntax_error(sub) is None


def test_py_with_bom(tmp_path):
    path = tmp_path / "ex02.py"
    path.write_bytes(b"\xef\xbb\xbfx = 1\n")
    sub = load_submission(path)
    assert sub.source == "x = 1\n"
    assert sub.sha256 == hashlib.sha256(b"\xef\xbb\xbfx = 1\n").hexdigest()


def test_py_exported_from_jupyter_drops_get_ipython(tmp_path):
    path = tmp_path / "ex02.py"
    path.write_text("import torch\nget_ipython().run_line_magic('matplotlib', 'inline')\n"
                    "y = 2\n")
    sub = load_submission(path)
    assert sub.source == "import torch\n\ny = 2\n"
    assert sub.notes == ("line 2: dropped IPython call "
                         "`get_ipython().run_line_magic('matplotlib', 'inline')`",)


def test_py_percent_inside_a_string_is_kept(tmp_path):
    path = tmp_path / "ex02.py"
    text = 'msg = """\n%d items\n!important\n"""\n'
    path.write_text(text)
    sub = load_submission(path)
    assert (sub.source, sub.notes) == (text, ())


# --- errors that stop grading -----------------------------------------------------------------

def test_missing_file(tmp_path):
    assert load_error(tmp_path / "ex02.py") == f"no such file: {tmp_path / 'ex02.py'}"


def test_directory(tmp_path):
    (tmp_path / "ex02.py").mkdir()
    assert load_error(tmp_path / "ex02.py") == "ex02.py is a directory, not a file"


def test_wrong_extension(tmp_path):
    path = tmp_path / "ex02.txt"
    path.write_text("x = 1\n")
    assert load_error(path) == "ex02.txt: expected a .py file or a .ipynb notebook"


@pytest.mark.parametrize("content", [b"", b"  \n\n\t\n", b"\xef\xbb\xbf\n"])
def test_empty_py(tmp_path, content):
    path = tmp_path / "ex02.py"
    path.write_bytes(content)
    assert load_error(path) == "ex02.py is empty"


def test_empty_ipynb_file(tmp_path):
    path = tmp_path / "ex02.ipynb"
    path.write_bytes(b"")
    assert load_error(path) == "ex02.ipynb is empty"


def test_too_big(tmp_path):
    path = tmp_path / "ex02.py"
    path.write_bytes(b"x = 1\n" * 2_050_000)   # 12.3 MB
    assert load_error(path) == "ex02.py is 12.3 MB; submissions are limited to 2 MB"


def test_limit_is_a_parameter(tmp_path):
    path = tmp_path / "ex02.py"
    path.write_bytes(b"#" * 1_500_001)
    assert load_error(path, max_bytes=1_500_000).endswith("limited to 1.5 MB")
    assert load_submission(path, max_bytes=1_500_001).kind == "py"


def test_not_utf8(tmp_path):
    path = tmp_path / "ex02.py"
    path.write_bytes("x = 'caf\u00e9'\n".encode("latin-1"))
    assert load_error(path).startswith("ex02.py is not UTF-8 text")


# --- notebooks --------------------------------------------------------------------------------

def test_notebook_code_cells_in_order(tmp_path):
    path = write_nb(tmp_path / "ex02.ipynb", new_markdown_cell("# Title\n%not code"),
                    code("import math"), new_markdown_cell("text"), code("y = math.pi\nz = y"))
    sub = load_submission(path)
    assert sub.kind == "ipynb"
    # numbered as Jupyter shows them: code cells only
    assert sub.source == ("# --- cell 1 ---\nimport math\n"
                          "# --- cell 2 ---\ny = math.pi\nz = y\n")
    assert sub.notes == ()
    assert sub.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert syntax_error(sub) is None


def test_notebook_source_as_list_of_strings(tmp_path):
    path = write_nb(tmp_path / "ex02.ipynb", code(["a = 1\n", "b = a + 1\n"]))
    assert load_submission(path).source == "# --- cell 1 ---\na = 1\nb = a + 1\n\n"


def test_line_magics_shell_and_help_are_dropped_with_notes(tmp_path):
    path = write_nb(tmp_path / "ex02.ipynb",
                    code("%matplotlib inline\nimport torch\n!pip install torch\n"
                         "torch.tensor?\n?len\nfiles = !ls\nt = %timeit -o 1\n"
                         "for i in range(2):\n    %time print(i)\nx = (1\n     % 2)"))
    sub = load_submission(path)
    assert sub.notes == (
        "cell 1: dropped IPython magic `%matplotlib inline`",
        "cell 1: dropped shell line `!pip install torch`",
        "cell 1: dropped help request `torch.tensor?`",
        "cell 1: dropped help request `?len`",
        "cell 1: dropped shell line `files = !ls`",
        "cell 1: dropped IPython magic `t = %timeit -o 1`",
        "cell 1: dropped IPython magic `%time print(i)`",
    )
    # line numbers are kept and the emptied loop body stays valid
    assert sub.source == ("# --- cell 1 ---\n\nimport torch\n\n\n\n\n\n"
                          "for i in range(2):\n    pass\nx = (1\n     % 2)\n")
    assert syntax_error(sub) is None


def test_get_ipython_lines_become_notes(tmp_path):
    path = write_nb(tmp_path / "ex02.ipynb",
                    code("get_ipython().system('nvidia-smi')\nout = get_ipython().getoutput('ls')"
                         "\nx = 1"))
    sub = load_submission(path)
    assert sub.notes == ("cell 1: dropped IPython call `get_ipython().system('nvidia-smi')`",
                         "cell 1: dropped IPython call `out = get_ipython().getoutput('ls')`")
    assert sub.source == "# --- cell 1 ---\n\n\nx = 1\n"


def test_cell_magic_that_is_not_python_skips_the_whole_cell(tmp_path):
    path = write_nb(tmp_path / "ex02.ipynb", code("a = 1"),
                    code("\n%%bash\nls -l"), code("b = a"))
    sub = load_submission(path)
    assert sub.notes == ("cell 2: skipped (cell magic `%%bash`)",)
    assert sub.source == "# --- cell 1 ---\na = 1\n# --- cell 3 ---\nb = a\n"


@pytest.mark.parametrize("magic", ["%%time", "%%capture out"])
def test_time_and_capture_keep_their_body(tmp_path, magic):
    path = write_nb(tmp_path / "ex02.ipynb", code("a = 1"),
                    code(f"\n{magic}\ndef GD():\n    return a"), code("b = GD()"))
    sub = load_submission(path)
    assert sub.notes == (f"cell 2: ran the body of `{magic}` as plain Python",)
    assert sub.source == ("# --- cell 1 ---\na = 1\n# --- cell 2 ---\n\n\ndef GD():\n"
                          "    return a\n# --- cell 3 ---\nb = GD()\n")
    namespace: dict = {}
    exec(sub.source, namespace)
    assert namespace["b"] == 1


# A cell that raises does not stop the others: the sandbox's child runs the cells one by one and
# records the one that raised. Tested through grading, in tests/test_notebook_formats.py:
# test_a_raising_cell_keeps_what_ran_before_its_raise (here, before, it ran the loader's guarded
# source), test_notebook_as_jupyter_runs_it_scratch_cell_raises_and_time_magic and
# test_a_printed_cell_line_is_not_a_failed_cell.


def test_outputs_do_not_count_towards_the_size_limit(tmp_path):
    cell = code("x = 1")
    cell["outputs"] = [nbformat.v4.new_output("stream", name="stdout", text="y" * 3_000_000)]
    path = write_nb(tmp_path / "ex02.ipynb", cell)
    assert path.stat().st_size > 2_000_000
    assert load_submission(path).source == "# --- cell 1 ---\nx = 1\n"
    # 2.4 MB of code in 24,000 lines of 100 characters (400,000 short statements cost the
    # loader seconds of parsing before it measures the size; the size is what is tested)
    big = write_nb(tmp_path / "big.ipynb", code(f"x = {'1' * 94}\n" * 24_000))
    assert load_error(big).startswith("the code in big.ipynb is 2.4 MB (its outputs left out)")


def test_skip_grading_tag(tmp_path):
    path = write_nb(tmp_path / "ex02.ipynb", code("a = 1"),
                    code("train_for_an_hour()", tags=["slow", "skip-grading"]),
                    code("b = 2", tags=["other"]))
    sub = load_submission(path)
    assert sub.notes == ("cell 2: skipped (tagged skip-grading)",)
    assert "train_for_an_hour" not in sub.source
    assert "b = 2" in sub.source


def test_odd_tags_metadata_is_tolerated(tmp_path):
    path = write_nb(tmp_path / "ex02.ipynb", code("a = 1"))
    nb = json.loads(path.read_text())
    nb["cells"][0]["metadata"]["tags"] = "skip-grading"   # a string, not a list
    path.write_text(json.dumps(nb))
    assert load_submission(path).source == "# --- cell 1 ---\na = 1\n"


def test_notebook_without_code(tmp_path):
    path = write_nb(tmp_path / "ex02.ipynb", new_markdown_cell("only words"), code("   \n"),
                    code("x = 1", tags=["skip-grading"]))
    assert load_error(path) == "ex02.ipynb has no code to grade"


def test_colab_notebook_with_outputs_and_widgets(tmp_path, capsys, caplog):
    cell = code("print('hi')")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hi\n"),
                    nbformat.v4.new_output("display_data", data={
                        "application/vnd.jupyter.widget-view+json": {
                            "model_id": "abc", "version_major": 2, "version_minor": 0}})]
    cell.execution_count = 3
    cell.metadata.update({"colab": {"base_uri": "https://localhost:8080/"}, "id": "xYz",
                          "outputId": "123-abc"})
    path = write_nb(tmp_path / "ex02.ipynb", cell,
                    colab={"provenance": [], "gpuType": "T4"}, accelerator="GPU",
                    kernelspec={"name": "python3", "display_name": "Python 3"},
                    widgets={"application/vnd.jupyter.widget-state+json": {"abc": {}}},
                    vscode={"interpreter": {"hash": "deadbeef"}})
    with caplog.at_level(logging.DEBUG):
        assert load_submission(path).source == "# --- cell 1 ---\nprint('hi')\n"
    assert capsys.readouterr() == ("", "")


def test_schema_problems_are_tolerated_and_silent(tmp_path, capsys, recwarn):
    # 4.5 without cell ids, and an unknown key: nbformat would log and warn about both
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "source": "a = 1", "outputs": [],
         "execution_count": None, "made_up": True}]}
    path = tmp_path / "ex02.ipynb"
    path.write_text(json.dumps(nb))
    root = logging.getLogger()
    handler = logging.StreamHandler()   # as if the CLI had configured logging
    root.addHandler(handler)
    try:
        assert load_submission(path).source == "# --- cell 1 ---\na = 1\n"
    finally:
        root.removeHandler(handler)
    assert capsys.readouterr() == ("", "")
    assert len(recwarn) == 0


def test_hand_written_nbformat_4_0_notebook(tmp_path):
    path = tmp_path / "ex02.ipynb"
    path.write_text("""{
 "cells": [
  {"cell_type": "markdown", "metadata": {}, "source": ["# Exercise 2"]},
  {"cell_type": "code", "execution_count": 1, "metadata": {"collapsed": false},
   "outputs": [{"name": "stdout", "output_type": "stream", "text": ["2\\n"]}],
   "source": ["%pylab inline\\n", "x = 1\\n", "print(x + 1)"]}
 ],
 "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                             "name": "python3"},
              "language_info": {"name": "python", "version": "3.4.3"}},
 "nbformat": 4,
 "nbformat_minor": 0
}
""")
    sub = load_submission(path)
    assert sub.source == "# --- cell 1 ---\n\nx = 1\nprint(x + 1)\n"
    assert sub.notes == ("cell 1: dropped IPython magic `%pylab inline`",)


@pytest.mark.parametrize("content, reason", [
    ('{"cells": [', "it is not JSON (line 1, column 12)"),
    ("[1, 2]", "it does not have the structure of a Jupyter notebook"),
    ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": 5}',
     "it does not have the structure of a Jupyter notebook"),
    ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}',
     "it does not have the structure of a Jupyter notebook"),
    ('{"nbformat": 5, "nbformat_minor": 0, "cells": []}', "unsupported nbformat version 5"),
    ("[" * 100_000 + "]" * 100_000, "it is nested too deeply"),
])
def test_corrupted_notebooks(tmp_path, content, reason):
    path = tmp_path / "ex02.ipynb"
    path.write_text(content)
    assert load_error(path) == f"ex02.ipynb is not a valid notebook: {reason}"


def test_truncated_real_notebook(tmp_path):
    path = write_nb(tmp_path / "ex02.ipynb", code("a = 1"))
    path.write_bytes(path.read_bytes()[:-40])
    assert load_error(path).startswith("ex02.ipynb is not a valid notebook: it is not JSON (line")


# --- syntax errors ----------------------------------------------------------------------------

def test_syntax_error_in_py(tmp_path):
    path = tmp_path / "ex02.py"
    path.write_text("a = 1\nb = 2\n\nx = = 1\n")
    assert syntax_error(load_submission(path)) == \
        "SyntaxError on line 4: invalid syntax\n    x = = 1"


def test_a_cell_with_a_syntax_error_is_left_out_and_named(tmp_path):
    """Jupyter compiles each cell on its own: a scratch cell's SyntaxError fails that cell
    alone, and the others run. Its lines do not shift the later cells' locations. (That the
    other cells run, and a raise after it is noted in its own cell's lines, is tested through
    grading: tests/test_notebook_formats.py, test_a_raising_cell_keeps_what_ran_before_its_raise,
    test_a_scratch_cell_with_a_syntax_error_costs_nothing and
    test_a_later_cell_is_located_in_its_own_lines.)"""
    path = write_nb(tmp_path / "ex02.ipynb", code("%matplotlib inline\ndef GD():\n    return 2"),
                    new_markdown_cell("words"), code("y = GD()\nx = = 1"),
                    code("\n\ny = GD()\nprint(undefined_name)"))
    sub = load_submission(path)
    assert sub.notes == (
        "cell 1: dropped IPython magic `%matplotlib inline`",
        "cell 2 has a SyntaxError on line 2: invalid syntax (`x = = 1`); Jupyter cannot run it "
        "either: the grader skipped it and ran the other cells")
    assert syntax_error(sub) is None
    assert "x = = 1" not in sub.source
    assert [cell for _, cell in sub.cell_starts] == [1, 3]
    line = next(n for n, t in enumerate(sub.source.splitlines(), 1) if "undefined_name" in t)
    assert locate(sub, line) == "cell 3, line 4"


@pytest.mark.parametrize("broken, problem", [
    ("x = 1\nreturn x", "SyntaxError on line 2: 'return' outside function"),   # compile()'s
    ("if x:\n", "IndentationError on line 1: expected an indented block after 'if' statement "
                "on line 1 (`if x:`)"),
    ("s = 'a\0b'", "SyntaxError on line 1: the code contains a null byte"),
])
def test_what_a_broken_cell_note_says(tmp_path, broken, problem):
    path = write_nb(tmp_path / "ex02.ipynb", code("a = 1"), code(broken))
    sub = load_submission(path)
    article = "an" if problem.startswith("I") else "a"
    assert sub.notes == (f"cell 2 has {article} {problem}; Jupyter cannot run it either: the "
                         "grader skipped it and ran the other cells",)
    assert failed_cell(sub.notes[0]) == (2, f"has {article} {problem}")
    assert sub.source == "# --- cell 1 ---\na = 1\n"


def test_failed_cell_reads_both_kinds_of_note():
    assert failed_cell("cell 12 raised ValueError: a; b (line 3); the cells after it still ran") \
        == (12, "raised ValueError: a; b (line 3)")
    assert failed_cell("cell 2 raised ValueError: cut sh") == (2, "raised ValueError: cut sh")
    assert failed_cell("cell 2: skipped (tagged skip-grading)") is None
    assert failed_cell("cell 1: dropped IPython magic `%time x`") is None


def test_syntax_error_mapped_to_its_cell(tmp_path):
    # No cell compiles on its own (a block split over two cells): the submission's syntax
    # error, placed in its cell, as before.
    path = write_nb(tmp_path / "ex02.ipynb", code("%matplotlib inline\nif True:"),
                    new_markdown_cell("words"), code("    b = 2\nx = = 1"))
    sub = load_submission(path)
    assert sub.notes == ("cell 1: dropped IPython magic `%matplotlib inline`",)
    assert syntax_error(sub) == "SyntaxError in cell 2, line 2: invalid syntax\n    x = = 1"


def test_line_numbers_inside_messages_are_mapped(tmp_path):
    path = write_nb(tmp_path / "ex02.ipynb", code("b = 2\nif a:\n"), code("c = 3\nd = = 4"))
    message = syntax_error(load_submission(path))
    assert message.startswith("IndentationError in cell 2, line 1: expected an indented block "
                              "after 'if' statement in cell 1, line 2")


def test_a_notebook_whose_every_cell_is_broken_is_one_syntax_error(tmp_path):
    path = write_nb(tmp_path / "ex02.ipynb", code("import math"), code("x = = 1"),
                    code("y = (", tags=["skip-grading"]), code("def f(:\n    pass"))
    nb = json.loads(path.read_text())
    nb["cells"][0]["source"] = "%%bash\nls"   # not Python: skipped, not broken
    path.write_text(json.dumps(nb))
    sub = load_submission(path)
    assert sub.notes == ("cell 1: skipped (cell magic `%%bash`)",
                         "cell 3: skipped (tagged skip-grading)")
    assert syntax_error(sub) == "SyntaxError in cell 2, line 1: invalid syntax\n    x = = 1"


def test_compile_errors_beyond_the_parser(tmp_path):
    path = tmp_path / "ex02.py"
    path.write_text("x = 1\nreturn x\n")
    assert syntax_error(load_submission(path)).startswith(
        "SyntaxError on line 2: 'return' outside function")


def test_null_byte(tmp_path):
    path = tmp_path / "ex02.py"
    path.write_bytes(b"a = 1\nb = '\x00'\n")
    assert syntax_error(load_submission(path)) == \
        "SyntaxError on line 2: the code contains a null byte"


@pytest.mark.parametrize("source", ["x = " + "-" * 1_000_000 + "1\n",
                                    "x = " + "+a" * 400_000 + "\n",
                                    "x = " + "(" * 300 + ")" * 300 + "\n"])
def test_huge_or_deep_input_does_not_crash(tmp_path, source):
    path = tmp_path / "ex02.py"
    path.write_text(source)
    message = syntax_error(load_submission(path))
    assert message.startswith("SyntaxError")


def test_locate():
    nb = Submission(Path("ex02.ipynb"), "ipynb", "", (), "", cell_starts=((2, 1), (5, 4)))
    assert [locate(nb, n) for n in (2, 3, 4, 5, 6)] == \
        ["cell 1, line 1", "cell 1, line 2", "cell 4, line 1", "cell 4, line 1", "cell 4, line 2"]
    assert locate(Submission(Path("ex02.py"), "py", "", (), ""), 7) == "line 7"


# --- find_default_submission ------------------------------------------------------------------

def _saved(path: Path, at: float) -> None:
    os.utime(path, (at, at))


def test_of_py_and_ipynb_the_newer_is_graded_and_named(tmp_path):
    """A release pack ships both: the student who works in the notebook and runs `grade ex02`
    in a terminal gets the notebook graded, not the untouched stub beside it."""
    (tmp_path / "ex02.py").write_text("x = 1\n")
    write_nb(tmp_path / "ex02.ipynb", code("x = 1"))
    _saved(tmp_path / "ex02.py", 1_000_000)
    _saved(tmp_path / "ex02.ipynb", 1_000_100)
    path, note = default_submission("ex02", tmp_path)
    assert path == tmp_path / "ex02.ipynb"
    assert note.startswith("grading ex02.ipynb, saved after ex02.py") and "\n" not in note
    assert "grade ex02 ex02.py" in note  # how to grade the other one
    _saved(tmp_path / "ex02.py", 1_000_200)
    path, note = default_submission("ex02", tmp_path)
    assert path == tmp_path / "ex02.py" and "grading ex02.py, saved after ex02.ipynb" in note
    assert find_default_submission("ex02", tmp_path) == tmp_path / "ex02.py"


def test_of_py_and_ipynb_saved_together_the_py_is_graded(tmp_path):
    (tmp_path / "ex02.py").write_text("x = 1\n")
    write_nb(tmp_path / "ex02.ipynb", code("x = 1"))
    for p in (tmp_path / "ex02.py", tmp_path / "ex02.ipynb"):
        _saved(p, 1_000_000)
    assert default_submission("ex02", tmp_path)[0] == tmp_path / "ex02.py"


def test_one_file_alone_needs_no_note(tmp_path):
    (tmp_path / "ex02.py").write_text("x = 1\n")
    assert default_submission("ex02", tmp_path) == (tmp_path / "ex02.py", "")


def test_default_falls_back_to_notebook(tmp_path):
    write_nb(tmp_path / "ex02.ipynb", code("x = 1"))
    assert find_default_submission("ex02", tmp_path) == tmp_path / "ex02.ipynb"


def test_default_missing_names_both(tmp_path):
    (tmp_path / "ex01.py").write_text("x = 1\n")
    with pytest.raises(SubmissionError) as info:
        find_default_submission("ex02", tmp_path)
    assert "ex02.py" in str(info.value) and "ex02.ipynb" in str(info.value)
    assert "\n" not in str(info.value)


def test_default_missing_points_to_the_exercise_folder(tmp_path):
    """`grade ex02` at a pack's root: the message names the folder where ex02 is."""
    home = tmp_path / "exercises" / "ex02_gd"
    home.mkdir(parents=True)
    (home / "ex02.py").write_text("x = 1\n")
    with pytest.raises(SubmissionError) as info:
        find_default_submission("ex02", tmp_path, home=home)
    msg = str(info.value)
    assert f"no ex02.py or ex02.ipynb in {tmp_path}" in msg and "\n" not in msg
    assert "ex02 is in exercises/ex02_gd: cd there and run grade ex02" in msg
    assert "grade ex02 exercises/ex02_gd/ex02.py" in msg
    # A home without the files (a bank whose stub is missing) says only how to pass one.
    (home / "ex02.py").unlink()
    with pytest.raises(SubmissionError, match="pass the file: grade ex02 path/to/file"):
        find_default_submission("ex02", tmp_path, home=home)


# --- exercise.yaml and check files: an author's mistakes, one line each (grader.core.spec) ---------

GOOD_YAML = """\
title: Demo
time_limit_s: 10
memory_mb: 512
device: cpu
forbidden_imports: [torch]
thresholds: {tol: 0.01}
checks:
  test_one: {points: 1}
"""
GOOD_CHECKS = 'def test_one(student):\n    """one"""\n'


def _exercise(tmp_path: Path, yaml_text: str = GOOD_YAML, checks: str = GOOD_CHECKS) -> Path:
    folder = tmp_path / "ex12_demo"
    folder.mkdir(exist_ok=True)
    (folder / "exercise.yaml").write_text(yaml_text)
    (folder / "test_public.py").write_text(checks)
    return folder


def _spec_error(folder: Path) -> str:
    with pytest.raises(SpecError) as info:
        load_exercise(folder)
    msg = str(info.value)
    assert "\n" not in msg and str(folder) in msg, msg
    return msg


def test_a_good_spec_loads(tmp_path):
    ex = load_exercise(_exercise(tmp_path))
    assert ex.forbidden_imports == ("torch",) and ex.thresholds == {"tol": 0.01}


@pytest.mark.parametrize("old, new, said", [
    ("time_limit_s: 10", "time_limt_s: 10",
     "unknown key 'time_limt_s' (did you mean 'time_limit_s'?)"),
    ("memory_mb: 512", "memory_mb: 512\nforbiden_imports: [numpy]",
     "unknown key 'forbiden_imports' (did you mean 'forbidden_imports'?)"),
    ("{points: 1}", "{points: 1, hnt: x}",
     "unknown key 'checks.test_one.hnt' (did you mean 'hint'?)"),
    ("[torch]", "[1]", "key 'forbidden_imports[0]' should be text, not a whole number (1)"),
    ("[torch]", "[torch, [numpy]]", "key 'forbidden_imports[1]' should be text, not a list"),
    ("[torch]", "torch", "key 'forbidden_imports' should be a list of text, not text ('torch')"),
    ("{tol: 0.01}", "{tol: small}", "key 'thresholds.tol' should be a number, not text ('small')"),
    ("{points: 1}", "{points: yes}",
     "key 'checks.test_one.points' should be a number, not true/false"),
    ("memory_mb: 512", "memory_mb: 0.5", "key 'memory_mb' should be a whole number, not a number"),
    ("memory_mb: 512", "memory_mb: 512\ndata: [mnist, 2]", "key 'data[1]' should be text"),
])
def test_each_wrong_key_or_value_is_one_line(tmp_path, old, new, said):
    assert old in GOOD_YAML
    msg = _spec_error(_exercise(tmp_path, GOOD_YAML.replace(old, new, 1)))
    assert said in msg, msg


def test_yaml_that_does_not_parse_is_one_line_with_its_line(tmp_path):
    msg = _spec_error(_exercise(tmp_path, GOOD_YAML.replace("device: cpu", "device: [cpu")))
    assert re.search(r"exercise\.yaml, line \d+: not valid YAML: ", msg), msg


def test_a_check_file_with_a_syntax_error_is_one_line_naming_file_and_line(tmp_path):
    folder = _exercise(tmp_path, checks=GOOD_CHECKS + "\ndef test_two(student:\n    pass\n")
    msg = _spec_error(folder)
    assert msg.startswith(f"{folder / 'test_public.py'}, line 4: SyntaxError: "), msg


def test_a_probes_file_with_a_syntax_error_is_one_line_too(tmp_path):
    folder = _exercise(tmp_path)
    (folder / "probes.py").write_text("def one(sub):\n    return sub.one(\n")
    msg = _spec_error(folder)
    assert msg.startswith(f"{folder / 'probes.py'}, line "), msg


def test_names_that_differ_between_yaml_and_checks_say_did_you_mean(tmp_path):
    msg = _spec_error(_exercise(tmp_path, GOOD_YAML.replace("test_one", "test_oen")))
    assert "check 'test_oen' has no test function" in msg and "did you mean 'test_one'" in msg


def test_load_all_keeps_the_good_and_names_the_broken(tmp_path):
    _exercise(tmp_path)
    broken = tmp_path / "ex13_other"
    broken.mkdir()
    (broken / "exercise.yaml").write_text(GOOD_YAML.replace("title", "titel"))
    (broken / "test_public.py").write_text(GOOD_CHECKS)
    good, bad = load_all(tmp_path)
    assert [e.id for e in good] == ["ex12"]
    assert len(bad) == 1 and "ex13_other" in str(bad[0]) and "did you mean 'title'" in str(bad[0])
    with pytest.raises(SpecError):
        all_exercises(tmp_path)
