"""What a student does to hide a copy, as code: each function takes Python source and returns
a disguised copy that still runs the same. Used by bench/similarity.py to make the copies of
its corpus (light: renamed and re-commented; heavy: everything at once).

  rename        every name the file binds that the stub does not name (locals, helpers,
                attributes of its own) gets another
  reorder       functions and methods shuffled (classes keep their order: a base comes first)
  literals      0.001 -> 1e-3, 0.9 -> 9e-1, 10000 -> 10 ** 4 (same values, other spellings)
  commute       `lr * g` -> `g * lr`, `a + b` -> `b + a` (about half of them)
  for_to_while  `for i in range(n)` -> `i = 0 / while i < n: ... i += 1`, and `for x in xs`
                -> an index loop
  dead_code     prints, unused variables, `if False:` blocks and an unused helper added
  into_class    every module-level function becomes a method of a class; the API functions
                stay as one-line wrappers around it
  comments      the copy is unparsed (comments and docstrings gone, layout redone) and new
                comments and docstrings are written in
"""
from __future__ import annotations

import ast
import builtins
import random
import re

WORDS = ("val", "acc", "buf", "item", "thing", "res", "cur", "tmp", "data", "elem", "obj",
         "arr", "num", "amount", "factor", "node", "piece", "entry", "store", "holder")
COMMENTS = ("# update the values", "# compute it", "# the main loop", "# TODO tidy up",
            "# this part was tricky", "# see the lecture", "# loop over everything",
            "# apply the rule", "# keep track of state", "# done here")


def stub_names(stub_source: str) -> set[str]:
    """Every identifier the stub uses: names the grader calls must keep them."""
    out: set[str] = set(dir(builtins)) | {"self", "cls"}
    for node in ast.walk(ast.parse(stub_source)):
        for field in ("id", "name", "arg", "attr"):
            v = getattr(node, field, None)
            if isinstance(v, str):
                out.add(v)
        if isinstance(node, ast.alias):
            out.add((node.asname or node.name).split(".")[0])
    return out


def rename(source: str, keep: set[str], rng: random.Random) -> str:
    tree = ast.parse(source)
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and \
                isinstance(node.value, ast.Name) and node.value.id == "self":
            bound.add(node.attr)
    imported = {(a.asname or a.name).split(".")[0] for n in ast.walk(tree)
                if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
    targets = sorted(bound - keep - imported)
    mapping = {}
    for i, name in enumerate(targets):
        mapping[name] = f"{rng.choice(WORDS)}_{i}{rng.choice('abcxyz')}"

    class R(ast.NodeTransformer):
        def visit_Name(self, n):
            n.id = mapping.get(n.id, n.id)
            return n

        def visit_arg(self, n):
            n.arg = mapping.get(n.arg, n.arg)
            return n

        def visit_FunctionDef(self, n):
            n.name = mapping.get(n.name, n.name)
            self.generic_visit(n)
            return n

        def visit_ClassDef(self, n):
            n.name = mapping.get(n.name, n.name)
            self.generic_visit(n)
            return n

        def visit_Attribute(self, n):
            self.generic_visit(n)
            if isinstance(n.value, ast.Name) and n.value.id == "self" or n.attr in mapping \
                    and n.attr not in keep:
                n.attr = mapping.get(n.attr, n.attr)
            return n

        def visit_keyword(self, n):
            self.generic_visit(n)
            return n

    return ast.unparse(R().visit(tree))


def reorder(source: str, rng: random.Random) -> str:
    tree = ast.parse(source)
    head = [s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom, ast.Assign))]
    funcs = [s for s in tree.body if isinstance(s, ast.FunctionDef)]
    classes = [s for s in tree.body if isinstance(s, ast.ClassDef)]
    rest = [s for s in tree.body if s not in head and s not in funcs and s not in classes]
    rng.shuffle(funcs)
    for c in classes:
        methods = [s for s in c.body if isinstance(s, ast.FunctionDef)]
        others = [s for s in c.body if not isinstance(s, ast.FunctionDef)]
        rng.shuffle(methods)
        c.body = others + methods
    body = list(classes)
    for f in funcs:                 # each function somewhere among the classes
        body.insert(rng.randint(0, len(body)), f)
    tree.body = head + body + rest
    return ast.unparse(tree)


def literals(source: str) -> str:
    class L(ast.NodeTransformer):
        def visit_Constant(self, n):
            v = n.value
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                return n
            if isinstance(v, float) and v not in (0.0, 1.0):
                text = f"{v:e}"                      # 1.000000e-03
                mant, exp = text.split("e")
                mant = mant.rstrip("0").rstrip(".")
                return ast.Name(id=f"{mant}e{int(exp)}", ctx=ast.Load())
            if isinstance(v, int) and v >= 100 and v % 10 == 0:
                k = len(str(v)) - len(str(v).rstrip("0"))
                m = v // 10 ** k
                base = ast.BinOp(left=ast.Constant(10), op=ast.Pow(), right=ast.Constant(k))
                return base if m == 1 else ast.BinOp(left=ast.Constant(m), op=ast.Mult(),
                                                     right=base)
            return n

    return ast.unparse(L().visit(ast.parse(source)))


def commute(source: str, rng: random.Random) -> str:
    class C(ast.NodeTransformer):
        def visit_BinOp(self, n):
            self.generic_visit(n)
            if isinstance(n.op, (ast.Add, ast.Mult)) and rng.random() < 0.5:
                n.left, n.right = n.right, n.left
            return n

    return ast.unparse(C().visit(ast.parse(source)))


def _has_continue(body: list[ast.stmt]) -> bool:
    for s in body:
        for n in ast.walk(s):
            if isinstance(n, ast.Continue):
                return True
    return False


