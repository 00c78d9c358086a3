"""What check authors use: expectations whose failure messages name the numbers.

A check is a plain pytest function in an exercise's `test_public.py` or `test_hidden.py`. It gets
the `student` fixture (a live sandboxed submission: `student.call(...)`, `student.probe(...)`),
asks it for data, and judges that data here, in the trusted process, with these helpers:

    def test_reaches_minimum(student):
        '''GD moves x to the minimum of x*x - 4*x + 4'''
        run = student.probe("minimise", x0=-3.0, steps=5000)
        expect_close("x", run["x"], 2.0, tol=1e-2, after=f"after {run['steps']} steps")

A failed expectation raises CheckFailed; its message is exactly what the student reads. The
helpers also hand over what they expected and what they saw as data, a `Mismatch` (check50's
`Mismatch(expected, actual)`): the result document keeps them beside the message, the report
shows them side by side, the per-check export has a column for each. A check's own `fail` can
give one too: `fail(f"... got {n}", mismatch=Mismatch(expected=5, observed=n, what="steps"))`.

A check can also name the causes it knows how to recognise (diagnoses): small functions over the
data it observed, each with the hint for that one mistake. When the check fails, the first cause
that recognises the data replaces the check's fixed hint (a cause that returns a string says it
with the run's numbers), and the result's `next_step` leads with the cause that cost the most
points, then names the others:

    @cause("You never reset the gradients: torch adds each backward() to .grad ...")
    def gradients_pile_up(run):
        return trajectory_matches(run, accumulate=True)

    def test_trajectory(student):
        run = student.probe("descend", ...)
        with diagnosed(run, gradients_pile_up, sign_flipped):
            expect_array_close("x", run["xs"], expected, atol=1e-6)

A cause is only asked when the check fails; one that raises is skipped (a diagnosis never
turns a failure into a grader error). So that a diagnosis that raises is not silently useless,
`grade check-bank` grades the reference under `auditing_causes()`: every cause named in a
`diagnosed(...)` block is then run on the reference's data, pass or fail, and each that raises
is reported (the check ends as a grader error in that grading only).
"""
from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np


@dataclass(frozen=True)
class Cause:
    """A specific mistake, recognised by `test(observed) -> bool`, and its hint."""
    name: str
    hint: str
    test: Callable[[Any], Any]

    def __call__(self, observed: Any) -> bool:
        return self.recognise(observed) is not None

    def recognise(self, observed: Any) -> "Cause | None":
        """This cause where it recognises `observed`, else None. A test that returns a string
        recognises the data and says it with this run's numbers: the string is the hint
        ("The loss grew from 3.1 to inf in 40 steps: ...")."""
        try:
            said = self.test(observed)
        except Exception as e:  # noqa: BLE001  a diagnosis that cannot decide says nothing
            _audited(self, e)
            return None
        if isinstance(said, str):
            return dataclasses.replace(self, hint=" ".join(said.split())) if said.strip() \
                else None
        return self if said else None


# While check-bank grades a reference: the causes that raised, as "name: ErrorType: message".
# A context variable, not a global: it is set around one check's call (grader.grading.plugin), in the
# thread that runs it, and is unset everywhere else.
_RAISED: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("causes_raised",
                                                                           default=None)


@contextlib.contextmanager
def auditing_causes() -> Iterator[list[str]]:
    """Inside: every cause a `diagnosed` block names is run on its data even when the check
    passes; the list yielded collects each that raised ("name raised TypeError: ...")."""
    raised: list[str] = []
    token = _RAISED.set(raised)
    try:
        yield raised
    finally:
        _RAISED.reset(token)


def _audited(c: Cause, e: Exception) -> None:
    raised = _RAISED.get()
    if raised is not None:
        said = str(e).splitlines()[0][:200] if str(e) else ""
        line = f"diagnosis {c.name} raised {type(e).__name__}" + (f": {said}" if said else "")
        if line not in raised:
            raised.append(line)


def _ask_all(observed: Any, causes: tuple[Cause, ...]) -> None:
    """Under auditing_causes(): every cause, whatever the verdict (each records its own raise)."""
    if _RAISED.get() is not None:
        for c in causes:
            c(observed)


def cause(hint: str) -> Callable[[Callable[[Any], Any]], Cause]:
    """Decorator: the function recognises one mistake in the observed data; `hint` says what
    to do about it (the sentence the student reads first when it is the likeliest cause)."""
    def wrap(fn: Callable[[Any], Any]) -> Cause:
        return Cause(fn.__name__, " ".join(hint.split()), fn)
    return wrap


