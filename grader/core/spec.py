"""Exercise specs: `exercises/exNN_slug/exercise.yaml`, read with safe_load and validated.

A spec is the one reviewable place that says what an exercise is worth: every check's points,
visibility and hint live here, so the maximum score is known without running student code.
"""
from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from grader.core.errors import CheckNamesDiffer, GraderBug, SpecError, UnknownExercise

PUBLIC_FILE = "test_public.py"
HIDDEN_FILE = "test_hidden.py"
# Everything that decides a verdict besides the submission: a change to any of them makes a
# batch grade its submissions again and a warm checks session start afresh.
GRADING_FILES = ("exercise.yaml", PUBLIC_FILE, HIDDEN_FILE, "probes.py")


def grading_files_digest(folder: Path, h: "hashlib._Hash | None" = None) -> str:
    """SHA-256 over an exercise folder's GRADING_FILES (name and bytes; a missing file counts
    as empty), fed into `h` when given (which may already hold a prefix)."""
    h = h or hashlib.sha256()
    for name in GRADING_FILES:
        p = Path(folder) / name
        h.update(name.encode() + b"\0" + (p.read_bytes() if p.exists() else b"") + b"\0")
    return h.hexdigest()
DEVICES = ("cpu", "cuda", "any")


class Thresholds(dict):
    """`exercise.thresholds`: a dict whose missing key names the yaml, not a bare KeyError
    (which, raised inside a check, would look like something the submission did)."""

    def __missing__(self, key: str) -> float:
        known = ", ".join(sorted(self)) or "none"
        raise GraderBug(f"threshold '{key}' is not in exercise.yaml's thresholds "
                        f"(it has: {known})")


@dataclass(frozen=True)
class CheckSpec:
    name: str
    points: float
    hidden: bool
    description: str = ""
    hint: str = ""


@dataclass(frozen=True)
class Exercise:
    id: str                      # "ex02"
    slug: str                    # "gd"
    folder: Path
    title: str
    order: int
    notes: str
    time_limit_s: float          # the whole sandboxed run
    call_time_limit_s: float     # one call into the submission
    memory_mb: int
    device: str
    forbidden_imports: tuple[str, ...]
    thresholds: dict[str, float]
    checks: tuple[CheckSpec, ...]
    data: tuple[str, ...] = ()   # data sets the submission reads, e.g. ("mnist",)
    # In a student's release pack the hidden checks are gone; only their count and worth stay.
    released_hidden: tuple[int, float] = (0, 0.0)
    reply_mb: int = 8            # the largest answer one call may send back (a larger one fails)
    # Library names (torch.optim.Adam, or a whole module) that raise in the sandbox: what the
    # exercise asks the student to write, the grader then computes outside.
    disabled_in_sandbox: tuple[str, ...] = ()

    @property
    def hidden_count(self) -> int:
        return sum(1 for c in self.checks if c.hidden) or self.released_hidden[0]

    @property
    def hidden_points(self) -> float:
        return sum(c.points for c in self.checks if c.hidden) or self.released_hidden[1]

    @property
    def stub(self) -> Path:
        return self.folder / f"{self.id}.py"

    @property
    def max_score(self) -> float:
        """The points of the checks present here (in a student's pack: the public ones)."""
        return sum(c.points for c in self.checks)

    @property
    def total_points(self) -> float:
        """What the exercise is worth in all, hidden checks included, here or in a pack."""
        return sum(c.points for c in self.checks if not c.hidden) + self.hidden_points

    def check_files(self, hidden: bool) -> list[Path]:
        files = [self.folder / PUBLIC_FILE]
        if hidden and (self.folder / HIDDEN_FILE).exists():
            files.append(self.folder / HIDDEN_FILE)
        return files

    def check(self, name: str) -> CheckSpec:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def torch_allowed(self) -> bool:
        return "torch" not in self.forbidden_imports


class ListOf(tuple):
    """A key whose value is a list of this type's elements: `ListOf((str,))`."""


class MapOf(tuple):
    """A key whose value is a mapping of names to this type: `MapOf((int, float))`."""


_NUMBER = (int, float)
_REQUIRED = {"title": str, "time_limit_s": _NUMBER, "memory_mb": int, "device": str,
             "checks": dict}
_OPTIONAL = {"order": int, "notes": str, "call_time_limit_s": _NUMBER, "reply_mb": int,
             "disabled_in_sandbox": ListOf((str,)), "forbidden_imports": ListOf((str,)),
             "thresholds": MapOf(_NUMBER), "data": ListOf((str,)), "hidden_checks": dict}
_CHECK_KEYS = {"points": _NUMBER, "hint": str}


