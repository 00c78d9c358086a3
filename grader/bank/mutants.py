"""Mutation testing of an exercise's checks: small bugs put into the reference solution, each
graded like a submission. A mutant that still gets full marks *survives*: it is a bug a
student could make that no check catches (or, now and then, a change that is no bug at all:
mark such a line `# no-mutate`).

Mutations, each one at one place: flip an operator (+ -, * /, ** *, < <=, == !=, and or, -=
+=), change a constant (0 1, n n+1, x 10x), drop a statement, swap two arguments, off-by-one in
a range (range(n) -> range(n - 1)), return early (the function's final return moved before its
first loop, so the loop never runs). Mutants are made on the syntax tree, so each is valid
Python; identical ones are made once.
"""
from __future__ import annotations

import ast
import copy
from dataclasses import dataclass

# What each operator becomes: the likeliest slip, not every possible one.
_BINOP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
          ast.Pow: ast.Mult, ast.FloorDiv: ast.Div, ast.MatMult: ast.Mult}
_CMPOP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
          ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn,
          ast.NotIn: ast.In}
_BOOLOP = {ast.And: ast.Or, ast.Or: ast.And}
_DROPPABLE = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign)
KINDS = ("operator", "constant", "statement", "arguments", "range", "return")
PRAGMA = "no-mutate"


@dataclass(frozen=True)
class Mutant:
    kind: str
    line: int
    function: str                # the enclosing function ("" at module level)
    change: str                  # "`w -= lr * g` -> `w += lr * g`"
    source: str                  # the whole mutated file

    def where(self, filename: str) -> str:
        return f"{filename}:{self.line}" + (f" ({self.function})" if self.function else "")


def mutants(source: str) -> list[Mutant]:
    """Every mutant of `source`, in a fixed order."""
    tree = ast.parse(source)
    skip = {i + 1 for i, line in enumerate(source.splitlines()) if PRAGMA in line}
    sites = _sites(tree, skip)
    out, seen = [], {ast.unparse(tree)}
    for ordinal, kind, arg in sites:
        fresh = ast.parse(source)
        nodes = list(ast.walk(fresh))
        made = _apply(nodes, ordinal, kind, arg)
        if made is None:
            continue
        line, before, after = made
        ast.fix_missing_locations(fresh)
        text = ast.unparse(fresh)
        if text in seen:
            continue
        seen.add(text)
        out.append(Mutant(_kind_name(kind), line, _function(fresh, nodes[ordinal]),
                          f"`{before}` -> `{after}`", text + "\n"))
    return out


def select(all_mutants: list[Mutant], limit: int | None) -> list[Mutant]:
    """At most `limit` mutants, taken in turn from each kind and spread over the file, so a
    small budget still tries every kind of mistake in every part of the solution."""
    if limit is None or len(all_mutants) <= limit:
        return list(all_mutants)
    by_kind = {k: [m for m in all_mutants if m.kind == k] for k in KINDS}
    queues = {k: _spread(v) for k, v in by_kind.items() if v}
    chosen: list[Mutant] = []
    while len(chosen) < limit:
        for k in KINDS:
            if queues.get(k) and len(chosen) < limit:
                chosen.append(queues[k].pop(0))
    return sorted(chosen, key=lambda m: (m.line, KINDS.index(m.kind)))


def _spread(items: list[Mutant]) -> list[Mutant]:
    """Reorder so that the first few are far apart: middle, ends, quarters, ..."""
    order, spans = [], [(0, len(items))]
    while spans:
        lo, hi = spans.pop(0)
        if lo >= hi:
            continue
        mid = (lo + hi) // 2
        order.append(items[mid])
        spans += [(lo, mid), (mid + 1, hi)]
    return order


# ---- finding places ----------------------------------------------------------------------
def _sites(tree: ast.Module, skip: set[int]) -> list[tuple[int, str, object]]:
    nodes = list(ast.walk(tree))
    excluded = _excluded(tree)
    sites = []
    for i, node in enumerate(nodes):
        if id(node) in excluded or getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOP:
            sites.append((i, "binop", None))
        elif isinstance(node, ast.AugAssign) and type(node.op) in _BINOP:
            sites.append((i, "augop", None))
        elif isinstance(node, ast.Compare) and type(node.ops[0]) in _CMPOP:
            sites.append((i, "cmpop", None))
        elif isinstance(node, ast.BoolOp):
            sites.append((i, "boolop", None))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            sites.append((i, "usub", None))
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
            sites.append((i, "const", None))
        elif isinstance(node, ast.Call):
            pos = [a for a in node.args if not isinstance(a, ast.Starred)]
            if isinstance(node.func, ast.Name) and node.func.id == "range" \
                    and 1 <= len(node.args) <= 2:
                sites.append((i, "range", None))
            elif len(pos) >= 2 and ast.unparse(pos[0]) != ast.unparse(pos[1]):
                sites.append((i, "swap", None))
        if isinstance(node, ast.FunctionDef):
            if _early_return(node) is not None:
                sites.append((i, "return", None))
        for field in ("body", "orelse"):
            body = getattr(node, field, None)
            if isinstance(body, list) and not isinstance(node, (ast.Module, ast.ClassDef)):
                for j, stmt in enumerate(body):
                    if isinstance(stmt, _DROPPABLE) and not _is_docstring(node, j) \
                            and stmt.lineno not in skip:
                        sites.append((i, "drop", (field, j)))
    return sites


