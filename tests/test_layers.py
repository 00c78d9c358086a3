"""The house's rules, as a test: which package of grader/ may import which.

    core        spec, result, status, errors, text, settings, files: imports nothing of ours
    sandbox     the submission's process and its walls: core only
    grading     one submission through its checks: core, sandbox
    rendering   report, plots, terminal: core, grading's words (never the sandbox)
    classroom   gradebook, batch, intake, exports, similarity: core, grading, rendering
    bank        an author's tools (check-bank, release): all of the above but the sandbox
    commands    one module per `grade` subcommand: anything
    cli         the parser: commands

A module that imports across a rule fails here with the line that does it.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

GRADER = Path(__file__).resolve().parents[1] / "grader"

MAY_IMPORT = {
    "core": {"core"},
    "sandbox": {"sandbox", "core"},
    "grading": {"grading", "sandbox", "core"},
    "rendering": {"rendering", "grading", "core"},
    "classroom": {"classroom", "rendering", "grading", "core"},
    "bank": {"bank", "classroom", "rendering", "grading", "core"},
    "commands": {"commands", "bank", "classroom", "rendering", "grading", "sandbox", "core", "cli"},
    "cli": {"commands", "core"},
    "": {"grading"},  # grader/__init__.py: `%load_ext grader` hands over to grading.jupyter
}
# Inside the classroom: a batch fills the gradebook, exports read it; neither knows the other.
APART = {("classroom.batch", "classroom.exports"), ("classroom.exports", "classroom.batch")}


def _imports(path: Path) -> list[tuple[int, str]]:
    rel = path.relative_to(GRADER.parent).with_suffix("")
    here = list(rel.parts[:-1]) if rel.name != "__init__" else list(rel.parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found += [(node.lineno, f"{name}.{a.name}" if name in ("grader",) else name)
                      for a in node.names]
    return [(n, m) for n, m in found if m == "grader" or m.startswith("grader.")]


def _modules() -> list[Path]:
    return sorted(p for p in GRADER.rglob("*.py") if "__pycache__" not in p.parts)


def _crossings() -> list[str]:
    bad = []
    for path in _modules():
        rel = path.relative_to(GRADER)
        mine = rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 or rel.stem == "cli" else ""
        sub = ".".join(rel.parts[:2]) if len(rel.parts) > 2 else ""
        for line, target in _imports(path):
            parts = target.split(".")
            theirs = parts[1] if len(parts) > 1 else ""
            if theirs == "__version__":
                continue
            if theirs not in MAY_IMPORT.get(mine, set()):
                bad.append(f"grader/{rel} imports {target}")
            elif (sub, ".".join(parts[1:3])) in APART:
                bad.append(f"grader/{rel} imports {target}")
    return bad


def test_every_module_sits_in_a_layer():
    loose = [p.name for p in GRADER.glob("*.py") if p.name not in ("__init__.py", "cli.py")]
    assert loose == [], "modules of grader/ outside any layer"


def test_no_module_imports_across_a_rule():
    assert _crossings() == []


@pytest.mark.parametrize("module", ["grader.rendering.report", "grader.rendering.terminal",
                                    "grader.rendering.plots", "grader.core.result",
                                    "grader.classroom.gradebook", "grader.classroom.exports.canvas",
                                    "grader.core.errors", "grader.cli", "grader.bank.static"])
def test_rendering_and_records_never_load_the_sandbox(module):
    """Not even by way of another module: reading a class folder needs no sandbox."""
    code = (f"import sys, {module}; "
            "print(sorted(m for m in sys.modules if m.startswith('grader.sandbox')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
