"""Python source -> tokens of its normalised AST, one token stream per unit (a function or
method body, or the module's other top-level code), each token with the line it came from.

What a student does to hide a copy, and what undoes it here:
  renamed identifiers     every name the submission binds becomes its role: V (a variable,
                          parameter or attribute of its own), F (its function), C (its class);
                          library names stay, import aliases resolved (np.mean -> numpy.mean)
  reordered functions     each function is its own unit; units are fingerprinted separately,
                          so their order does not matter
  comments, docstrings,   gone with the AST; prints, bare expressions, `pass`, imports, stores
  prints, dead code       to names never read, code after return/raise/break/continue, `if
                          False:` bodies and the `if __name__ == "__main__":` block are dropped
  for -> while            both are LOOP; a `range` header and a counted while's header, its
                          counter's start and its `i += 1` are dropped
  reformatting            only the tree counts
  literals rewritten      numbers are their float value (0.01 == 1e-2 == 1/100: constants are
                          folded), strings are S
  moved into a class      methods are units like functions, `self` is dropped, self.x is V
Also: `x -= y` is `x = x - y`, `a > b` is `b < a`, `g * lr` is `lr * g` (operands of an
operator that commutes in a fixed order), `a, b = c, d` is two assignments.
"""
from __future__ import annotations

import ast
import math
import operator
import warnings
from dataclasses import dataclass

from grader.grading.loader import load_submission


@dataclass(frozen=True)
class Unit:
    """One function body (or the module's other code) as tokens, with each token's line."""
    name: str
    tokens: tuple[str, ...]
    lines: tuple[int, ...]


def read_code(path) -> str:
    """A submission's Python code as the grader loads it: a .py file as is, a notebook's code
    cells joined (each after a `# --- cell N ---` line), IPython-only lines blanked out."""
    return load_submission(path).source


def units(source: str) -> list[Unit]:
    """The units of `source`, in order. Raises SyntaxError (or ValueError) if it does not
    parse."""
    with warnings.catch_warnings():  # a student's "C:\\path" warns them, not the grader's log
        warnings.simplefilter("ignore")
        tree = ast.parse(source)
    names = _Names(tree)
    out: list[Unit] = []
    top = _Emitter(names)
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.append(_function_unit(names, stmt, method=False))
        elif isinstance(stmt, ast.ClassDef):
            out.extend(_class_units(names, stmt))
        elif not _is_main_block(stmt):
            top.stmt(stmt)
    if top.tokens:
        out.append(Unit("<module>", tuple(top.tokens), tuple(top.lines)))
    return out


def _function_unit(names: "_Names", fn: ast.FunctionDef, method: bool) -> Unit:
    e = _Emitter(names, self_name=_first_arg(fn) if method else None)
    e.function(fn, skip_first=method)
    return Unit(fn.name, tuple(e.tokens), tuple(e.lines))


def _class_units(names: "_Names", cls: ast.ClassDef) -> list[Unit]:
    out: list[Unit] = []
    rest = _Emitter(names)
    for base in cls.bases:
        rest.expr(base)
    for stmt in cls.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            static = any(isinstance(d, ast.Name) and d.id == "staticmethod"
                         for d in stmt.decorator_list)
            out.append(_function_unit(names, stmt, method=not static))
        elif isinstance(stmt, ast.ClassDef):
            out.extend(_class_units(names, stmt))
        else:
            rest.stmt(stmt)
    if rest.tokens:
        out.append(Unit(cls.name, tuple(rest.tokens), tuple(rest.lines)))
    return out


def _first_arg(fn: ast.FunctionDef) -> str | None:
    args = fn.args.posonlyargs + fn.args.args
    return args[0].arg if args else None


def _is_main_block(stmt: ast.stmt) -> bool:
    t = getattr(stmt, "test", None)
    return (isinstance(stmt, ast.If) and isinstance(t, ast.Compare)
            and isinstance(t.left, ast.Name) and t.left.id == "__name__")


