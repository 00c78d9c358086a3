"""Checks on the submission's source that need no run: forbidden imports, before anything runs.

The sandbox refuses forbidden packages at run time too; this earlier look gives the student a
precise line number and costs nothing.
"""
from __future__ import annotations

import ast


def forbidden_import(source: str, forbidden: tuple[str, ...]) -> str | None:
    """`"line 3 imports torch"` for the first forbidden import found, else None."""
    if not forbidden:
        return None
    banned = set(forbidden)
    for node in ast.walk(ast.parse(source)):
        for name in _imported(node):
            if name.partition(".")[0] in banned:
                return f"line {node.lineno} imports {name.partition('.')[0]}"
    return None


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module]
    # __import__("torch") and importlib.import_module("torch") with a literal name
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
            and isinstance(node.args[0].value, str):
        f = node.func
        fname = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
        if fname in ("__import__", "import_module"):
            return [node.args[0].value]
    return []