def diagnose(observed: Any, *causes: Cause) -> Cause | None:
    """The first of `causes` that recognises `observed` (with the hint it said), or None."""
    return next((found for c in causes if (found := c.recognise(observed)) is not None), None)


@contextlib.contextmanager
def diagnosed(observed: Any, *causes: Cause) -> Iterator[None]:
    """A failure inside the block carries the first cause that recognises `observed`."""
    try:
        yield
    except CheckFailed as e:
        if e.cause is None:
            e.cause = diagnose(observed, *causes)
        _ask_all(observed, causes)
        raise
    _ask_all(observed, causes)


# How much of an expected or observed value a result keeps: a short text, a small list.
MAX_TEXT, MAX_ITEMS = 200, 20


@dataclass(frozen=True)
class Mismatch:
    """What a check expected and what it saw, as data. `expected`: a value (a number, a
    shape) or, for a condition, a short phrase ("below 0.001", "a number"); `observed`: what
    came back; `what`: the quantity compared ("x", "params[1]"); `tolerance`: how far from
    `expected` was allowed, where that is how it compared."""
    expected: Any
    observed: Any
    what: str = ""
    tolerance: float | None = None

    def as_data(self) -> tuple[Any, Any]:
        """(expected, observed) as the result document keeps them: JSON numbers, short
        strings, small lists (see `datum`)."""
        return datum(self.expected), datum(self.observed)


def datum(value: Any, depth: int = 0) -> Any:
    """`value` as plain JSON data of bounded size: a number (nan and inf as the strings
    "nan", "inf", "-inf": JSON has no such numbers), a string cut to MAX_TEXT characters, a
    list of at most MAX_ITEMS such values (two levels deep); anything larger or stranger is
    said in a few words ("an array of shape (60000, 10)")."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        x = float(value)
        return x if math.isfinite(x) else str(x)
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT - 1] + "…"
    if isinstance(value, (list, tuple, np.ndarray)) and len(value) <= MAX_ITEMS and depth < 2:
        return [datum(v, depth + 1) for v in value]
    return datum(_seen(value))


class CheckFailed(AssertionError):
    """The submission's answer is wrong; the message says what was expected and what was seen.
    `cause`: the mistake a diagnosis recognised, if any (its hint replaces the check's);
    `mismatch`: the expected and observed values, as data, where the check gave them."""

    def __init__(self, message: str = "", cause: Cause | None = None,
                 mismatch: Mismatch | None = None):
        super().__init__(message)
        self.cause = cause
        self.mismatch = mismatch


def fail(message: str, cause: Cause | None = None, mismatch: Mismatch | None = None) -> None:
    raise CheckFailed(message, cause, mismatch)


def fmt(x: Any) -> str:
    """Numbers as a student would write them: 2.0, 1.52, 3.1e-07, nan."""
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if x == 0 or math.isnan(x) or math.isinf(x) or 1e-3 <= abs(x) < 1e5:
            return f"{x:.6g}"
        return f"{x:.3e}"
    return str(x)


def fmt_apart(got: float, expected: float) -> tuple[str, str]:
    """`got` and `expected` with as many digits as it takes to tell them apart (fmt's six, up
    to the 17 that name any float exactly): 0.244728 against 0.244728 would hide the very
    difference a check failed on."""
    a, b = fmt(got), fmt(expected)
    if a != b or got == expected or not (math.isfinite(got) and math.isfinite(expected)):
        return a, b
    for digits in range(7, 18):
        a, b = f"{got:.{digits}g}", f"{expected:.{digits}g}"
        if a != b:
            break
    return a, b


def _off_by(got: float, expected: float) -> str:
    """"off by 3.1e-09" where both are finite numbers: the size of the miss, at a glance."""
    if not (math.isfinite(got) and math.isfinite(expected)):
        return ""
    return f"off by {abs(got - expected):.2g}"


def as_float(value: Any, what: str) -> float:
    """A finite float, or CheckFailed naming what came back instead."""
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(()).item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(f"{what} should be a number, got {_kind(value)}",
             mismatch=Mismatch("a number", _seen(value), what))
    return float(value)


def as_array(value: Any, what: str, shape: Sequence[int] | None = None) -> np.ndarray:
    """A float64 array of the given shape (None: any), or CheckFailed naming what came back."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        fail(f"{what} should be numbers, got {_kind(value)}",
             mismatch=Mismatch("numbers", _seen(value), what))
    if shape is not None and tuple(arr.shape) != tuple(shape):
        fail(f"{what} should have shape {tuple(shape)}, got {tuple(arr.shape)}",
             mismatch=Mismatch(list(shape), list(arr.shape), f"the shape of {what}"))
    return arr