def load_exercise(folder: Path) -> Exercise:
    path = folder / "exercise.yaml"
    raw = read_yaml(path)
    _validate_keys(path, raw, _REQUIRED, _OPTIONAL)
    if raw["device"] not in DEVICES:
        raise SpecError(f"{path}: key 'device' must be one of {', '.join(DEVICES)}")
    m = re.fullmatch(r"(ex\d\d)_([a-z0-9_]+)", folder.name)
    if not m:
        raise SpecError(f"{folder}: exercise folders are named exNN_slug")
    checks = _load_checks(path, folder, raw["checks"])
    if (folder / "probes.py").exists():
        parse_check_file(folder / "probes.py")  # the sandbox would meet its SyntaxError as a crash
    return Exercise(
        id=m.group(1), slug=m.group(2), folder=folder, title=raw["title"],
        order=raw.get("order", int(m.group(1)[2:])), notes=raw.get("notes", ""),
        time_limit_s=float(raw["time_limit_s"]),
        call_time_limit_s=float(raw.get("call_time_limit_s", raw["time_limit_s"])),
        memory_mb=raw["memory_mb"], device=raw["device"], reply_mb=raw.get("reply_mb", 8),
        disabled_in_sandbox=tuple(raw.get("disabled_in_sandbox", ())),
        forbidden_imports=tuple(raw.get("forbidden_imports", ())),
        thresholds=Thresholds({k: float(v) for k, v in (raw.get("thresholds") or {}).items()}),
        checks=checks, data=tuple(raw.get("data", ())),
        released_hidden=_released_hidden(path, raw.get("hidden_checks")))


