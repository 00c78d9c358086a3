"""`grade release`: the pack an instructor hands to students, without anything hidden.

Per exercise released (all, or those named: a course releases week by week): the task
(README.md), the stub as exNN.py and as a notebook exNN.ipynb, the public checks, the probes
those checks use, and an exercise.yaml that keeps only the count and worth of the hidden
checks. Plus the grader itself, installable with one pip command and only what a student needs
(no dask, no test tools, none of the grader's own pytest or ruff configuration). Never:
test_hidden.py, hidden check names or hints, solutions/, tests/, data.
"""
from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import yaml

from grader import __version__
from grader.core.spec import PUBLIC_FILE, Exercise, all_exercises, load_exercise

GRADER_DIR = Path(__file__).resolve().parents[1]
# The torch a student installs first, in one line: the CPU build (PyPI's default on Linux is
# the multi-GB CUDA one). The pack's grader accepts any torch in pyproject's range.
TORCH_CPU = "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu"
# What `pip install .` in the pack pulls besides torch, measured from an empty venv to the
# first `grade exNN` (tests/test_release.py installs it so, and README.md quotes the time).
STUDENT_EXTRAS_DROPPED = ("dask",)


def build_release(root: Path, out: Path, folders: list[Path] | None = None) -> Path:
    """Write the pack into `out` (replacing it) and return it: the exercises in `folders`
    (exercise folders of `root`; None: every one)."""
    exercises = all_exercises(root) if folders is None else \
        sorted((load_exercise(f) for f in folders), key=lambda e: (e.order, e.id))
    if out.exists():
        shutil.rmtree(out)
    for ex in exercises:
        _release_exercise(ex, out / "exercises" / ex.folder.name)
    shutil.copytree(GRADER_DIR, out / "grader", ignore=_not_shipped)
    (out / "pyproject.toml").write_text(student_pyproject(_grader_project()),
                                        encoding="utf-8")
    (out / "README.md").write_text(_pack_readme(exercises), encoding="utf-8")
    return out


def _not_shipped(folder: str, names: list[str]) -> set[str]:
    """Caches, and this module (the pack builder): `grade release`'s command module is shipped
    with the others, the pack just cannot build packs."""
    left_out = set(shutil.ignore_patterns("__pycache__", "*.pyc")(folder, names))
    if Path(folder) == GRADER_DIR / "bank":
        left_out |= {"release.py"} & set(names)
    return left_out


def _grader_project() -> dict:
    """The grader's [project] table: from its pyproject.toml in a checkout, else (an installed
    grader, or Python 3.10 without tomllib) from the installed package's metadata."""
    try:
        import tomllib
        text = (GRADER_DIR.parent / "pyproject.toml").read_text(encoding="utf-8")
        return tomllib.loads(text)["project"]
    except (ImportError, OSError):
        from importlib import metadata
        meta = metadata.metadata("nn-grader")
        return {"name": meta["Name"], "description": meta["Summary"],
                "requires-python": meta["Requires-Python"],
                "dependencies": [r for r in metadata.requires("nn-grader") or []
                                 if "extra ==" not in r]}


def student_pyproject(project: dict) -> str:
    """The grader's pyproject.toml as a student installs it: its dependencies (never the
    optional extras: dask, the test tools) less dask, and no [tool.*] tables (the grader's
    own pytest and ruff settings: a student's pytest must not pick up the grader's)."""
    deps = [d for d in project["dependencies"]
            if re.split(r"[\s\[<>=!~;]", d, maxsplit=1)[0] not in STUDENT_EXTRAS_DROPPED]
    lines = ["# The course grader, as a student installs it: `pip install .` in this folder",
             "# (install torch first, the CPU build: see README.md).",
             "[build-system]", 'requires = ["setuptools>=64"]',
             'build-backend = "setuptools.build_meta"', "", "[project]",
             f'name = "{project["name"]}"', f'version = "{__version__}"',
             f'description = "{project["description"]}"',
             f'requires-python = "{project["requires-python"]}"', "dependencies = [",
             *[f'    "{d}",' for d in deps], "]", "", "[project.scripts]",
             'grade = "grader.cli:main"', "", "[tool.setuptools]",
             'packages = {find = {include = ["grader*"]}}', "",
             "[tool.setuptools.package-data]",
             'grader = ["rendering/templates/*.html", "sandbox/*.py", "core/schemas/*.json"]', ""]
    return "\n".join(lines)


def _release_exercise(ex: Exercise, dest: Path) -> None:
    dest.mkdir(parents=True)
    for name in ("README.md", ex.stub.name, PUBLIC_FILE):
        if (ex.folder / name).exists():
            shutil.copy(ex.folder / name, dest / name)
    public = (ex.folder / PUBLIC_FILE).read_text(encoding="utf-8")
    probes = ex.folder / "probes.py"
    if probes.exists():
        (dest / "probes.py").write_text(public_probes(probes.read_text(encoding="utf-8"), public),
                                        encoding="utf-8")
    (dest / "exercise.yaml").write_text(_public_spec(ex), encoding="utf-8")
    _write_notebook(ex, dest / f"{ex.id}.ipynb")