class _Names:
    """What the submission binds (its own names), reads, and imports under which alias."""

    def __init__(self, tree: ast.Module):
        self.aliases: dict[str, str] = {}
        self.bound: set[str] = set()
        self.functions: set[str] = set()
        self.classes: set[str] = set()
        self.loaded: set[str] = set()
        self.attrs: set[str] = set()       # attribute names the submission assigns or defines
        for node in ast.walk(tree):
            self._see(node)

    def _see(self, node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            for a in node.names:
                self.aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else \
                    a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            for a in node.names:
                self.aliases[a.asname or a.name] = f"{node.module or ''}.{a.name}".lstrip(".")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.functions.add(node.name)
            self.attrs.add(node.name)
            a = node.args
            for arg in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg]:
                if arg is not None:
                    self.bound.add(arg.arg)
        elif isinstance(node, ast.ClassDef):
            self.classes.add(node.name)
        elif isinstance(node, ast.Name):
            (self.loaded if isinstance(node.ctx, ast.Load) else self.bound).add(node.id)
        elif isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load) and \
                isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            self.attrs.add(node.attr)           # its own attribute (p.grad is torch's)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            self.bound.add(node.name)

    def role(self, name: str) -> str:
        if name in self.classes:
            return "C"
        if name in self.functions:
            return "F"
        if name in self.aliases and name not in self.bound:
            return self.aliases[name]
        return "V" if name in self.bound else name


_FOLD = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
         ast.Div: operator.truediv, ast.Pow: operator.pow, ast.FloorDiv: operator.floordiv,
         ast.Mod: operator.mod}
_FLIP = {ast.Gt: ast.Lt, ast.GtE: ast.LtE}
_COMMUTES = (ast.Add, ast.Mult, ast.BitOr, ast.BitAnd, ast.BitXor)
_ENDS_BLOCK = (ast.Return, ast.Raise, ast.Continue, ast.Break)
_DROPPED = (ast.Import, ast.ImportFrom, ast.Pass, ast.Global, ast.Nonlocal, ast.Delete)


