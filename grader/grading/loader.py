"""Load stage: a submission file (.py or .ipynb) becomes Python source plus notes for the student.

Nothing here runs student code. A file that cannot be graded at all raises SubmissionError with
one line a student understands; everything milder (a dropped `%matplotlib` line, a notebook cell
left out for its SyntaxError, as Jupyter fails that cell alone) becomes a note.
"""
from __future__ import annotations

import ast
import contextlib
import hashlib
import io
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from grader.core.errors import SubmissionError
from grader.core.settings import current
from grader.core.text import cut

_KINDS = {".py": "py", ".ipynb": "ipynb"}
_SKIP_TAG = "skip-grading"
# Cell magics that run their body as ordinary Python (and only time it, or capture its output):
# the body is graded, the magic's line dropped. Other cell magics (%%bash, %%writefile, ...) are
# not Python: their cell is skipped.
_WRAPPING_MAGICS = ("time", "capture")
# A cell that does not compile on its own is left out, as Jupyter runs each cell on its own: the
# note says so in these words ("cell 2 has a SyntaxError on line 1: ...; <_SKIPPED_BROKEN>").
_SKIPPED_BROKEN = "Jupyter cannot run it either: the grader skipped it and ran the other cells"
_RAN_ON = "the cells after it still ran"   # how a cell_raised_note ends
# The notes that say a cell did not run to its end: it has a syntax error (the loader's note) or
# it raised (the child's record, cell_raised_note): "cell 3 raised NameError: ... (line 2); ...".
_CELL_DID_NOT_RUN = re.compile(
    rf"cell (\d+) ((?:raised|has an?) .*?)(?:; (?:{re.escape(_RAN_ON)}|"
    rf"{re.escape(_SKIPPED_BROKEN)}))?$", re.S)

# IPython-only lines. `%`/`!` must be followed by a name so that a continuation line such as
# `    % b)` or `    != 3)` is never taken for a magic.
_IPYTHON_LINES = (
    (re.compile(r"\s*(?:[\w.]+\s*=\s*)?%+[A-Za-z_]"), "IPython magic"),
    (re.compile(r"\s*(?:[\w.]+\s*=\s*)?!(?!=)"), "shell line"),
    (re.compile(r"\s*\?+[\w.]|\s*[\w.]+\?{1,2}\s*$"), "help request"),
)
_GET_IPYTHON = re.compile(r"\s*(?:[\w.]+\s*=\s*)?get_ipython\(\)")


@dataclass(frozen=True)
class Submission:
    path: Path
    kind: str                  # "py" or "ipynb"
    # Python source to import: a notebook's code cells joined in order, less any that does not
    # compile on its own (a note names it; where no cell compiles, all are kept)
    source: str
    notes: tuple[str, ...]     # one-line, student-readable notes on what was dropped or skipped
    sha256: str                # of the file's raw bytes
    # For notebooks: (first source line of the cell's code, cell number) per kept cell, so that
    # line numbers in errors can be reported as "cell 3, line 2". Empty for .py files.
    # The sandbox's child runs a notebook's cells one by one by these, as Jupyter does: a cell
    # that raises is recorded (cell_raised_note) and the next cells still run.
    cell_starts: tuple[tuple[int, int], ...] = ()


def cell_raised_note(cell: int, error_type: str, message: str, line: int | None) -> str:
    """The note on a notebook cell that raised (the child's record of it): "cell 3 raised
    NameError: name 'x' is not defined (line 2); the cells after it still ran", the words
    `failed_cell` reads. One line: a message of several lines gives its first."""
    note = f"cell {cell} raised {error_type}: {message} (line {line}); {_RAN_ON}"
    return note.splitlines()[0].strip()


def failed_cell(note: str) -> tuple[int, str] | None:
    """For a note that says a notebook cell did not run to its end, (the cell's number, what
    happened: "has a SyntaxError on line 1: invalid syntax (`x = = 1`)" or "raised NameError:
    name 'x' is not defined (line 2)"); None for any other note."""
    m = _CELL_DID_NOT_RUN.match(note)
    return (int(m[1]), m[2]) if m else None


