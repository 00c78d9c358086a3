"""No function of the grader's is longer than a screenful (60 lines), so each reads whole.

The exceptions are the sandbox's security closures: each installs one audit hook whose body
must see its state through closed-over names only (grader/sandbox/guard.py, skills.py), so it
cannot be cut into functions the submission could reach."""
from __future__ import annotations

import ast
from pathlib import Path

GRADER = Path(__file__).resolve().parents[1] / "grader"
LIMIT = 60
CLOSURES = {("sandbox/guard.py", "install_hook"), ("sandbox/skills.py", "_install_hook")}


def _long_functions() -> list[str]:
    found = []
    for path in sorted(GRADER.rglob("*.py")):
        rel = path.relative_to(GRADER).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > LIMIT and (rel, node.name) not in CLOSURES:
                    found.append(f"grader/{rel}:{node.lineno} {node.name}: {lines} lines")
    return found


def test_no_function_is_longer_than_a_screenful():
    assert _long_functions() == []