def _excluded(tree: ast.Module) -> set[int]:
    """Nodes never mutated: the `if __name__ == "__main__":` block (the grader never runs it),
    imports, docstrings, annotations and decorators."""
    out: set[int] = set()
    for node in ast.walk(tree):
        parts: list[ast.AST] = []
        if isinstance(node, ast.If) and "__name__" in ast.unparse(node.test):
            parts = [node]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            parts = [node]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            parts = list(node.decorator_list) + ([node.returns] if getattr(node, "returns", None)
                                                 else [])
        elif isinstance(node, ast.arg) and node.annotation is not None:
            parts = [node.annotation]
        elif isinstance(node, ast.AnnAssign):
            parts = [node.annotation]
        for p in parts:
            out.update(id(n) for n in ast.walk(p))
    return out


def _is_docstring(parent: ast.AST, j: int) -> bool:
    body = getattr(parent, "body", [])
    return j == 0 and isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
        isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and \
        isinstance(body[0].value.value, str)


def _early_return(fn: ast.FunctionDef) -> int | None:
    """Where the final return would go to skip the function's first top-level loop."""
    if not fn.body or not isinstance(fn.body[-1], ast.Return) or fn.body[-1].value is None:
        return None
    for j, stmt in enumerate(fn.body[:-1]):
        if isinstance(stmt, (ast.For, ast.While)):
            return j
    return None


# ---- making one mutant -------------------------------------------------------------------
def _apply(nodes: list[ast.AST], i: int, kind: str, arg: object) -> tuple[int, str, str] | None:
    node = nodes[i]
    if kind == "drop":
        field, j = arg  # type: ignore[misc]
        body = getattr(node, field)
        before = body[j]
        body[j] = ast.copy_location(ast.Pass(), before)
        return before.lineno, _short(before), "(dropped)"
    if kind == "return":
        j = _early_return(node)  # type: ignore[arg-type]
        ret = copy.deepcopy(node.body[-1])  # type: ignore[attr-defined]
        loop = node.body[j]  # type: ignore[attr-defined]
        node.body.insert(j, ast.copy_location(ret, loop))  # type: ignore[attr-defined]
        return loop.lineno, f"{_short(loop).splitlines()[0]} ...", \
            f"{_short(ret)} before that loop"
    before = _short(node)
    line = node.lineno
    if kind == "binop":
        node.op = _BINOP[type(node.op)]()
    elif kind == "augop":
        node.op = _BINOP[type(node.op)]()
    elif kind == "cmpop":
        node.ops[0] = _CMPOP[type(node.ops[0])]()
    elif kind == "boolop":
        node.op = _BOOLOP[type(node.op)]()
    elif kind == "usub":
        node.op = ast.UAdd()
    elif kind == "const":
        node.value = _changed(node.value)
    elif kind == "range":
        node.args[-1] = ast.BinOp(node.args[-1], ast.Sub(), ast.Constant(1))
    elif kind == "swap":
        pos = [k for k, a in enumerate(node.args) if not isinstance(a, ast.Starred)]
        a, b = pos[0], pos[1]
        node.args[a], node.args[b] = node.args[b], node.args[a]
    else:
        return None
    return line, before, _short(node)


def _changed(v: int | float) -> int | float:
    if isinstance(v, int):
        return 1 if v == 0 else 0 if v == 1 else v + 1
    return 1.0 if v == 0 else v * 10


def _short(node: ast.AST, width: int = 70) -> str:
    text = ast.unparse(node).splitlines()[0]
    return text if len(text) <= width else text[:width - 1] + "…"


def _function(tree: ast.Module, target: ast.AST) -> str:
    best = ""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                any(n is target for n in ast.walk(node)):
            best = node.name  # walk is outer-first: the last match is the innermost
    return best


def _kind_name(kind: str) -> str:
    return {"binop": "operator", "augop": "operator", "cmpop": "operator", "boolop": "operator",
            "usub": "operator", "const": "constant", "drop": "statement", "swap": "arguments",
            "range": "range", "return": "return"}[kind]
