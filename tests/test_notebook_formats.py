"""Notebooks as each tool writes them (tests/notebooks/), graded by the real grader.

The fixtures are small notebooks in the shape that classic Jupyter Notebook, JupyterLab,
VS Code and Google Colab save, and in the older formats (nbformat 4.0, 4.1, 4.2, and IPython
2's nbformat 3) that old course material still comes in: their metadata, outputs (streams,
errors with ANSI colours, images, widget views), execution counts, widget state, cell ids or
none, magics, `!pip install` lines, tags. Each ex02 one holds ex02's reference solution and
must grade to full marks; the ex03 one has fit_torch still the stub's, and must lose only the
checks that call it; the corrupted ones must stop `grade` with exit code 2 and one line. A cell
with a SyntaxError fails alone, as in Jupyter (notebooks built in the tests below).

`test_fixtures_look_like_their_tool` keeps the fixtures honest: if one is regenerated or
edited, the traits that make it that tool's notebook must still be there.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from conftest import exercise, graded
from grader.grading.loader import load_submission, locate, syntax_error
from test_cli import assert_one_line_error, run_cli

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
DEMO_OUTPUT = "tensor(2.0000, requires_grad=True)\n"   # what each ex02 notebook's demo cell prints

# file -> the notes the loader must give (what was dropped or skipped, by cell)
# (cells numbered as Jupyter shows them: code cells only; %%time's body runs)
EX02 = {
    "ex02_classic_notebook.ipynb": (
        "cell 1: dropped IPython magic `%matplotlib inline`",
        "cell 1: dropped IPython magic `%config InlineBackend.figure_format = 'retina'`"),
    "ex02_jupyterlab.ipynb": (
        "cell 1: dropped shell line `!pip install torch tqdm matplotlib`",
        "cell 1: dropped IPython magic `%load_ext autoreload`",
        "cell 1: dropped IPython magic `%autoreload 2`",
        "cell 4: ran the body of `%%time` as plain Python",
        "cell 6: skipped (tagged skip-grading)"),
    "ex02_vscode.ipynb": (
        "cell 1: dropped IPython magic `%pip install torch --quiet`",
        "cell 4: dropped help request `x?`"),
    "ex02_colab.ipynb": (
        "cell 1: dropped shell line `!nvidia-smi`",
        "cell 1: dropped shell line `!pip install -q torch`"),
    "ex02_nbformat_4_0.ipynb": ("cell 1: dropped IPython magic `%pylab inline`",),
    "ex02_nbformat_4_1.ipynb": (),
    "ex02_nbformat_4_2.ipynb": ("cell 4: dropped help request `?GD`",),
    "ex02_ipython2_nbformat_3.ipynb": ("cell 1: dropped IPython magic `%matplotlib inline`",),
}
EX03_UNFINISHED = "ex03_fit_torch_unfinished.ipynb"
CORRUPTED = {   # file -> why it is not a notebook
    "corrupted_merge_conflict.ipynb": "it is not JSON (line 119, column 1)",   # git's <<<<<<<
    "corrupted_truncated.ipynb": "it is not JSON (line 91, column 21)",        # cut while saving
    "corrupted_github_page.ipynb": "it is not JSON (line 1, column 1)",        # "Save link as"
}


def raw(name: str) -> dict:
    return json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))


def code_cells(nb: dict) -> list[dict]:
    if nb["nbformat"] == 3:
        return [c for ws in nb["worksheets"] for c in ws["cells"] if c["cell_type"] == "code"]
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def test_every_fixture_is_tested():
    assert {p.name for p in NOTEBOOKS.glob("*.ipynb")} == \
        set(EX02) | set(CORRUPTED) | {EX03_UNFINISHED}


# --- the fixtures are what they claim to be ---------------------------------------------------

@pytest.mark.parametrize("name, version, ids", [
    ("ex02_classic_notebook.ipynb", (4, 4), "none"),
    ("ex02_jupyterlab.ipynb", (4, 5), "cell"),
    ("ex02_vscode.ipynb", (4, 2), "cell"),          # VS Code writes ids even in 4.2 files
    ("ex02_colab.ipynb", (4, 0), "metadata"),       # Colab keeps its ids in the cell metadata
    ("ex02_nbformat_4_0.ipynb", (4, 0), "none"),
    ("ex02_nbformat_4_1.ipynb", (4, 1), "none"),
    ("ex02_nbformat_4_2.ipynb", (4, 2), "none"),
    ("ex02_ipython2_nbformat_3.ipynb", (3, 0), "none"),
    (EX03_UNFINISHED, (4, 5), "cell"),
])
def test_fixtures_look_like_their_tool(name, version, ids):
    nb = raw(name)
    text = (NOTEBOOKS / name).read_bytes()
    assert (nb["nbformat"], nb["nbformat_minor"]) == version
    cells = nb["cells"] if version[0] == 4 else nb["worksheets"][0]["cells"]
    assert all(("id" in c) == (ids == "cell") for c in cells)
    assert all(("id" in c["metadata"]) == (ids == "metadata") for c in cells)
    code = code_cells(nb)
    count = "execution_count" if version[0] == 4 else "prompt_number"
    assert any(isinstance(c.get(count), int) for c in code)           # it was run
    assert any(c["outputs"] for c in code)                            # and kept its outputs
    meta = nb["metadata"]
    if name == "ex02_classic_notebook.ipynb":
        assert "toc" in meta   # the nbextensions' table of contents
        assert any(o["output_type"] == "error" and "\x1b[" in o["traceback"][0]
                   for c in code for o in c["outputs"])
    if name == "ex02_jupyterlab.ipynb":
        assert meta["kernelspec"]["display_name"] == "Python 3 (ipykernel)"
        state = meta["widgets"]["application/vnd.jupyter.widget-state+json"]
        assert state["version_major"] == 2 and state["state"]
        assert any("execution" in c["metadata"] for c in code)        # recorded timing
        assert any("image/png" in o.get("data", {}) for c in code for o in c["outputs"])
    if name == "ex02_vscode.ipynb":
        assert "vscode" in meta and meta["orig_nbformat"] == 4
        assert b"\r\n" in text   # saved on Windows
    if name == "ex02_colab.ipynb":
        assert text.startswith(b'{\n  "nbformat": 4,')  # Colab's key order and indent
        assert meta["colab"]["provenance"] == [] and meta["accelerator"] == "GPU"
        state = meta["widgets"]["application/vnd.jupyter.widget-state+json"]
        assert "state" not in state   # Colab leaves out the wrapper the schema asks for
        assert any(c["metadata"].get("cellView") == "form" for c in code)
        assert all("outputId" in c["metadata"] for c in code if c["outputs"])
    if name == "ex02_nbformat_4_1.ipynb":
        assert any("attachments" in c for c in nb["cells"])
    if name in EX02:
        sources = "\n".join("".join(c["source"] if version[0] == 4 else c["input"])
                            for c in code)
        assert "def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):" in sources
        assert any(line.lstrip().startswith(("%", "!", "?")) or line.rstrip().endswith("?")
                   for line in sources.splitlines()) or name == "ex02_nbformat_4_1.ipynb"


# --- the loader -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(EX02))
def test_loader_reads_each_tool(name):
    sub = load_submission(NOTEBOOKS / name)
    assert sub.kind == "ipynb"
    assert sub.notes == EX02[name]
    assert syntax_error(sub) is None
    assert "def GD(" in sub.source
    assert "%" not in sub.source.replace("% ", "") and "!pip" not in sub.source


# --- the real grader --------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(EX02))
@pytest.mark.slow
def test_ex02_reference_solution_in_each_tool_gets_full_marks(name):
    res = graded("ex02", str(NOTEBOOKS / name))
    failing = [(c.name, c.message) for c in res.checks if not c.passed]
    assert res.status == "graded" and failing == [], (res.status, res.message, failing)
    assert res.score == res.max_score == exercise("ex02").max_score
    assert res.notes == EX02[name]
    # The cells ran in order, in the sandbox: the demo cell after GD's printed its result.
    assert res.output == DEMO_OUTPUT


EX03_FIT_TORCH = {"test_torch_fits_notes_cubic", "test_torch_fits_random_cubic",
                  "test_fit_torch_trains_with_autograd",
                  "test_fits_return_four_floats"}   # calls fit_numpy and fit_torch


def test_stub_function_costs_only_the_checks_that_call_it():
    """fit_numpy and Polynomial3 written, fit_torch still `raise NotImplementedError` from the
    stub: every other check passes and scores."""
    ex = exercise("ex03")
    res = graded("ex03", str(NOTEBOOKS / EX03_UNFINISHED))
    assert res.status == "graded", res.message
    assert {c.name for c in res.checks} == {c.name for c in ex.checks}
    failing = {c.name for c in res.checks if not c.passed}
    assert failing == EX03_FIT_TORCH, [(c.name, c.message) for c in res.checks]
    for c in res.checks:
        if c.name in EX03_FIT_TORCH:
            assert c.status == "failed" and c.points == 0
            assert "NotImplementedError: write fit_torch" in c.message, c.message
    assert res.score == sum(c.points for c in ex.checks if c.name not in EX03_FIT_TORCH) > 0
    assert res.notes == ("cell 6: skipped (tagged skip-grading)",)   # the cell calling fit_torch


def test_a_raise_in_a_notebook_names_its_cell():
    sub = load_submission(NOTEBOOKS / EX03_UNFINISHED)
    res = graded("ex03", str(NOTEBOOKS / EX03_UNFINISHED))
    message = next(c.message for c in res.checks if c.name == "test_torch_fits_notes_cubic")
    line = next(n for n, text in enumerate(sub.source.splitlines(), start=1)
                if "raise NotImplementedError(\"write fit_torch" in text)
    assert locate(sub, line) == "cell 5, line 11"
    assert "cell 5, line 11" in message, message


# --- corrupted notebooks ----------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(CORRUPTED))
def test_corrupted_notebook_is_exit_2_with_one_line(capsys, name):
    code, out, err = run_cli(capsys, "ex02", str(NOTEBOOKS / name), "--no-report")
    assert_one_line_error(code, out, err)
    assert err == f"grade: {name} is not a valid notebook: {CORRUPTED[name]}\n"


def test_notebook_as_jupyter_runs_it_scratch_cell_raises_and_time_magic(tmp_path):
    """A scratch cell that raises NameError costs nothing (its cell is named in a note), and a
    `%%time` on the cell that defines GD keeps GD: the reference in such a notebook scores full."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
    reference = (Path(__file__).resolve().parent.parent / "solutions" / "ex02.py").read_text()
    nb = new_notebook(cells=[new_markdown_cell("# ex02"), new_code_cell("import torch"),
                             new_code_cell("print(x_from_yesterday)"),
                             new_code_cell("%%time\n" + reference.split("if __name__")[0])])
    path = tmp_path / "ex02.ipynb"
    nbformat.write(nb, str(path))
    res = graded("ex02", str(path))
    assert res.status == "graded" and res.score == res.max_score, res.next_step
    assert "cell 3: ran the body of `%%time` as plain Python" in res.notes
    assert any(n.startswith("cell 2 raised NameError: name 'x_from_yesterday' is not defined "
                            "(line 1)") for n in res.notes), res.notes


