"""PyTorch's and numpy's common errors, explained in the exercise's terms.

"1D tensors expected, but got 2D and 2D tensors" names a symptom deep in torch; the student needs
to hear which of their values had which shape, what the check passed in, and why that fails (as
Elm's and Rust's compilers explain theirs). `explain(error)` reads what the grader already holds
when the student's code raised: the exception's line, the traceback's last line in the student's
file (its source too), and what the check passed in; it returns one or two sentences, or "" for
an error it has nothing to add to.

Only words come out of here: a verdict never depends on them (the check failed already).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

_FRAME = re.compile(r'^\s*File "([^"]*)", line (\d+), in (.+)$')


@dataclass(frozen=True)
class Raised:
    """What the grader knows of one exception the student's code raised."""
    error: str                   # "RuntimeError: 1D tensors expected, but got 2D and 2D tensors"
    code: str = ""               # the student's line it came from: "return torch.dot(a, b)"
    where: str = ""              # "line 27, in gradient"
    function: str = ""           # the student's function that was called: "gradient"
    passed: str = ""             # what the check passed in: "a list of 2 floats"


def describe(value: Any, depth: int = 0) -> str:
    """A value as a student would name it: "a list of 2000 floats", "a float64 array of shape
    (2000,)", "a tensor of shape (3, 3)", "None"."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return f"the bool {value}"
    if isinstance(value, (int, float)):
        return f"the {type(value).__name__} {value!r}"[:60]
    if isinstance(value, str):
        return f"the string {value[:30]!r}"
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} numpy array of shape {tuple(value.shape)}"
    if type(value).__name__ in ("Tensor", "Parameter"):
        return f"a tensor of shape {tuple(getattr(value, 'shape', ()))}"
    if isinstance(value, (list, tuple)):
        kind = type(value).__name__
        if not value:
            return f"an empty {kind}"
        inner = {type(v).__name__ for v in value}
        if inner <= {"int", "float"}:
            name = "floats" if "float" in inner else "ints"
            return f"a {kind} of {len(value)} {name}"
        if depth == 0 and all(isinstance(v, (list, tuple)) for v in value):
            return f"a {kind} of {len(value)} {kind}s ({describe(value[0], 1)} each)"
        return f"a {kind} of {len(value)} items"
    if isinstance(value, dict):
        return f"a dict of {len(value)} keys"
    return f"a {type(value).__name__}"


def passed_in(args: tuple, kwargs: dict) -> str:
    """What a check passed to a call or probe, in words: "a list of 2 floats and the int 3"."""
    parts = [describe(a) for a in args if not callable(a)]
    parts += [f"{k}={describe(v)}" for k, v in kwargs.items() if not callable(v)]
    parts = [p for p in parts if not p.startswith("the string")] or parts
    if not parts:
        return ""
    if len(parts) > 1 and len(set(parts)) == 1:
        return f"{len(parts)} times {parts[0]}"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def last_student_frame(traceback: str, module: str) -> tuple[str, str]:
    """("line 27, in gradient", "assert isinstance(point, torch.Tensor)"): the traceback's last
    frame in the student's file `module`.py, and its source line; ("", "") if none."""
    lines = traceback.splitlines()
    found = ("", "")
    for i, line in enumerate(lines):
        m = _FRAME.match(line)
        if m and m[1].endswith(f"/{module}.py") or (m and m[1] == f"{module}.py"):
            code = lines[i + 1].strip() if i + 1 < len(lines) and not _FRAME.match(
                lines[i + 1]) else ""
            found = (f"line {m[2]}, in {m[3]}", code)
    return found


def _names_none(r: Raised) -> str:
    """Which of the student's values is None in their line, best guess: `x.grad` where the
    line reads .grad, else the attribute's owner."""
    m = re.search(r"([\w.\[\]]+)\.grad\b", r.code)
    if m:
        return f"{m.group(1)}.grad"
    return ""


def _assert(r: Raised) -> str:
    if not r.code.startswith("assert"):
        return ""
    what = f" ({r.passed})" if r.passed else ""
    return (f"Your own assert (`{r.code}`) rejected what the check passed in{what}, "
            f"which the task allows: accept it and convert it (np.asarray(...), "
            f"torch.as_tensor(...)) instead of asserting its type or shape.")


def _dot_2d(r: Raised) -> str:
    m = re.search(r"1D tensors expected, but got (\d)D and (\d)D", r.error)
    if not m:
        return ""
    return (f"torch.dot takes two 1-d vectors, and `{r.code or 'your line'}` gave it {m[1]}-d "
            f"and {m[2]}-d tensors{' (the check passed in ' + r.passed + ')' if r.passed else ''}"
            f": for matrices use torch.mm or @; for a dot product of all entries, flatten "
            f"first (a.flatten() @ b.flatten()).")


def _none_grad(r: Raised) -> str:
    if "'NoneType' object has no attribute" not in r.error or ".grad" not in r.code:
        return ""
    name = _names_none(r) or "a .grad"
    return (f"{name} is None at `{r.code}`: a tensor has no gradient until the "
            f"first backward() that reaches it, so clearing or reading it before the first "
            f"backward() meets None. Reset after each step (or skip a .grad that is None: "
            f"`if p.grad is not None: p.grad.zero_()`), and call backward() before you read it.")