def load_submission(path: Path, max_bytes: int | None = None) -> Submission:
    """`max_bytes`: the limit on a .py file, and on a notebook's code (its outputs stripped);
    None: the `submission_max_bytes` setting."""
    path = Path(path)
    limits = current()
    max_bytes = limits.submission_max_bytes if max_bytes is None else max_bytes
    kind = _KINDS.get(path.suffix.lower())
    # A notebook's outputs (plots, printed logs) are never graded: they are stripped before the
    # size limit applies, so only the file as read may be this many times larger than the limit.
    kind, data = _read_bytes(path, max_bytes * limits.notebook_bytes_factor if kind == "ipynb"
                             else max_bytes)
    text = _decode(data, path.name)
    if not text.strip():
        raise SubmissionError(f"{path.name} is empty")
    if kind == "py":
        source, notes = _clean(text, cell=None)
        starts: tuple[tuple[int, int], ...] = ()
    else:
        kept, notes = _kept_cells(_code_cells(text, path.name))
        source, starts = _join_cells(kept)
        if not starts:
            raise SubmissionError(f"{path.name} has no code to grade")
        size = len(source.encode("utf-8"))
        if size > max_bytes:
            raise SubmissionError(f"the code in {path.name} is {_mb(size)} (its outputs left "
                                  f"out); submissions are limited to {_mb(max_bytes)}")
    return Submission(path, kind, source, tuple(notes), hashlib.sha256(data).hexdigest(), starts)


def find_default_submission(exercise_id: str, cwd: Path, home: Path | None = None) -> Path:
    """`grade ex02` with no path: ./ex02.py or ./ex02.ipynb (of both, the newer)."""
    return default_submission(exercise_id, cwd, home)[0]


def default_submission(exercise_id: str, cwd: Path, home: Path | None = None
                       ) -> tuple[Path, str]:
    """`grade ex02` with no path: the file, and a note to show when there was a choice.

    With only one of ./ex02.py and ./ex02.ipynb, that one; with both (a release pack ships
    both), the one saved last: the student who works in the notebook and runs `grade ex02` in
    a terminal gets the notebook graded, not the untouched stub beside it; the note says
    which. `home`: the exercise's own folder, named when neither file is in `cwd`."""
    found = [Path(cwd) / f"{exercise_id}{suffix}" for suffix in _KINDS]
    found = [p for p in found if p.is_file()]
    if len(found) == 1:
        return found[0], ""
    if found:
        py, nb = found
        newer = nb if nb.stat().st_mtime > py.stat().st_mtime else py
        other = py if newer is nb else nb
        return newer, (f"grading {newer.name}, saved after {other.name} (pass the file to "
                       f"grade the other: grade {exercise_id} {other.name})")
    raise SubmissionError(f"no {exercise_id}.py or {exercise_id}.ipynb in {cwd}"
                          + _where_it_is(exercise_id, Path(cwd), home))


def _where_it_is(exercise_id: str, cwd: Path, home: Path | None) -> str:
    """"; ex02 is in exercises/ex02_gd: cd there, or grade ex02 exercises/ex02_gd/ex02.py"."""
    at = [home / f"{exercise_id}{suffix}" for suffix in _KINDS] if home else []
    at = [p for p in at if p.is_file()]
    if not at:
        return f"; pass the file: grade {exercise_id} path/to/file"
    try:
        shown = at[0].resolve().relative_to(cwd.resolve())
    except ValueError:
        shown = at[0]
    return (f"; {exercise_id} is in {shown.parent}: cd there and run grade {exercise_id}, "
            f"or grade {exercise_id} {shown}")


def syntax_error(sub: Submission) -> str | None:
    """None if the source compiles, else a message such as
    "SyntaxError on line 4: invalid syntax\\n    x = = 1" (for notebooks "in cell 3, line 2")."""
    return _compile_problem(sub.source, sub.path.name, sub.cell_starts)


def _compile_problem(source: str, name: str, cell_starts: tuple[tuple[int, int], ...]
                     ) -> str | None:
    """syntax_error() of any source, its line numbers placed by `cell_starts`."""
    if "\0" in source:   # Python 3.11 reports it without a line number
        line = source.count("\n", 0, source.index("\0")) + 1
        return f"SyntaxError {_at(cell_starts, line)}: the code contains a null byte"
    # compile() rather than ast.parse(): it also rejects `return` outside a function, which
    # would otherwise surface later as a confusing import failure.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # SyntaxWarnings are not ours to print
            compile(source, name, "exec", dont_inherit=True)
    except SyntaxError as e:
        return _describe(cell_starts, e)
    except (RecursionError, MemoryError, ValueError):
        return "SyntaxError: the code is too large or too deeply nested for Python to parse"
    return None