class _Emitter:
    """Writes the tokens of statements and expressions, prefix order, each with its line."""

    def __init__(self, names: _Names, self_name: str | None = None):
        self.names = names
        self.self_name = self_name
        self.tokens: list[str] = []
        self.lines: list[int] = []
        self._line = 0
        self.depth = 0                          # functions we are inside
        self.locals: list[set[str]] = []        # their parameters and local names

    def emit(self, token: str) -> None:
        self.tokens.append(token)
        self.lines.append(self._line)

    def at(self, node: ast.AST) -> None:
        self._line = getattr(node, "lineno", self._line)

    # ---- statements ---------------------------------------------------------------------------
    def block(self, body: list[ast.stmt]) -> None:
        body = _drop_counter(body)
        for stmt in body:
            self.stmt(stmt)
            if isinstance(stmt, _ENDS_BLOCK):
                break                            # what follows never runs
        self.emit("}")

    def function(self, fn: ast.FunctionDef, skip_first: bool = False) -> None:
        self.at(fn)
        for d in fn.decorator_list:
            self.emit("@")
            self.expr(d)
        self.emit("def")
        a = fn.args
        args = a.posonlyargs + a.args
        for _ in args[1 if skip_first and args else 0:] + a.kwonlyargs:
            self.emit("arg")
        for default in a.defaults + [d for d in a.kw_defaults if d is not None]:
            self.expr(default)
        body = [b for b in _without_docstring(fn.body) if not _is_noise(b)]
        if body and isinstance(body[-1], ast.Return) and body[-1].value is None:
            body = body[:-1]                    # a bare `return` at the end does nothing
        self.depth += 1
        self.locals.append(_locals(fn))
        self.block(body)
        self.locals.pop()
        self.depth -= 1

    def stmt(self, s: ast.stmt) -> None:
        self.at(s)
        if isinstance(s, _DROPPED) or _is_noise(s) or self._dead_store(s):
            return
        handler = getattr(self, f"_{type(s).__name__}", None)
        if handler is not None:
            handler(s)
        else:
            self.generic(s)

    def _FunctionDef(self, s: ast.FunctionDef) -> None:
        self.function(s)

    _AsyncFunctionDef = _FunctionDef

    def _ClassDef(self, s: ast.ClassDef) -> None:
        self.emit("class")
        for base in s.bases:
            self.expr(base)
        self.block(_without_docstring(s.body))

    def _Assign(self, s: ast.Assign) -> None:
        value = s.value
        for target in s.targets:
            if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and \
                    len(target.elts) == len(value.elts):
                for t, v in zip(target.elts, value.elts):
                    self._assign(t, v)
            else:
                self._assign(target, value)

    def _assign(self, target: ast.expr, value: ast.expr) -> None:
        self.emit("=")
        self.expr(target)
        self.expr(value)

    def _AnnAssign(self, s: ast.AnnAssign) -> None:
        if s.value is not None:
            self._assign(s.target, s.value)

    def _AugAssign(self, s: ast.AugAssign) -> None:
        self._assign(s.target, ast.BinOp(left=s.target, op=s.op, right=s.value))

    def _Expr(self, s: ast.Expr) -> None:
        self.expr(s.value)

    def _Return(self, s: ast.Return) -> None:
        self.emit("return")
        if s.value is not None and not (isinstance(s.value, ast.Constant)
                                        and s.value.value is None):
            self.expr(s.value)

    def _If(self, s: ast.If) -> None:
        truth = _constant_truth(s.test)
        if truth is not None:                  # `if False:` is dead, `if True:` is its body
            for stmt in (s.body if truth else s.orelse):
                self.stmt(stmt)
            return
        if all(_is_noise(b) for b in s.body + s.orelse):
            return                              # `if t % 100 == 99: print(...)`: a log line
        self.emit("if")
        self.expr(s.test)
        self.block(s.body)
        if s.orelse:
            self.emit("else")
            self.block(s.orelse)

    def _For(self, s: ast.For) -> None:
        self.emit("LOOP")
        if not _is_range(s.iter):
            self.emit("in")
            self.expr(s.target)
            self.expr(s.iter)
        self.block(s.body)

    _AsyncFor = _For

    def _While(self, s: ast.While) -> None:
        if _constant_truth(s.test) is False:
            return
        self.emit("LOOP")
        body = s.body
        counted = getattr(s, "counted", None)
        if counted and body and (seq := _indexed(body[0], counted)) is not None:
            self.emit("in")                     # `x = xs[i]` first: it is `for x in xs`
            self.expr(body[0].targets[0])
            self.expr(seq)
            body = body[1:]
        elif not counted and _constant_truth(s.test) is not True:
            self.emit("while")
            self.expr(s.test)
        self.block(body)

    def _With(self, s: ast.With) -> None:
        self.emit("with")
        for item in s.items:
            self.expr(item.context_expr)
        self.block(s.body)

    _AsyncWith = _With

    def generic(self, node: ast.AST) -> None:
        self.emit(type(node).__name__)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                self.stmt(child)
            elif isinstance(child, ast.expr):
                self.expr(child)
            elif isinstance(child, (ast.expr_context, ast.alias)):
                continue
            else:
                self.at(child)
                self.generic(child)

    def _dead_store(self, s: ast.stmt) -> bool:
        """An assignment, inside a function, to names nothing ever reads."""
        if not self.depth:
            return False                     # a module's names are read by its importers
        targets = s.targets if isinstance(s, ast.Assign) else \
            [s.target] if isinstance(s, (ast.AnnAssign, ast.AugAssign)) else None
        if not targets:
            return False
        names = [n for t in targets for n in ast.walk(t) if isinstance(n, ast.expr)]
        return all(isinstance(n, (ast.Name, ast.Tuple, ast.List, ast.Starred)) for n in names) \
            and not any(isinstance(n, ast.Name) and n.id in self.names.loaded for n in names)

    # ---- expressions --------------------------------------------------------------------------
    def expr(self, e: ast.expr) -> None:
        self.at(e)
        value = _fold(e)
        if value is not None:
            self.emit(_number(value))
            return
        handler = getattr(self, f"_{type(e).__name__}", None)
        if handler is not None:
            handler(e)
        else:
            self.generic(e)

    def _Name(self, e: ast.Name) -> None:
        if any(e.id in scope for scope in self.locals):
            self.emit("V")        # a parameter `loss_fn` is a variable, whatever else is
            return
        self.emit(self.names.role(e.id))

    def _Attribute(self, e: ast.Attribute) -> None:
        if isinstance(e.value, ast.Name) and e.value.id == self.self_name:
            self.emit("F" if e.attr in self.names.functions else "V")   # self.x: like a name
            return
        dotted = _dotted(e)
        if dotted and dotted[0] in self.names.aliases and dotted[0] not in self.names.bound:
            self.emit(".".join([self.names.aliases[dotted[0]], *dotted[1:]]))
            return
        self.expr(e.value)
        self.emit("." + ("V" if e.attr in self.names.attrs else e.attr))

    def _Constant(self, e: ast.Constant) -> None:
        v = e.value
        self.emit("S" if isinstance(v, (str, bytes)) else repr(v) if v is None or
                  isinstance(v, bool) else _number(v) if isinstance(v, (int, float)) else "K")

    def _JoinedStr(self, e: ast.JoinedStr) -> None:
        self.emit("S")

    def _Call(self, e: ast.Call) -> None:
        self.emit("(")
        self.expr(e.func)
        for a in e.args:
            self.expr(a)
        for k in e.keywords:
            self.emit("k:" + ("V" if k.arg in self.names.bound else str(k.arg)))
            self.expr(k.value)
        self.emit(")")

    def _BinOp(self, e: ast.BinOp) -> None:
        self.emit(type(e.op).__name__)
        self._operands(e.left, e.right, commutes=isinstance(e.op, _COMMUTES))

    def _operands(self, left: ast.expr, right: ast.expr, commutes: bool) -> None:
        """Both operands; of `lr * g` and `g * lr` (an operator that commutes), the one whose
        tokens sort first goes first, so that swapping them changes nothing."""
        start = len(self.tokens)
        self.expr(left)
        middle = len(self.tokens)
        self.expr(right)
        if commutes and self.tokens[middle:] < self.tokens[start:middle]:
            for seq in (self.tokens, self.lines):
                seq[start:] = seq[middle:] + seq[start:middle]

    def _Compare(self, e: ast.Compare) -> None:
        if len(e.ops) != 1:
            self.generic(e)
            return
        op, left, right = type(e.ops[0]), e.left, e.comparators[0]
        if op in _FLIP:                          # a > b is b < a
            op, left, right = _FLIP[op], right, left
        self.emit(op.__name__)
        self._operands(left, right, commutes=op in (ast.Eq, ast.NotEq, ast.Is, ast.IsNot))

    def _Tuple(self, e: ast.Tuple | ast.List) -> None:
        self.emit("seq")
        for x in e.elts:
            self.expr(x)

    _List = _Tuple


