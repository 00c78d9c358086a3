"""An exercise's probes.py, cut into what each probe needs, so that a run holds only the probes
its checks have called: a student's own run (public checks) never has the hidden checks' probes
in its memory, and a run's code cannot print what was never sent to it.

The common part (imports, constants, classes, private `_helpers`) goes first; each public
top-level function (a probe) goes when a check first calls it, with the other probes it calls.
Every piece keeps its line numbers (blank lines before it), so tracebacks point into probes.py.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field


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