def locate(sub: Submission, lineno: int) -> str:
    """A source line number in the student's terms: "line 12" or "cell 3, line 2"."""
    return _locate(sub.cell_starts, lineno)


def _locate(cell_starts: tuple[tuple[int, int], ...], lineno: int) -> str:
    for start, cell in reversed(cell_starts):
        if lineno >= start - 1:   # start - 1 is the cell's marker comment
            return f"cell {cell}, line {max(lineno - start + 1, 1)}"
    return f"line {lineno}"


def _at(cell_starts: tuple[tuple[int, int], ...], lineno: int) -> str:
    where = _locate(cell_starts, lineno)
    return f"in {where}" if where.startswith("cell") else f"on {where}"


def _describe(cell_starts: tuple[tuple[int, int], ...], e: SyntaxError) -> str:
    # Messages like "... after 'if' statement on line 5" embed joined-source line numbers too.
    msg = re.sub(r"on line (\d+)", lambda m: _at(cell_starts, int(m[1])),
                 e.msg or "invalid syntax")
    where = f" {_at(cell_starts, e.lineno)}" if e.lineno else ""
    head = f"{type(e).__name__}{where}: {msg}"
    text = (e.text or "").strip()
    return f"{head}\n    {cut(text, 120)}" if text else head


def _read_bytes(path: Path, max_bytes: int) -> tuple[str, bytes]:
    if not path.exists():
        raise SubmissionError(f"no such file: {path}")
    if path.is_dir():
        raise SubmissionError(f"{path.name} is a directory, not a file")
    kind = _KINDS.get(path.suffix.lower())
    if kind is None:
        raise SubmissionError(f"{path.name}: expected a .py file or a .ipynb notebook")
    try:
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)   # never pull a huge file into memory
            size = max(len(data), path.stat().st_size)
    except OSError as e:
        raise SubmissionError(f"cannot read {path.name}: {e.strerror or e}") from None
    if size > max_bytes:
        raise SubmissionError(f"{path.name} is {_mb(size)}; submissions are limited to "
                              f"{_mb(max_bytes)}")
    return kind, data


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")   # editors on Windows add a BOM; it is harmless
    except UnicodeDecodeError:
        raise SubmissionError(f"{name} is not UTF-8 text; save it with UTF-8 encoding") from None


@contextlib.contextmanager
def _quiet_nbformat() -> Iterator[None]:
    """nbformat logs schema problems and warns about missing cell ids; Colab and VS Code notebooks
    trip both, neither stops us reading the code, and the terminal is the student's."""
    from traitlets.log import get_logger
    log = get_logger()                    # the logger nbformat itself logs to
    log = getattr(log, "logger", log)     # unwrap a LoggerAdapter
    was_disabled, log.disabled = log.disabled, True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        log.disabled = was_disabled


def _code_cells(text: str, name: str) -> list[tuple[int, str, bool]]:
    """(cell number, source, tagged skip-grading) per code cell, in order. Cells are numbered
    as Jupyter shows a notebook run from the top: code cells only (In [1], In [2], ...)."""
    import nbformat  # here: a class of .py files never pays for it (0.2 s)
    try:
        with _quiet_nbformat():
            nb = nbformat.read(io.StringIO(text), as_version=4)
        code = [cell for cell in nb["cells"] if cell.get("cell_type") == "code"]
        return [(n, _text(cell.get("source")), _SKIP_TAG in _tags(cell))
                for n, cell in enumerate(code, start=1)]
    except Exception as e:   # untrusted input: any failure to read it is the file's fault
        raise SubmissionError(f"{name} is not a valid notebook: {_why(e)}") from None


def _text(source: object) -> str:
    # nbformat joins list sources into a string already; a hand-edited file may still hold either
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        source = "".join(source)
    if not isinstance(source, str):
        raise TypeError("cell source is neither text nor a list of lines")   # -> _why()
    return source


def _tags(cell: dict) -> list:
    tags = (cell.get("metadata") or {}).get("tags")
    return tags if isinstance(tags, list) else []   # malformed tags just mean no tags


def _why(e: Exception) -> str:
    import nbformat
    if isinstance(e, nbformat.reader.NotJSONError):
        cause = e.__cause__
        where = f" (line {cause.lineno}, column {cause.colno})" if hasattr(cause, "lineno") else ""
        return f"it is not JSON{where}"
    if isinstance(e, RecursionError):
        return "it is nested too deeply"
    if isinstance(e, nbformat.NBFormatError):   # e.g. "Unsupported nbformat version 5"
        return cut(str(e).splitlines()[0].lower(), 100) if str(e) else "unknown format"
    return "it does not have the structure of a Jupyter notebook"