def _locals(fn: ast.FunctionDef) -> set[str]:
    a = fn.args
    out = {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg] if x}
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.add(node.id)
    return out


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    return [s for s in body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]


def _is_noise(s: ast.stmt) -> bool:
    """A statement that does nothing a grader or a reader of the result could see: a bare
    constant or name, or a print."""
    if not isinstance(s, ast.Expr):
        return False
    v = s.value
    if isinstance(v, (ast.Constant, ast.Name, ast.JoinedStr)):
        return True
    return isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and \
        v.func.id in ("print", "pprint", "display")


def _constant_truth(test: ast.expr) -> bool | None:
    if isinstance(test, ast.Constant) and not isinstance(test.value, (str, bytes)):
        return bool(test.value)
    return None


def _is_range(it: ast.expr) -> bool:
    return isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range"


def _counter_of(loop: ast.While) -> str | None:
    """`while i < n:` whose body ends with `i += 1`: the counter's name (the loop is a
    `for i in range(...)` written by hand)."""
    t = loop.test
    if not (isinstance(t, ast.Compare) and len(t.ops) == 1 and isinstance(t.left, ast.Name)
            and isinstance(t.ops[0], (ast.Lt, ast.LtE, ast.NotEq))):
        return None
    last = loop.body[-1] if loop.body else None
    if isinstance(last, ast.AugAssign) and isinstance(last.target, ast.Name) and \
            last.target.id == t.left.id and isinstance(last.op, ast.Add):
        return t.left.id
    return None