def test_a_printed_cell_line_is_not_a_failed_cell(tmp_path):
    """A failed cell is a record of the child's reply, never a line read back from the output:
    a student who prints "[grader] cell 3 raised ..." (on stderr or stdout) gets no note for it,
    while a cell that really raises, later and in a different way, gets its own note, with its
    line in the cell and its first line only; the output still shows that cell's line."""
    fake = "[grader] cell 3 raised NameError: name 'GD' is not defined (line 1); the cells " \
           "after it still ran"
    path = notebook(tmp_path, "from __future__ import annotations\n" + REFERENCE,
                    f"import sys\nprint({fake!r})\nprint({fake!r}, file=sys.stderr)",
                    "x = 1\nraise ValueError('first line\\nsecond line')",
                    "def f(a: undefined_type):\n    pass\n\nz = 1 / 0",
                    "class Odd(Exception):\n    def __str__(self):\n        raise KeyError\n"
                    "raise Odd()")
    res = graded("ex02", str(path))
    assert res.status == "graded" and res.score == res.max_score, res.next_step
    # the first cell's `from __future__` holds in every cell (the annotation is not evaluated)
    assert res.notes == ("cell 3 raised ValueError: first line",
                         "cell 4 raised ZeroDivisionError: division by zero (line 4); the cells "
                         "after it still ran",
                         "cell 5 raised Odd:  (line 4); the cells after it still ran"), res.notes
    assert res.output.count(fake) == 2 and "[grader] cell 3 raised ValueError" in res.output