def for_to_while(source: str, rng: random.Random) -> str:
    counter = iter(range(1000))

    class F(ast.NodeTransformer):
        def visit_For(self, n):
            self.generic_visit(n)
            if n.orelse or _has_continue(n.body) or not isinstance(n.target, ast.Name):
                return n
            it = n.iter
            if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and \
                    it.func.id == "range" and len(it.args) == 1 and not it.keywords:
                i = n.target.id if n.target.id != "_" else f"step_{next(counter)}"
                init = ast.parse(f"{i} = 0").body[0]
                loop = ast.While(test=ast.Compare(left=ast.Name(i, ast.Load()), ops=[ast.Lt()],
                                                  comparators=[it.args[0]]),
                                 body=n.body + [ast.parse(f"{i} += 1").body[0]], orelse=[])
                return [init, loop]
            if isinstance(it, (ast.Name, ast.Attribute)):
                i = f"idx_{next(counter)}"
                seq = ast.unparse(it)
                init = ast.parse(f"{i} = 0").body[0]
                head = ast.parse(f"{n.target.id} = {seq}[{i}]").body[0]
                loop = ast.While(test=ast.parse(f"{i} < len({seq})", mode="eval").body,
                                 body=[head] + n.body + [ast.parse(f"{i} += 1").body[0]],
                                 orelse=[])
                return [init, loop]
            return n

    return ast.unparse(ast.fix_missing_locations(F().visit(ast.parse(source))))


def dead_code(source: str, rng: random.Random) -> str:
    tree = ast.parse(source)
    funcs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.body]
    for f in funcs:
        for _ in range(rng.randint(1, 2)):
            at = rng.randint(0, len(f.body) - 1 if isinstance(f.body[-1], ast.Return)
                             else len(f.body))
            junk = rng.choice([
                f"print('debug {f.name}')",
                f"unused_{rng.randint(0, 999)} = {rng.randint(1, 99)} * 2",
                f"if False:\n    print('never {rng.randint(0, 99)}')",
                "print('here', flush=True)",
            ])
            f.body[at:at] = ast.parse(junk).body
    name = f"{rng.choice(('check', 'norm', 'debug', 'show', 'helper'))}_{rng.randint(0, 99)}"
    tree.body.append(ast.parse(rng.choice((
        f"def {name}(values):\n    total = 0\n    for v in values:\n"
        f"        total += v * v\n    return total ** 0.5\n",
        f"def {name}(x, eps={rng.choice((1e-6, 1e-9, 0.5))}):\n    if abs(x) < eps:\n"
        f"        return 0\n    return x / abs(x)\n",
        f"def {name}(*things):\n    print('values:', *things)\n    return len(things)\n",
        f"def {name}(a, b):\n    return max(a, b) - min(a, b) > {rng.randint(1, 9)}\n",
    ))).body[0])
    return ast.unparse(tree)


def into_class(source: str, keep: set[str]) -> str:
    """Module-level functions become methods of `Solution`; the stub's API functions stay as
    wrappers that call them."""
    tree = ast.parse(source)
    funcs = [s for s in tree.body if isinstance(s, ast.FunctionDef)]
    if not funcs:
        return source
    names = {f.name for f in funcs}

    class Calls(ast.NodeTransformer):
        def visit_Call(self, n):
            self.generic_visit(n)
            if isinstance(n.func, ast.Name) and n.func.id in names:
                n.func = ast.Attribute(value=ast.Name("self", ast.Load()), attr=n.func.id,
                                       ctx=ast.Load())
            return n

    methods = []
    for f in funcs:
        f = Calls().visit(f)
        f.args.args.insert(0, ast.arg("self"))
        methods.append(f)
    cls = ast.parse("class Solution:\n    pass").body[0]
    cls.body = methods
    wrappers = [ast.parse(f"def {f.name}(*args, **kwargs):\n"
                          f"    return Solution().{f.name}(*args, **kwargs)").body[0]
                for f in funcs if f.name in keep]
    tree.body = [s for s in tree.body if s not in funcs]
    at = next((i for i, s in enumerate(tree.body)
               if not isinstance(s, (ast.Import, ast.ImportFrom))), len(tree.body))
    tree.body[at:at] = [cls]
    tree.body.extend(wrappers)
    return ast.unparse(ast.fix_missing_locations(tree))


def comments(source: str, rng: random.Random) -> str:
    """New comments above some statements and a new module docstring (the old ones are gone:
    every step above unparses)."""
    out = [f'"""My solution, {rng.choice(("finally", "v2", "cleaned up", "done"))}."""']
    for line in ast.unparse(ast.parse(source)).splitlines():
        stripped = line.lstrip()
        if stripped and rng.random() < 0.25 and not stripped.startswith(("else", "elif",
                                                                           "except", "@")):
            out.append(line[:len(line) - len(stripped)] + rng.choice(COMMENTS))
        out.append(line)
    return "\n".join(out) + "\n"


def reformat(source: str) -> str:
    """Another layout: two spaces of indent, blank lines after blocks."""
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip(" ")
        indent = (len(line) - len(stripped)) // 4
        lines.append("  " * indent + stripped)
    text = "\n".join(lines) + "\n"
    return re.sub(r"\n(def |class )", r"\n\n\n\1", text)


def light(source: str, keep: set[str], rng: random.Random) -> str:
    return comments(rename(source, keep, rng), rng)


def heavy(source: str, keep: set[str], rng: random.Random) -> str:
    s = rename(source, keep, rng)
    s = reorder(s, rng)
    s = literals(s)
    s = commute(s, rng)
    s = for_to_while(s, rng)
    s = dead_code(s, rng)
    s = into_class(s, keep)
    s = comments(s, rng)
    return reformat(s)
