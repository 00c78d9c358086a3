"""An exercise's probes.py, cut into what each probe needs, so that a run holds only the probes
its checks have called: a student's own run (public checks) never has the hidden checks' probes
in its memory, and a run's code cannot print what was never sent to it.

The common part (imports, constants, classes, private `_helpers`) goes first; each public
top-level function (a probe) goes when a check first calls it, with the other probes it calls.
Every piece keeps its line numbers (blank lines before it), so tracebacks point into probes.py.
"""
from __future__ import annotations

import ast
import base64
import functools
import marshal
from dataclasses import dataclass, field

READER = "__attr__"  # readers.py's, in the probes' builtins
# calls of these builtins become calls of readers.py's (the names themselves stay the types:
# isinstance(v, float) still works)
CALLS = {"float": "__read_float__", "int": "__read_int__", "getattr": READER}


@dataclass(frozen=True)
class ProbeSource:
    common: str
    probes: dict[str, str] = field(default_factory=dict)        # name -> its source
    needs: dict[str, frozenset[str]] = field(default_factory=dict)  # name -> probes it calls

    def to_load(self, name: str, loaded: set[str]) -> list[str]:
        """`name` and the probes it calls, less those already `loaded`, callees first."""
        order: list[str] = []

        def visit(n: str) -> None:
            if n in loaded or n in order or n not in self.probes:
                return
            order.append(n)  # before its callees: a cycle stops here
            for m in sorted(self.needs.get(n, ())):
                visit(m)
        visit(name)
        return order[::-1]

    def source(self, names: list[str]) -> str:
        return "\n".join(self.probes[n] for n in names)


def split(source: str) -> ProbeSource:
    """Cut `source`; a file that does not parse goes whole as the common part (loading it then
    reports the error, as before)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ProbeSource(common=source)
    lines = source.splitlines(keepends=True)
    public = [node for node in tree.body
              if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")]
    names = {node.name for node in public}
    common = list(lines)
    probes, needs = {}, {}
    for node in public:
        start = min([node.lineno] + [d.lineno for d in node.decorator_list])
        end = node.end_lineno
        probes[node.name] = "\n" * (start - 1) + "".join(lines[start - 1:end])
        needs[node.name] = frozenset(n.id for n in ast.walk(node)
                                     if isinstance(n, ast.Name) and n.id in names
                                     and n.id != node.name)
        for i in range(start - 1, end):
            common[i] = "\n"  # blanked in the common part: line numbers stay
    return ProbeSource(common="".join(common), probes=probes, needs=needs)


class _ReadThroughReaders(ast.NodeTransformer):
    """`x.name` (a read) becomes `__attr__(x, "name")`: readers.py reads a tensor's attribute
    from its class as it was before the submission ran, and refuses a subclass; `float(x)`,
    `int(x)` and `getattr(x, n)` become readers.py's."""

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in CALLS:
            node.func = ast.copy_location(ast.Name(CALLS[node.func.id], ast.Load()), node.func)
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.generic_visit(node)
        if not isinstance(node.ctx, ast.Load):
            return node
        call = ast.Call(func=ast.Name(READER, ast.Load()),
                        args=[node.value, ast.Constant(node.attr)], keywords=[])
        return ast.copy_location(call, node)


@functools.lru_cache(maxsize=256)
def compiled(source: str) -> str:
    """Probe source -> what the child executes: its code, every attribute read routed through
    the readers, compiled here (the grader) as "<probes>" with its own line numbers, marshalled
    and base64-encoded for the wire. The same interpreter runs both sides (the sandbox mounts
    it), so the child loads it as is."""
    tree = _ReadThroughReaders().visit(ast.parse(source, "<probes>"))
    code = compile(ast.fix_missing_locations(tree), "<probes>", "exec")
    return base64.b64encode(marshal.dumps(code)).decode("ascii")