# --- a cell with a SyntaxError fails alone, as in Jupyter --------------------------------------

REFERENCE = (Path(__file__).resolve().parent.parent / "solutions" / "ex02.py").read_text()
SCRATCH_NOTE = ("cell 2 has a SyntaxError on line 1: invalid syntax (`x = = 1`); Jupyter cannot "
                "run it either: the grader skipped it and ran the other cells")


def notebook(tmp_path: Path, *sources: str, name: str = "ex02.ipynb") -> Path:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
    cells = [new_markdown_cell("# ex02"), *(new_code_cell(s) for s in sources)]
    path = tmp_path / name
    nbformat.write(new_notebook(cells=cells), str(path))
    return path


def test_a_scratch_cell_with_a_syntax_error_costs_nothing(tmp_path):
    """The reference, then a scratch cell that does not parse and one that raises: full marks,
    and the broken cell is named in the JSON, the report and the terminal."""
    from rich.console import Console

    from grader.rendering.report import render_html
    from grader.rendering.terminal import render_table
    path = notebook(tmp_path, REFERENCE, "x = = 1", "print(undefined_name)")
    res = graded("ex02", str(path))
    assert res.status == "graded" and res.score == res.max_score == 10, res.next_step
    assert res.notes == (SCRATCH_NOTE, "cell 3 raised NameError: name 'undefined_name' is not "
                                       "defined (line 1); the cells after it still ran")
    assert json.loads(res.to_json())["notes"][0] == SCRATCH_NOTE
    assert html.escape(SCRATCH_NOTE) in render_html(res)
    console = Console(record=True, width=200)
    render_table(res, console)
    assert SCRATCH_NOTE in console.export_text()