def _drop_counter(body: list[ast.stmt]) -> list[ast.stmt]:
    """In a block, a counted while's `i = 0` before it and `i += 1` at its end go: what is left
    is the loop as `for i in range(n)` would be."""
    out = list(body)
    for i, s in enumerate(body):
        name = _counter_of(s) if isinstance(s, ast.While) else None
        if name is None:
            continue
        loop = ast.While(test=s.test, body=s.body[:-1], orelse=s.orelse, lineno=s.lineno,
                         col_offset=s.col_offset)
        loop.counted = name
        out[i] = loop
        for j in range(i - 1, -1, -1):          # the counter's start, before the loop
            b = body[j]
            if isinstance(b, ast.Assign) and len(b.targets) == 1 and \
                    isinstance(b.targets[0], ast.Name) and b.targets[0].id == name:
                if _fold(b.value) is not None:
                    out[j] = ast.Pass(lineno=b.lineno, col_offset=b.col_offset)
                break
    return out


def _indexed(stmt: ast.stmt, counter: str) -> ast.expr | None:
    """`x = xs[i]`, i the loop's counter: xs."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and \
            isinstance(stmt.targets[0], ast.Name) and isinstance(stmt.value, ast.Subscript) \
            and isinstance(stmt.value.slice, ast.Name) and stmt.value.slice.id == counter:
        return stmt.value.value
    return None


def _dotted(e: ast.expr) -> list[str] | None:
    parts: list[str] = []
    while isinstance(e, ast.Attribute):
        parts.append(e.attr)
        e = e.value
    if isinstance(e, ast.Name):
        return [e.id, *reversed(parts)]
    return None


def _fold(e: ast.expr) -> float | None:
    """The value of a numeric constant expression (1e-2, 1 / 100, -0.5, 10 ** -2), else None."""
    if isinstance(e, ast.Constant):
        v = e.value
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            return None
        try:
            return float(v)
        except OverflowError:               # an int beyond a float's range
            return None
    if isinstance(e, ast.UnaryOp) and isinstance(e.op, (ast.USub, ast.UAdd)):
        v = _fold(e.operand)
        return None if v is None else (-v if isinstance(e.op, ast.USub) else v)
    if isinstance(e, ast.BinOp) and type(e.op) in _FOLD:
        left, right = _fold(e.left), _fold(e.right)
        if left is None or right is None or abs(right) > 64 and isinstance(e.op, ast.Pow):
            return None
        try:
            v = _FOLD[type(e.op)](left, right)
        except (ArithmeticError, ValueError):
            return None
        return float(v) if isinstance(v, (int, float)) and math.isfinite(v) else None
    return None


def _number(v: float) -> str:
    v = float(v)
    return repr(float(f"{v:.12g}")) if math.isfinite(v) else repr(v)