def as_floats(value: Any, what: str, n: int) -> list[float]:
    """Exactly n numbers (a tuple, list or 1-d array), as floats."""
    if isinstance(value, np.ndarray):
        value = value.reshape(-1).tolist()
    if not isinstance(value, (list, tuple)) or len(value) != n:
        fail(f"{what} should be {n} numbers, got {_kind(value)}",
             mismatch=Mismatch(f"{n} numbers", _seen(value), what))
    return [as_float(v, f"{what}[{i}]") for i, v in enumerate(value)]


def expect_close(what: str, got: Any, expected: float, tol: float, after: str = "") -> None:
    """|got - expected| <= tol, else: `x = 1.52 after 5000 steps; expected 2.0 +- 0.01 (off by
    0.48)`, with the digits it takes to see the difference."""
    g = as_float(got, what)
    if not (math.isfinite(g) and abs(g - expected) <= tol):
        when = f" {after}" if after else ""
        shown_g, shown_e = fmt_apart(g, float(expected))
        off = _off_by(g, float(expected))
        fail(f"{what} = {shown_g}{when}; expected {shown_e} +- {fmt(tol)}"
             + (f" ({off})" if off else ""),
             mismatch=Mismatch(float(expected), g, what, float(tol)))


def expect_array_close(what: str, got: Any, expected: Any, atol: float,
                       rtol: float = 0.0) -> None:
    """Elementwise closeness; the message shows the worst element."""
    exp = np.asarray(expected, dtype=np.float64)
    arr = as_array(got, what, exp.shape)
    bad = ~np.isfinite(arr) | (np.abs(arr - exp) > atol + rtol * np.abs(exp))
    if bad.any():
        err = np.where(np.isfinite(arr), np.abs(arr - exp), np.inf)
        i = np.unravel_index(int(np.argmax(err)), exp.shape) if exp.shape else ()
        where = f"[{', '.join(map(str, i))}]" if i else ""
        shown_g, shown_e = fmt_apart(float(arr[i]), float(exp[i]))
        off = _off_by(float(arr[i]), float(exp[i]))
        tol = atol + rtol * abs(float(exp[i]))
        fail(f"{what}{where} = {shown_g}; expected {shown_e} +- "
             f"{fmt(tol)} ({off + ', ' if off else ''}"
             f"{int(bad.sum())} of {exp.size} values off)",
             mismatch=Mismatch(float(exp[i]), float(arr[i]), f"{what}{where}", tol))