def test_a_raising_cell_keeps_what_ran_before_its_raise(tmp_path):
    """As in Jupyter: a cell that raises keeps what ran before its raise (its `import torch`,
    which the reference below it uses), the cells after it run and are graded, and each note
    names its cell (code cells only counted) and its line in that cell, blank lines included;
    a broken cell before them shifts neither."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
    cells = [new_code_cell("x = = 1"), new_code_cell("import torch\nprint(undefined_name)"),
             new_markdown_cell("words"), new_code_cell(REFERENCE.replace("import torch\n", "")),
             new_code_cell('\n\n"""a docstring\nover lines"""\nprint(not_defined_either)')]
    path = tmp_path / "ex02.ipynb"
    nbformat.write(new_notebook(cells=cells), str(path))
    res = graded("ex02", str(path))
    assert res.status == "graded" and res.score == res.max_score, res.next_step
    assert res.notes == (SCRATCH_NOTE.replace("cell 2", "cell 1"),
                         "cell 2 raised NameError: name 'undefined_name' is not defined (line 2); "
                         "the cells after it still ran",
                         "cell 4 raised NameError: name 'not_defined_either' is not defined "
                         "(line 5); the cells after it still ran"), res.notes


def test_a_broken_cell_that_defined_gd_is_named_first(tmp_path):
    """GD's own cell has the SyntaxError: next_step names that cell, not "GD is not defined"."""
    broken = REFERENCE.replace("import torch\n", "").replace("loss.backward()", "loss.backward(")
    path = notebook(tmp_path, "import torch", broken, "print(GD)")
    res = graded("ex02", str(path), hidden=False)
    assert res.status == "graded" and res.score == 0
    assert res.next_step.startswith(
        "Fix cell 2 first: it has a SyntaxError on line 7: '(' was never closed "
        "(`loss.backward(`), so nothing in it ran, and GD is not defined; it cost "), \
        res.next_step
    assert [n.split(" ", 3)[:3] for n in res.notes] == [["cell", "2", "has"],
                                                         ["cell", "3", "raised"]]


def test_a_later_cell_is_located_in_its_own_lines(tmp_path):
    """A broken cell before GD's does not shift GD's locations: a raise in GD is in cell 2."""
    raising = REFERENCE.replace("        loss.backward()\n",
                                "        loss.backward()\n        raise ValueError('here')\n")
    path = notebook(tmp_path, "x = = 1", raising)
    res = graded("ex02", str(path), hidden=False)
    line = raising.splitlines().index("        raise ValueError('here')") + 1
    c = res.checks[0]
    assert "ValueError: here" in c.message, c.message
    assert f"cell 2, line {line}, in GD" in c.student_traceback, c.student_traceback
    assert res.notes == (SCRATCH_NOTE.replace("cell 2", "cell 1"),)


def test_a_notebook_without_a_cell_that_compiles_is_one_syntax_error(tmp_path, capsys):
    path = notebook(tmp_path, "def GD(:\n    pass", "\n\nx = = 1")
    code, out, err = run_cli(capsys, "ex02", str(path), "--no-report", "--json")
    res = json.loads(out)
    assert res["status"] == "syntax_error" and res["score"] == 0 and res["notes"] == []
    assert res["message"] == "SyntaxError in cell 1, line 1: invalid syntax\n    def GD(:"
    code, out, err = run_cli(capsys, "ex02", str(path), "--no-report")
    assert " ".join(out.split()).count("SyntaxError in cell 1, line 1") == 1


def test_a_py_file_with_a_syntax_error_is_still_one_syntax_error(tmp_path):
    path = tmp_path / "ex02.py"
    path.write_text(REFERENCE + "\nx = = 1\n")
    res = graded("ex02", str(path))
    line = len(REFERENCE.splitlines()) + 2
    assert res.status == "syntax_error" and res.score == 0 and res.notes == ()
    assert res.message == f"SyntaxError on line {line}: invalid syntax\n    x = = 1"
    assert all(c.message == res.message for c in res.checks)