def _none_tensor(r: Raised) -> str:
    m = re.search(r"(?:Variable data has to be a tensor|expected Tensor as element \d+|"
                  r"must be Tensor, not NoneType).*NoneType|"
                  r"(?:data has to be a tensor, but got NoneType)", r.error)
    if not m:
        return ""
    call = re.search(r"=\s*([A-Za-z_][\w.]*)\(", r.code)
    if call and not call[1].startswith(("torch.", "np.", "numpy.")):
        return (f"{call[1]}() returned None, and `{r.code}` uses that as a tensor: your "
                f"{call[1]}() has no `return` (it changes its tensors and returns nothing). "
                f"Return the new tensor from it, or call it without assigning its result.")
    return (f"A value that should be a tensor is None at `{r.code or r.where}`: usually a "
            f"function of yours that computes the new value but has no `return` (an update() "
            f"or step() that changes its tensors and returns nothing, then used as the new "
            f"tensor). Return the tensor, or use the tensors it changed in place.")


def _none_value(r: Raised) -> str:
    m = re.search(r"'NoneType' object (?:has no attribute '(\w+)'|is not subscriptable|"
                  r"is not iterable|is not callable)|for [^:]+: 'NoneType'|'NoneType' and", r.error)
    if not m:
        return ""
    return (f"A value in `{r.code or r.where}` is None: a function of yours without a "
            f"`return` (or a path through it that returns nothing), or the result of an "
            f"in-place method (list.sort(), list.append()) that returns None. Return the value "
            f"itself.")


def _shapes(r: Raised) -> str:
    m = (re.search(r"mat1 and mat2 shapes cannot be multiplied \((\d+x\d+) and (\d+x\d+)\)",
                   r.error)
         or re.search(r"operands could not be broadcast together with shapes (\S+) (\S+)",
                      r.error)
         or re.search(r"shapes (\(\S*\)) and (\(\S*\)) not aligned", r.error)
         or re.search(r"size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\)",
                      r.error))
    if not m:
        return ""
    given = f" The check passed in {r.passed}." if r.passed else ""
    if "mat1" in r.error:
        cols, rows = m[1].split("x")[1], m[2].split("x")[0]
        return (f"The shapes {m[1]} and {m[2]} do not fit together in `{r.code or r.where}`: "
                f"a product needs the first's {cols} columns to match the second's {rows} "
                f"rows (a Linear layer made for {rows} inputs got rows of {cols}).{given} "
                f"Print .shape of each: one sample per row, one feature per column.")
    return (f"The shapes {m[1]} and {m[2]} do not fit together in `{r.code or r.where}`."
            f"{given} Print .shape of each operand: a row vector where a column is needed "
            f"(reshape(-1, 1)), a transpose missing (.T), or the data's samples on the wrong "
            f"axis.")


def _lists(r: Raised) -> str:
    m = re.search(r"'list' object has no attribute '(\w+)'|"
                  r"unsupported operand type\(s\) for [^:]+: 'list' and|"
                  r"can't multiply sequence by non-int|list indices must be integers",
                  r.error)
    if not m:
        return ""
    what = f" ({r.passed})" if r.passed else ""
    return (f"`{r.code or r.where}` treats a Python list as an array: the check passed in "
            f"lists{what}, as the task allows. Convert first: x = np.asarray(x, dtype=float) "
            f"(or torch.as_tensor(x)).")


def _graph(r: Raised) -> str:
    e = r.error
    if "does not require grad and does not have a grad_fn" in e:
        return ("backward() was called on a value that is not connected to any tensor with "
                "requires_grad=True: make the parameters with requires_grad=True, and do not "
                "cut the graph (.item(), .detach(), .numpy(), float(), torch.tensor(loss)) "
                "between them and the loss.")
    if "leaf Variable that requires grad is being used in an in-place operation" in e:
        return (f"`{r.code or r.where}` changes a parameter in place while autograd is "
                f"recording: do the update inside `with torch.no_grad():`.")
    if "backward through the graph a second time" in e:
        return ("backward() ran twice through the same graph: compute the loss afresh in every "
                "step (inside the loop), from the current parameters.")
    if "Can't call numpy() on Tensor that requires grad" in e:
        return "Use .detach().numpy() (or .tolist()) on a tensor that requires grad."
    if "only one element tensors can be converted to Python scalars" in e:
        return (f"`{r.code or r.where}` turns a tensor of several values into one number "
                f"(float() or .item()): reduce it first (.sum(), .mean()) or use .tolist().")
    m = re.search(r"expected (?:scalar type|m1 and m2 to have the same dtype).*?(Float|Double)"
                  r".*?(Float|Double)", e)
    if m or ("found dtype Double but expected Float" in e):
        return ("float64 (numpy's default) meets float32 (torch's): make the tensors from "
                "numpy with dtype=torch.float32 (torch.as_tensor(x, dtype=torch.float32)).")
    return ""


EXPLAINERS: tuple[Callable[[Raised], str], ...] = (
    _assert, _dot_2d, _none_grad, _none_tensor, _none_value, _shapes, _lists, _graph)


def explain(r: Raised) -> str:
    """One or two sentences on `r` in the exercise's terms, or ""."""
    for how in EXPLAINERS:
        try:
            said = how(r)
        except Exception:  # noqa: BLE001  an explanation that cannot decide says nothing
            said = ""
        if said:
            return said
    return ""


def as_cause(error: str, code: str = "", passed: str = "") -> Any:
    """A checks.Cause whose hint explains `error` (an exception a probe caught and sent back as
    words, with the student's line `code` where it had it), or None: for `fail(message,
    explain.as_cause(...))` in a check whose probe catches the student's exceptions itself."""
    from grader.grading.checks import Cause
    from grader.grading.feedback import EXPLAINED
    said = explain(Raised(error=str(error or ""), code=str(code or ""), passed=passed))
    return Cause(EXPLAINED, said, lambda _: True) if said else None
