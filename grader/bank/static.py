"""What a bank's exercise gets wrong that can be seen without running anything.

Every probe a check asks for is defined in probes.py; every threshold a check reads is in the
yaml; every fixture a check takes exists; every check in the yaml has a test function and back;
the README's points add up to the yaml's. Each problem is one line naming the file, the name
and what there is instead, because the author fixes it from that line alone.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path


from grader.grading.contract import probe_names
from grader.core.spec import (HIDDEN_FILE, PUBLIC_FILE, Exercise, load_exercise, parse_check_file,
                              read_yaml)
from grader.core.errors import CheckNamesDiffer, SpecError
from grader.bank.layout import Bank

# The plugin's fixtures (grader/grading/plugin.py), and pytest's own that a check may sensibly take.
FIXTURES = frozenset({"student", "exercise", "rng", "seed", "report", "dataset",
                      "tmp_path", "request"})


def static_problems(bank: Bank, folder: Path) -> list[str]:
    """Every problem found in one exercise folder, in the order an author would fix them."""
    problems: list[str] = []
    raw = _yaml(folder, problems)
    if raw is None:
        return problems
    try:
        ex: Exercise | None = load_exercise(folder)
    except CheckNamesDiffer:
        ex = None  # the name checks below say those, all of them
    except SpecError as e:
        ex = None
        problems.append(str(e))
    files = {name: folder / name for name in (PUBLIC_FILE, HIDDEN_FILE)
             if (folder / name).exists()}
    trees = {}
    for name, path in files.items():
        try:
            trees[name] = parse_check_file(path)
        except SpecError as e:
            if str(e) not in problems:
                problems.append(str(e))
    problems += _check_names(raw, trees)
    probes_file = folder / "probes.py"
    probes = probe_names(probes_file.read_text(encoding="utf-8")) \
        if probes_file.exists() else frozenset()
    thresholds = set((raw.get("thresholds") or {}).keys())
    for name, tree in trees.items():
        problems += _probe_uses(name, tree, probes)
        problems += _threshold_uses(name, tree, thresholds)
        problems += _fixture_uses(name, tree)
    problems += readme_points(bank, folder, _total(raw))
    if ex is not None:
        if not ex.stub.exists():
            problems.append(f"the stub {ex.stub.name} is missing from {folder.name}/")
        if not bank.reference(ex).exists():
            problems.append(f"the reference solution solutions/{ex.id}.py is missing")
    return problems


def _yaml(folder: Path, problems: list[str]) -> dict | None:
    try:
        raw = read_yaml(folder / "exercise.yaml")
    except SpecError as e:
        problems.append(str(e))
        return None
    if not isinstance(raw.get("checks"), dict):
        problems.append(f"{folder / 'exercise.yaml'}: expected a 'checks' mapping")
        return None
    return raw


def _tests(tree: ast.Module) -> list[ast.FunctionDef]:
    return [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]


def _check_names(raw: dict, trees: dict[str, ast.Module]) -> list[str]:
    in_code = {f.name: name for name, tree in trees.items() for f in _tests(tree)}
    in_yaml = set(raw["checks"])
    out = [f"exercise.yaml: check '{c}' has no test function in {PUBLIC_FILE} or {HIDDEN_FILE}"
           + _near(c, in_code) for c in sorted(in_yaml - set(in_code))]
    out += [f"{in_code[c]}: test function '{c}' has no entry under 'checks' in exercise.yaml"
            + _near(c, in_yaml) for c in sorted(set(in_code) - in_yaml)]
    return out


def _probe_uses(fname: str, tree: ast.Module, probes: frozenset[str]) -> list[str]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("probe", "probe_once") and node.args \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            name = node.args[0].value
            if name not in probes:
                out.append(f"{fname}, line {node.lineno}: probe '{name}' is not defined in "
                           f"probes.py" + _near(name, probes))
    return out


def _threshold_uses(fname: str, tree: ast.Module, thresholds: set[str]) -> list[str]:
    out = []
    for node in ast.walk(tree):
        key = None
        if isinstance(node, ast.Subscript) and _is_thresholds(node.value) \
                and isinstance(node.slice, ast.Constant):
            key = node.slice.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "get" and _is_thresholds(node.func.value) and node.args \
                and isinstance(node.args[0], ast.Constant):
            key = node.args[0].value
        if isinstance(key, str) and key not in thresholds:
            out.append(f"{fname}, line {node.lineno}: threshold '{key}' is not under "
                       f"'thresholds' in exercise.yaml" + _near(key, thresholds))
    return out


def _is_thresholds(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "thresholds"


def _fixture_uses(fname: str, tree: ast.Module) -> list[str]:
    own = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)
           and any("fixture" in ast.unparse(d) for d in n.decorator_list)}
    known = FIXTURES | own
    out = []
    for f in _tests(tree):
        args = f.args.args[:len(f.args.args) - len(f.args.defaults)]
        for a in args:
            if a.arg not in known:
                out.append(f"{fname}, line {f.lineno}: {f.name} takes fixture '{a.arg}', which "
                           f"does not exist" + _near(a.arg, known))
    return out


def _total(raw: dict) -> float:
    return sum(float(v.get("points", 0)) for v in raw["checks"].values()
               if isinstance(v, dict) and isinstance(v.get("points", 0), (int, float)))


def readme_points(bank: Bank, folder: Path, max_score: float) -> list[str]:
    """The exercise README's `| Check | Points |` table, and the bank README's row for the
    exercise, against the yaml's total: a student plans by them."""
    out = []
    ex_id = folder.name.split("_")[0]
    readme = folder / "README.md"
    if readme.exists():
        total = _points_table(readme.read_text(encoding="utf-8"))
        if total is not None and total != max_score:
            out.append(f"{folder.name}/README.md: its points table adds up to {total:g}; "
                       f"exercise.yaml's checks are worth {max_score:g}")
    top = bank.root / "README.md"
    if top.exists():
        for line in top.read_text(encoding="utf-8").splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 3 and cells[0] == ex_id and re.fullmatch(r"\d+(\.\d+)?", cells[-1]):
                if float(cells[-1]) != max_score:
                    out.append(f"README.md: the row of {ex_id} says {cells[-1]} points; "
                               f"exercise.yaml's checks are worth {max_score:g}")
    return out


def _points_table(text: str) -> float | None:
    """The sum of the last column of the table headed `| Check | Points |`, if there is one."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.fullmatch(r"\|\s*checks?\s*\|\s*points\s*\|", line.strip(), re.I):
            total = 0.0
            for row in lines[i + 2:]:
                if not row.strip().startswith("|"):
                    break
                m = re.search(r"\|\s*(\d+(?:\.\d+)?)\s*\|\s*$", row)
                if m:
                    total += float(m.group(1))
            return total
    return None


def _near(name: str, known) -> str:
    import difflib
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
