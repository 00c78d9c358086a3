"""Submission files -> Python source: `.py` as is, notebooks as their code cells in order.

IPython magics and `!shell` lines cannot run in plain Python, so they are dropped, each with a
note the report shows; cells tagged `skip-grading` are skipped the same way.
"""
from __future__ import annotations

import ast
import hashlib
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

SKIP_TAG = "skip-grading"
CELL_MARK = re.compile(r"^# --- cell (\d+) ---$")


class SubmissionError(Exception):
    """The file cannot be graded at all; the message is one line a student understands."""


@dataclass(frozen=True)
class Submission:
    path: Path
    kind: str                    # "py" or "ipynb"
    source: str
    notes: tuple[str, ...]
    sha256: str


def load_submission(path: Path, max_bytes: int = 2_000_000) -> Submission:
    path = Path(path)
    if not path.is_file():
        raise SubmissionError(f"no such file: {path}")
    kind = path.suffix.lower().lstrip(".")
    if kind not in ("py", "ipynb"):
        raise SubmissionError(f"{path.name}: expected a .py file or a .ipynb notebook")
    raw = path.read_bytes()
    if len(raw) > max_bytes:
        raise SubmissionError(f"{path.name} is {len(raw) / 1e6:.1f} MB; submissions are limited "
                              f"to {max_bytes / 1e6:g} MB")
    if not raw.strip():
        raise SubmissionError(f"{path.name} is empty")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SubmissionError(f"{path.name} is not UTF-8 text") from None
    source, notes = (text, ()) if kind == "py" else _flatten_notebook(path.name, text)
    return Submission(path=path, kind=kind, source=source, notes=notes,
                      sha256=hashlib.sha256(raw).hexdigest())


def _flatten_notebook(name: str, text: str) -> tuple[str, tuple[str, ...]]:
    import nbformat
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.reads(text, as_version=4)
    except Exception as e:  # nbformat raises several unrelated types for a broken file
        reason = str(e).strip().splitlines()[0][:160] if str(e).strip() else type(e).__name__
        raise SubmissionError(f"{name} is not a valid notebook: {reason}") from None
    parts, notes = [], []
    for n, cell in enumerate(nb.get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        if SKIP_TAG in (cell.get("metadata", {}).get("tags") or []):
            notes.append(f"cell {n}: skipped (tagged {SKIP_TAG})")
            continue
        parts.append(f"# --- cell {n} ---\n" + _drop_magics(n, src, notes))
    if not parts:
        raise SubmissionError(f"{name} has no code cells")
    return "\n".join(parts) + "\n", tuple(notes)


def _drop_magics(n: int, src: str, notes: list[str]) -> str:
    if src.lstrip().startswith("%%"):
        notes.append(f"cell {n}: dropped cell magic `{src.strip().splitlines()[0][:60]}`")
        return "pass\n"
    out = []
    for line in src.splitlines():
        s = line.strip()
        if s.startswith(("%", "!")) or (s.endswith("?") and s[:-1].isidentifier()) \
                or "get_ipython()" in s:
            what = "shell line" if s.startswith("!") else "IPython magic"
            notes.append(f"cell {n}: dropped {what} `{s[:60]}`")
            # keep line numbers and indentation: an empty body stays valid Python
            line = line[:len(line) - len(line.lstrip())] + "pass"
        out.append(line)
    return "\n".join(out)


def find_default_submission(exercise_id: str, cwd: Path) -> Path:
    for ext in ("py", "ipynb"):
        p = cwd / f"{exercise_id}.{ext}"
        if p.is_file():
            return p
    raise SubmissionError(f"no {exercise_id}.py or {exercise_id}.ipynb in {cwd}; "
                          f"pass the file: grade {exercise_id} path/to/file")


def syntax_error(sub: Submission) -> str | None:
    """None if the source parses; else one line such as `SyntaxError on line 4: ...`."""
    try:
        ast.parse(sub.source, filename=sub.path.name)
    except SyntaxError as e:
        where = _where(sub, e.lineno or 0)
        code = (e.text or "").strip()
        return f"SyntaxError on {where}: {e.msg}" + (f": {code[:120]}" if code else "")
    except (RecursionError, MemoryError, ValueError) as e:
        return f"the file cannot be parsed: {type(e).__name__} (too deeply nested or too large)"
    return None


def _where(sub: Submission, lineno: int) -> str:
    """`line 4`, or for a notebook `cell 3, line 2`."""
    if sub.kind != "ipynb":
        return f"line {lineno}"
    lines = sub.source.splitlines()
    for i in range(min(lineno, len(lines)) - 1, -1, -1):
        m = CELL_MARK.match(lines[i])
        if m:
            return f"cell {m.group(1)}, line {lineno - i - 1}"
    return f"line {lineno}"