def read_yaml(path: Path) -> dict:
    """The yaml's top-level mapping; SpecError with one line (file, line, what) if it is not."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise SpecError(f"{path}: cannot read: {e.strerror or e}") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        what = " ".join(str(getattr(e, "problem", None) or e).split())
        raise SpecError(f"{path}{where}: not valid YAML: {what}") from None
    if not isinstance(raw, dict):
        raise SpecError(f"{path}: expected a mapping at the top level")
    return raw


def _released_hidden(path: Path, raw: dict | None) -> tuple[int, float]:
    if raw is None:
        return (0, 0.0)
    _validate_keys(path, raw, {"count": int, "points": _NUMBER}, {}, where="hidden_checks.")
    return (raw["count"], float(raw["points"]))


def _validate_keys(path: Path, raw: dict, required: dict, optional: dict, where: str = "") -> None:
    known = {**required, **optional}
    for key in raw:
        if key not in known:
            raise SpecError(f"{path}: unknown key '{where}{key}'" + did_you_mean(str(key), known))
    for key in required:
        if key not in raw:
            raise SpecError(f"{path}: missing key '{where}{key}'")
    for key, typ in known.items():
        if key in raw:
            _check_type(path, f"{where}{key}", raw[key], typ)


def _check_type(path: Path, key: str, value: Any, typ: Any) -> None:
    """`value` is of `typ`: a type or tuple of types, a ListOf or MapOf (each element checked:
    `forbidden_imports: [1]` is as wrong as `forbidden_imports: 1`). bool is no number here."""
    outer = list if isinstance(typ, ListOf) else dict if isinstance(typ, MapOf) else typ
    if not _is(value, outer):
        raise SpecError(f"{path}: key '{key}' should be {_name(typ)}, not "
                        f"{_name(type(value))} ({_short(value)})")
    items = enumerate(value) if isinstance(typ, ListOf) else \
        value.items() if isinstance(typ, MapOf) else ()
    for k, v in items:
        if not _is(v, tuple(typ)):
            at = f"[{k}]" if isinstance(typ, ListOf) else f".{k}"
            raise SpecError(f"{path}: key '{key}{at}' should be {_name(tuple(typ))}, not "
                            f"{_name(type(v))} ({_short(v)})")


def _is(value: Any, typ: Any) -> bool:
    types = typ if isinstance(typ, tuple) else (typ,)
    if isinstance(value, bool) and bool not in types:
        return False  # `points: yes` is YAML's true, not 1
    return isinstance(value, types)


_NAMES = {str: "text", int: "a whole number", float: "a number", dict: "a mapping",
          list: "a list", bool: "true/false", type(None): "empty"}


def _name(typ: Any) -> str:
    if isinstance(typ, ListOf):
        return f"a list of {_name(tuple(typ))}"
    if isinstance(typ, MapOf):
        return f"a mapping of names to {_name(tuple(typ))}"
    if isinstance(typ, tuple):
        return "a number" if set(typ) == {int, float} else \
            " or ".join(_name(t) for t in typ)
    return _NAMES.get(typ, typ.__name__)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def did_you_mean(name: str, known) -> str:
    """" (did you mean 'time_limit_s'?)" for a near miss among `known`, else ""."""
    import difflib
    close = difflib.get_close_matches(name, sorted(map(str, known)), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _load_checks(path: Path, folder: Path, raw: dict[str, Any]) -> tuple[CheckSpec, ...]:
    """Join the points in the yaml with the check functions found in the check files."""
    found: dict[str, tuple[bool, str]] = {}
    for fname, hidden in ((PUBLIC_FILE, False), (HIDDEN_FILE, True)):
        f = folder / fname
        if f.exists():
            for name, doc in _test_functions(f):
                found[name] = (hidden, doc)
    checks = []
    for name, entry in raw.items():
        entry = entry or {}
        if not isinstance(entry, dict):
            raise SpecError(f"{path}: check '{name}' must be a mapping with 'points'")
        _validate_keys(path, entry, {"points": _CHECK_KEYS["points"]}, {"hint": str},
                       where=f"checks.{name}.")
        if name not in found:
            raise CheckNamesDiffer(f"{path}: check '{name}' has no test function in "
                                   f"{PUBLIC_FILE} or {HIDDEN_FILE}" + did_you_mean(name, found))
        hidden, doc = found[name]
        checks.append(CheckSpec(name=name, points=float(entry["points"]), hidden=hidden,
                                description=doc, hint=entry.get("hint", "")))
    missing = sorted(set(found) - set(raw))
    if missing:
        raise CheckNamesDiffer(f"{path}: test function '{missing[0]}' has no entry under "
                               f"'checks'" + did_you_mean(missing[0], raw))
    return tuple(checks)


def _test_functions(path: Path) -> list[tuple[str, str]]:
    """(name, first docstring line) of every top-level test_* function, without importing."""
    tree = parse_check_file(path)
    out = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            doc = (ast.get_docstring(node) or "").strip().splitlines()
            out.append((node.name, doc[0] if doc else node.name[5:].replace("_", " ")))
    return out


def parse_check_file(path: Path) -> ast.Module:
    """An exercise's Python file parsed; its SyntaxError becomes one line naming file and line
    (the commonest authoring slip: not a traceback through the grader)."""
    try:
        return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as e:
        text = f": {e.text.strip()}" if e.text and e.text.strip() else ""
        raise SpecError(f"{path}, line {e.lineno}: {type(e).__name__}: {e.msg}"
                        f"{text[:80]}") from None
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise SpecError(f"{path}: cannot read: {e}") from None


def exercises_root(explicit: Path | None = None) -> Path:
    """Where the exercise bank lives: --exercises, ./exercises, or beside the grader package."""
    here = Path.cwd()
    # Inside an exercise's folder (as the stub and README tell a student to be), the bank is
    # the folder above it.
    inside = [here.parent] if (here / "exercise.yaml").is_file() else []
    candidates = [explicit] if explicit else [
        Path.cwd() / "exercises", *inside, Path(__file__).resolve().parents[2] / "exercises"]
    for c in candidates:
        if c is not None and c.is_dir():
            return c
    raise SpecError("no exercises folder found (looked in ./exercises, above an exercise's "
                    "folder, and beside the grader; pass --exercises DIR)")


def all_exercises(root: Path) -> list[Exercise]:
    """Every exercise of the bank; SpecError at the first that cannot be loaded."""
    good, broken = load_all(root)
    if broken:
        raise broken[0]
    return good


def load_all(root: Path) -> tuple[list[Exercise], list[SpecError]]:
    """Every exercise that loads, in course order, and the error of each that does not (so one
    broken exercise.yaml does not hide the rest of the bank)."""
    good, broken = [], []
    for p in sorted(p for p in root.iterdir() if (p / "exercise.yaml").is_file()):
        try:
            good.append(load_exercise(p))
        except SpecError as e:
            broken.append(e)
    return sorted(good, key=lambda e: (e.order, e.id)), broken


def find_exercise(root: Path, name: str) -> Exercise:
    """`ex02`, `gd`, `ex02_gd` and `2` all name the same exercise."""
    key = name.strip().lower()
    if key.isdigit():
        key = f"ex{int(key):02d}"
    for p in sorted(root.iterdir()):
        m = re.fullmatch(r"(ex\d\d)_([a-z0-9_]+)", p.name)
        if m and key in (m.group(0), m.group(1), m.group(2)) and (p / "exercise.yaml").is_file():
            return load_exercise(p)
    known = ", ".join(sorted(p.name.split("_")[0] for p in root.iterdir()
                             if (p / "exercise.yaml").is_file()))
    raise UnknownExercise(f"unknown exercise '{name}' (known: {known or 'none'}; "
                          f"run `grade list`)")