def expect_converged(losses: Any, below: float, what: str = "loss",
                     decreasing: bool = True) -> np.ndarray:
    """Every loss finite, the last one under `below`, and (if asked) a falling trend."""
    arr = as_array(losses, f"the {what} history")
    if arr.ndim != 1 or arr.size == 0:
        fail(f"the {what} history should be a non-empty list of numbers, got shape {arr.shape}",
             mismatch=Mismatch("a non-empty list of numbers", f"shape {arr.shape}",
                               f"the {what} history"))
    finite = np.isfinite(arr)
    if not finite.all():
        step = int(np.argmin(finite))
        fail(f"{what} became {fmt(arr[step])} at step {step}: the run diverged "
             f"(learning rate too high, or a step in the wrong direction?)",
             mismatch=Mismatch("finite", float(arr[step]), f"{what} at step {step}"))
    if decreasing and arr.size >= 10:
        k = max(1, arr.size // 10)
        first, last = float(arr[:k].mean()), float(arr[-k:].mean())
        if not last < first:
            fail(f"{what} did not fall: mean of the first {k} steps {fmt(first)}, "
                 f"of the last {k} steps {fmt(last)}",
                 mismatch=Mismatch(f"below {fmt(first)}", last,
                                   f"mean {what} of the last {k} steps"))
    if not arr[-1] < below:
        fail(f"final {what} = {fmt(arr[-1])} after {arr.size} steps; expected below {fmt(below)}",
             mismatch=Mismatch(f"below {fmt(below)}", float(arr[-1]), f"final {what}"))
    return arr


def expect_accuracy(predicted: Any, truth: np.ndarray, at_least: float, what: str = "accuracy"
                    ) -> float:
    """Share of predictions equal to the truth; computed here, never taken from the student."""
    pred = np.asarray(predicted)
    if pred.shape != truth.shape:
        fail(f"expected {truth.shape[0]} predicted labels, got an array of shape {pred.shape}",
             mismatch=Mismatch(list(truth.shape), list(pred.shape),
                               "the shape of the predicted labels"))
    acc = float((pred == truth).mean())
    if acc < at_least:
        fail(f"{what} = {acc:.2%}; expected at least {at_least:.2%}",
             mismatch=Mismatch(f"at least {at_least:g}", acc, what))
    return acc


def expect_gradients(got: dict[str, Any], expected: dict[str, float], tol: float,
                     what: str = "gradient") -> None:
    """One gradient per named node, each within tol of the oracle's."""
    wrong, first = [], None
    for name, exp in expected.items():
        g = got.get(name) if isinstance(got, dict) else None
        try:
            gv = as_float(g, f"{what} of {name}")
        except CheckFailed as e:
            fail(str(e), mismatch=e.mismatch)
        if not (math.isfinite(gv) and abs(gv - exp) <= tol * max(1.0, abs(exp))):
            shown_g, shown_e = fmt_apart(gv, float(exp))
            wrong.append(f"{name}: {shown_g} (expected {shown_e})")
            first = first or Mismatch(float(exp), gv, f"{what} of {name}",
                                      tol * max(1.0, abs(exp)))
    if wrong:
        more = f" and {len(wrong) - 3} more" if len(wrong) > 3 else ""
        fail(f"wrong {what}s: " + "; ".join(wrong[:3]) + more, mismatch=first)


def expect_type(value: Any, types: type | tuple[type, ...], what: str) -> None:
    if not isinstance(value, types):
        names = " or ".join(t.__name__ for t in (types if isinstance(types, tuple) else (types,)))
        fail(f"{what} should be {names}, got {_kind(value)}",
             mismatch=Mismatch(names, _seen(value), what))


def returned_none(call: str) -> Cause:
    """The cause to name when the student's function `call` ("grad_norm(v)") returned None:
    `fail(f"{call} returned None; expected ...", returned_none(call))`."""
    return Cause("returned_none", f"{call} returned None: a function without a `return` "
                 f"(or with a path through it that ends without one, or that prints its "
                 f"value instead) returns None. Return the value itself.", lambda _: True)


def _seen(value: Any) -> str:
    """What came back, in a few words, for a Mismatch: "None", "an array of shape (3,)"."""
    return "None" if value is None else _kind(value)


def _kind(value: Any) -> str:
    if value is None:
        return "None (a function without a `return` gives None)"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} items"
    if isinstance(value, (int, float, str)):
        text = repr(value)
        return f"{type(value).__name__} {text[:40]}"
    return type(value).__name__


def series(values: Iterable[float]) -> dict[str, np.ndarray]:
    """A plot series from a plain history: x = step number. (Arrays: `report.plot` thins
    them to what is drawn and stores lists.)"""
    ys = np.asarray(values if isinstance(values, np.ndarray) else list(values),
                    dtype=float).ravel()
    return {"x": np.arange(ys.size), "y": ys}


def sibling(of: str, name: str) -> Any:
    """A module of helpers shared between check files, loaded by path: `name` is a file in
    the folder of `of` (pass `__file__`), without `.py`, e.g.

        public = sibling(__file__, "test_public")      # in test_hidden.py
        judge = sibling(__file__, "../ex04_mnist_torch/test_public")

    Check files are imported one by one, not as a package, so `import test_public` cannot
    work. The module is loaded once per grading session and exercise: its name sits under the
    calling check module's package (`ex05_mnist_numpy.`, also for a file of ex04 that ex05
    loads), which the runner forgets when it starts a new session. It is a copy of its own:
    module-level caches in it are not shared with pytest's copy of the same file."""
    import importlib.util
    import re
    import sys
    from pathlib import Path
    here = Path(of).resolve().parent
    path = (here / f"{name}.py").resolve()
    caller = sys._getframe(1).f_globals.get("__name__", "") or here.name
    key = f"{caller.split('.')[0]}._shared_{re.sub(r'[^A-Za-z0-9_]', '_', name)}"
    if key in sys.modules and getattr(sys.modules[key], "__file__", None) == str(path):
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, path)
    if spec is None or spec.loader is None or not path.exists():
        from grader.core.errors import GraderBug
        raise GraderBug(f"sibling(): no check file {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    spec.loader.exec_module(module)
    return module