def _public_spec(ex: Exercise) -> str:
    raw = yaml.safe_load((ex.folder / "exercise.yaml").read_text(encoding="utf-8"))
    raw["checks"] = {c.name: raw["checks"][c.name] for c in ex.checks if not c.hidden}
    raw["hidden_checks"] = {"count": ex.hidden_count, "points": ex.hidden_points}
    # Only the thresholds the public checks read: the others would say what hidden ones judge.
    used = public_thresholds(ex.folder / PUBLIC_FILE)
    if raw.get("thresholds"):
        raw["thresholds"] = {k: v for k, v in raw["thresholds"].items() if k in used}
        if not raw["thresholds"]:
            del raw["thresholds"]
    return yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)


def public_thresholds(check_file: Path, seen: set[Path] | None = None) -> set[str]:
    """The threshold names a check file reads (`....thresholds["name"]` or `.get("name")`),
    and those read by the files it loads with `sibling(__file__, "...")` (ex05's public checks
    judge with ex04's), so the pack keeps every threshold its public checks need."""
    seen = set() if seen is None else seen
    check_file = check_file.resolve()
    if check_file in seen or not check_file.exists():
        return set()
    seen.add(check_file)
    out = set()
    for node in ast.walk(ast.parse(check_file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Subscript) and _is_thresholds(node.value) \
                and isinstance(node.slice, ast.Constant):
            out.add(node.slice.value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "get" and _is_thresholds(node.func.value) and node.args \
                and isinstance(node.args[0], ast.Constant):
            out.add(node.args[0].value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "sibling" and len(node.args) == 2 \
                and isinstance(node.args[1], ast.Constant):
            out |= public_thresholds(check_file.parent / f"{node.args[1].value}.py", seen)
    return out


def _is_thresholds(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "thresholds"


def public_probes(source: str, public_checks: str) -> str:
    """probes.py with only the functions the public checks use (and what those call): hidden
    probes would tell a student what the hidden checks try."""
    tree = ast.parse(source)
    funcs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    wanted = {s.value for s in ast.walk(ast.parse(public_checks))
              if isinstance(s, ast.Constant) and isinstance(s.value, str) and s.value in funcs}
    todo = list(wanted)
    while todo:  # and every probe function those reach by name
        for node in ast.walk(funcs[todo.pop()]):
            if isinstance(node, ast.Name) and node.id in funcs and node.id not in wanted:
                wanted.add(node.id)
                todo.append(node.id)
    tree.body = [n for n in tree.body if not isinstance(n, ast.FunctionDef) or n.name in wanted]
    return ast.unparse(tree) + "\n"


def _write_notebook(ex: Exercise, path: Path) -> None:
    import nbformat
    task = (ex.folder / "README.md").read_text(encoding="utf-8") \
        if (ex.folder / "README.md").exists() else f"# {ex.id}: {ex.title}"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(task),
                nbformat.v4.new_code_cell(ex.stub.read_text(encoding="utf-8")),
                nbformat.v4.new_markdown_cell(f"Check your work from a terminal in this folder: "
                                              f"`grade {ex.id} {ex.id}.ipynb`")]
    nbformat.write(nb, str(path))


def _pack_readme(exercises: list[Exercise]) -> str:
    rows = "\n".join(f"| {e.id} | {e.title} | {e.total_points:g} |"
                     for e in exercises)
    first = exercises[0] if exercises else None
    ex_id = first.id if first else "exNN"
    folder = f"exercises/{first.folder.name}" if first else "exercises/exNN_slug"
    return f"""# Course exercises

Install the grader once, from this folder, in a virtual environment: torch first (its CPU
build: PyPI's default on Linux is a multi-GB GPU build that no exercise needs), then the rest:

    {TORCH_CPU}
    pip install .

(On macOS, plain `pip install torch==2.13.0` is the same CPU build.) From an empty environment
to the first `grade` took 5 to 7 minutes on a busy 2-core machine, most of it installing torch
and matplotlib; the first grading itself, about 20 s.

Then write your solution into `{folder}/{ex_id}.py`, or into the notebook
`{ex_id}.ipynb` beside it, and check it from that folder:

    cd {folder}
    grade {ex_id}

`grade {ex_id}` grades `{ex_id}.py` or `{ex_id}.ipynb`; when both are there, the one you saved
last (it says which). From this folder: `grade {ex_id} {folder}/{ex_id}.py`. In Jupyter or
Colab, `%load_ext grader` once, then `%grade {ex_id}` grades the notebook you are in.

`grade` runs the public checks and tells you how many hidden checks your instructor will run
and what they are worth. `grade list` shows every exercise.

## On your machine

Your code runs in a separate process with limits on time, memory, file size and processes,
killed as a whole when it overruns. On Linux with bubblewrap installed (`sudo apt-get install
bubblewrap`) it also runs in a sandbox of its own (no network, no view of your files). On
macOS, Windows (through WSL, or natively) and Colab there is no bubblewrap: `grade` says
"weak sandbox" in one line and grades all the same; the verdict is computed in the same way.
`grade doctor` shows which protections your machine has.

| exercise | title | points |
|---|---|---|
{rows}
"""