def _kept_cells(cells: list[tuple[int, str, bool]]
                ) -> tuple[list[tuple[int, str]], list[str]]:
    """(cell number, code as it runs) per code cell that runs, in order, and the notes on what
    was dropped or skipped. IPython-only lines are blanked out; a cell that still does not
    compile on its own is left out with a note, as Jupyter compiles each cell on its own (one
    with a SyntaxError fails alone): unless no cell compiles, when all are kept and the syntax
    error is the submission's (there is nothing else to grade)."""
    notes: list[str] = []
    kept: list[tuple[int, str]] = []
    broken: dict[int, str] = {}   # cell -> its note, where it does not compile on its own
    for n, code, skip in cells:
        first = next((ln.strip() for ln in _lines(code) if ln.strip()), "")
        magic = re.match(r"%%(\w+)", first)
        if skip:
            notes.append(f"cell {n}: skipped (tagged {_SKIP_TAG})")
        elif magic and magic[1] in _WRAPPING_MAGICS:
            lines = _lines(code)
            at = next(i for i, ln in enumerate(lines) if ln.strip())
            lines[at] = ""  # the magic's line: its body runs as Python, in place
            notes.append(f"cell {n}: ran the body of `{cut(first, 60)}` as plain Python")
            first = "body"
            code = "\n".join(lines)
        elif first.startswith("%%"):
            notes.append(f"cell {n}: skipped (cell magic `{cut(first, 60)}`)")
            continue
        if first and not skip:
            cleaned, cell_notes = _clean(code, cell=n)
            notes.extend(cell_notes)
            kept.append((n, cleaned))
            problem = _compile_problem(cleaned, f"cell {n}", ())
            if problem is not None:
                broken[n] = _broken_note(n, problem)
                notes.append(broken[n])
    if len(broken) == len(kept):   # nothing compiles: syntax_error() reports the first
        return kept, [note for note in notes if note not in broken.values()]
    return [(n, code) for n, code in kept if n not in broken], notes


def _broken_note(cell: int, problem: str) -> str:
    """'cell 2 has a SyntaxError on line 1: invalid syntax (`x = = 1`); Jupyter cannot ...'."""
    head, _, text = problem.partition("\n")
    text = f" (`{cut(text.strip(), 60)}`)" if text.strip() else ""
    article = "an" if head[:1] in "AEIOU" else "a"
    return f"cell {cell} has {article} {head}{text}; {_SKIPPED_BROKEN}"


def _join_cells(cells: list[tuple[int, str]]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The code cells joined in order, each after its marker line, and (first line, cell number)
    per cell."""
    parts: list[str] = []
    starts: list[tuple[int, int]] = []
    for n, code in cells:
        parts.append(f"# --- cell {n} ---")
        starts.append((len(parts) + 1, n))
        parts.extend(_lines(code))
    return "\n".join(parts) + "\n", tuple(starts)


def _clean(code: str, cell: int | None) -> tuple[str, list[str]]:
    """Blank out IPython-only lines, keeping line numbers. Such lines never parse as Python, so
    a cell that already parses keeps them (a `%d` line inside a string) except get_ipython()."""
    parses = _parses(code)
    lines, notes = _lines(code), []
    for i, line in enumerate(lines):
        label = "IPython call" if _GET_IPYTHON.match(line) else None
        if label is None and not parses:
            label = next((lab for pattern, lab in _IPYTHON_LINES if pattern.match(line)), None)
        if label:
            where = f"cell {cell}" if cell else f"line {i + 1}"
            notes.append(f"{where}: dropped {label} `{cut(line.strip(), 60)}`")
            indent = line[:len(line) - len(line.lstrip())]
            lines[i] = f"{indent}pass" if indent else ""   # keeps an enclosing block valid
    return ("\n".join(lines) if notes else code), notes


def _parses(code: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _lines(code: str) -> list[str]:
    # Only the newlines Python's tokenizer knows: str.splitlines() also splits on \f, \x1c,
    # \u2028..., which would shift every later line number.
    return re.split(r"\r\n|\r|\n", code)


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f}".removesuffix(".0") + " MB"
