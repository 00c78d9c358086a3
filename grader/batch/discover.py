"""Find the submissions of a class: which file is whose, for which exercise.

Accepted:
  - a folder `submissions/<student_id>/<exNN>.py` (or `.ipynb`): the layout nbgrader users know;
  - the zip an LMS gives with "download all submissions":
      Moodle  `Name Surname_12345_assignsubmission_file_/ex02.py`  (one folder per student)
      Canvas  `name_12345_67890_ex02.py` (also `name_LATE_12345_67890_ex02-1.py`)
    and a zip of the plain folder layout.

A file belongs to exercise exNN when its name contains the token `exNN` (`ex02.py`,
`ex02-1.py` after a Canvas resubmission, `Ex02_final.ipynb`). Where a student has several files
for one exercise, the exact name `exNN.py` wins, then `.py` over `.ipynb`, then the first by
name; the others are listed as warnings, never dropped silently.

Zip members are never extracted by their own paths (no "zip slip"): each chosen file is
written to `unpack_to/<student>/<exNN>.<ext>`, at most `max_bytes` + 1 of it (a larger file is
then refused by the loader with its usual one-line reason).
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

SUFFIXES = (".py", ".ipynb")
MAX_BYTES = 2_000_000            # grader.loader's own limit; a zip member is cut just past it
_EX_TOKEN = re.compile(r"(?<![a-z0-9])(ex\d\d)(?!\d)")
_MOODLE = re.compile(r"(?P<name>.+?)_(?P<id>\d+)_assignsubmission_[a-z]+_?$")
_CANVAS = re.compile(r"(?P<name>[^_/]+?)(?:_late)?_(?P<id>\d+)_(?P<sub>\d+)_(?P<file>.+)$",
                     re.IGNORECASE)
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}")
_JUNK = ("__MACOSX", ".ipynb_checkpoints", "__pycache__")


class DiscoveryError(Exception):
    """The submissions cannot be read at all (no such folder, not a zip): the instructor's."""


@dataclass(frozen=True)
class Found:
    student: str                 # the student id (folder name, or the LMS's numeric id)
    exercise: str                # "ex02"
    path: Path                   # the file to grade
    name: str = ""               # the student's name, where an LMS export gives it


@dataclass(frozen=True)
class _Candidate:
    student: str
    exercise: str
    filename: str                # the file's own name, for choosing between several
    name: str
    source: object               # a Path, or a zip member name


def discover(source: Path, exercise_ids: list[str], unpack_to: Path,
             max_bytes: int = MAX_BYTES) -> tuple[list[Found], list[str]]:
    """The submissions under `source` (a folder or an LMS zip) for the given exercises, sorted
    by student then exercise, and warnings about files that were skipped."""
    source = Path(source)
    if source.is_dir():
        candidates, warnings = _from_folder(source, exercise_ids)
        chosen, more = _choose(candidates)
        return [Found(c.student, c.exercise, c.source, c.name) for c in chosen], warnings + more
    if source.is_file() and zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as zf:
            candidates, warnings = _from_zip(zf, exercise_ids)
            chosen, more = _choose(candidates)
            found = [_extract(zf, c, Path(unpack_to), max_bytes) for c in chosen]
        return found, warnings + more
    if source.exists():
        raise DiscoveryError(f"{source} is neither a folder of submissions nor a zip file")
    raise DiscoveryError(f"{source}: no such folder or zip file")


def exercise_of(filename: str, exercise_ids: list[str]) -> str | None:
    """The exercise a file name refers to: `ex02.py`, `Ex02-1.ipynb` -> "ex02"; else None."""
    p = PurePosixPath(filename)
    if p.suffix.lower() not in SUFFIXES:
        return None
    m = _EX_TOKEN.search(p.stem.lower())
    return m.group(1) if m and m.group(1) in exercise_ids else None


def _from_folder(root: Path, ids: list[str]) -> tuple[list[_Candidate], list[str]]:
    candidates, warnings = [], []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not _junk(p.name)):
        if not _SAFE_ID.fullmatch(folder.name):
            warnings.append(f"skipped folder {folder.name!r}: not a usable student id")
            continue
        for f in sorted(folder.rglob("*")):
            if not f.is_file() or any(_junk(part) for part in f.relative_to(folder).parts):
                continue
            ex = exercise_of(f.name, ids)
            if ex:
                candidates.append(_Candidate(folder.name, ex, f.name, "", f))
            elif f.suffix.lower() in SUFFIXES:
                warnings.append(f"skipped {folder.name}/{f.relative_to(folder)}: its name "
                                f"names none of {', '.join(ids)}")
    return candidates, warnings


def _from_zip(zf: zipfile.ZipFile, ids: list[str]) -> tuple[list[_Candidate], list[str]]:
    candidates, warnings = [], []
    for info in sorted(zf.infolist(), key=lambda i: i.filename):
        if info.is_dir():
            continue
        parts = [p for p in PurePosixPath(info.filename.replace("\\", "/")).parts if p != "/"]
        if not parts or any(_junk(p) or p == ".." for p in parts):
            continue
        who = _owner(parts)
        if who is None:
            if parts[-1].lower().endswith(SUFFIXES):
                warnings.append(f"skipped {info.filename}: cannot tell whose file it is")
            continue
        student, name, filename = who
        ex = exercise_of(filename, ids)
        if ex:
            candidates.append(_Candidate(student, ex, filename, name, info.filename))
        elif filename.lower().endswith(SUFFIXES):
            warnings.append(f"skipped {info.filename}: its name names none of {', '.join(ids)}")
    return candidates, warnings


def _owner(parts: list[str]) -> tuple[str, str, str] | None:
    """(student id, name, file name) from a zip member's path, or None."""
    for i, part in enumerate(parts[:-1]):       # Moodle: a folder per student, anywhere
        m = _MOODLE.fullmatch(part)
        if m:
            return m.group("id"), m.group("name").strip(), parts[-1]
    m = _CANVAS.fullmatch(parts[-1])            # Canvas: everything in the file name
    if m:
        return m.group("id"), m.group("name"), m.group("file")
    if len(parts) >= 2 and _SAFE_ID.fullmatch(parts[-2]):   # a zipped <student>/<exNN>.py
        return parts[-2], "", parts[-1]
    return None


def _choose(candidates: list[_Candidate]) -> tuple[list[_Candidate], list[str]]:
    groups: dict[tuple[str, str], list[_Candidate]] = {}
    for c in candidates:
        groups.setdefault((c.student, c.exercise), []).append(c)
    chosen, warnings = [], []
    for (student, ex), group in sorted(groups.items()):
        group.sort(key=lambda c: (PurePosixPath(c.filename).stem.lower() != ex,
                                  not c.filename.lower().endswith(".py"), c.filename))
        chosen.append(group[0])
        for other in group[1:]:
            warnings.append(f"{student} {ex}: graded {group[0].filename}, "
                            f"ignored {other.filename}")
    return chosen, warnings


def _extract(zf: zipfile.ZipFile, c: _Candidate, unpack_to: Path, max_bytes: int) -> Found:
    suffix = PurePosixPath(c.filename).suffix.lower()
    dest = unpack_to / c.student / f"{c.exercise}{suffix}"
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zf.open(str(c.source)) as src:
        data = src.read(max_bytes + 1)   # never more, whatever the zip claims
    dest.write_bytes(data)
    return Found(c.student, c.exercise, dest, c.name)


def _junk(name: str) -> bool:
    return name.startswith(".") or name in _JUNK
