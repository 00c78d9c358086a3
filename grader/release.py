"""`grade release`: the pack an instructor hands to students, without anything hidden.

Per exercise: the task (README.md), the stub as exNN.py and as a notebook exNN.ipynb, the
public checks, the probes those checks use, and an exercise.yaml that keeps only the count and
worth of the hidden checks. Plus the grader itself, installable with one pip command. Never:
test_hidden.py, hidden check names or hints, solutions/, tests/, data.
"""
from __future__ import annotations

import ast
import shutil
from pathlib import Path

import yaml

from .spec import PUBLIC_FILE, Exercise, all_exercises

GRADER_DIR = Path(__file__).resolve().parent


def build_release(root: Path, out: Path) -> Path:
    """Write the pack into `out` (replacing it) and return it."""
    if out.exists():
        shutil.rmtree(out)
    for ex in all_exercises(root):
        _release_exercise(ex, out / "exercises" / ex.folder.name)
    shutil.copytree(GRADER_DIR, out / "grader",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "release.py"))
    shutil.copy(GRADER_DIR.parent / "pyproject.toml", out / "pyproject.toml")
    (out / "README.md").write_text(_pack_readme(all_exercises(root)), encoding="utf-8")
    return out


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
    return f"""# Course exercises

Install the grader once, from this folder:

    pip install .

Then write your solution into `exercises/exNN_slug/exNN.py` (or the notebook `exNN.ipynb`)
and check it from this folder:

    grade ex02 exercises/ex02_gd/ex02.py

`grade` runs the public checks and tells you how many hidden checks your instructor will run
and what they are worth. `grade list` shows every exercise.

| exercise | title | points |
|---|---|---|
{rows}
"""

