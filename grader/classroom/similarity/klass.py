"""A class folder (`grade batch --out`) as documents to compare: each student's current
submission of an exercise, read from the exact copy that was graded (OUT/unpacked/<student>/
<exNN>/, the one whose sha256 the gradebook holds)."""
from __future__ import annotations

from pathlib import Path

from grader.core.files import file_sha256
from grader.classroom.batch import UNPACKED
from grader.classroom.intake.names import safe_part
from grader.classroom.gradebook import NO_SUBMISSION, UNREADABLE, Entry
from grader.core.errors import SubmissionError
from grader.classroom.similarity.fingerprint import fingerprints
from grader.classroom.similarity.index import Document
from grader.classroom.similarity.normalise import read_code, units


def graded_copy(out: Path, entry: Entry) -> Path | None:
    """The file that was graded for `entry`: its copy under OUT/unpacked with the same bytes."""
    folder = Path(out) / UNPACKED / safe_part(entry.student) / entry.exercise
    if not folder.is_dir():
        return None
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.endswith(".part") and file_sha256(path) == entry.sha256:
            return path
    return None


def documents(out: Path, entries: list[Entry]) -> list[Document]:
    """A document per entry that has a file (no-submission rows are left out); one that cannot
    be read or parsed is kept with its problem and no fingerprints. One process: on this 2-core
    machine, shared, two worker processes were no faster (bench/similarity.py)."""
    jobs: list[tuple[str, Path | None, str, bool]] = []
    for e in entries:
        if e.status == NO_SUBMISSION:
            continue
        path = graded_copy(out, e)
        shown = path.relative_to(out).as_posix() if path else e.path
        jobs.append((e.student, path, shown, e.status == UNREADABLE))
    return [_document(job) for job in jobs]


def _document(job: tuple[str, Path | None, str, bool]) -> Document:
    student, path, shown, unreadable = job
    if path is None:
        return Document(student, shown, "", (), f"its graded copy is not in {UNPACKED}/")
    return document(student, path, shown, unreadable=unreadable)


def document(student: str, path: Path, shown: str, unreadable: bool = False) -> Document:
    """One file as a document: its code (a notebook's code cells) and fingerprints."""
    try:
        code = read_code(path)
    except (SubmissionError, OSError) as e:
        return Document(student, shown, "", (), f"cannot be read: {e}")
    try:
        fps = tuple(fingerprints(units(code)))
    except (SyntaxError, ValueError, RecursionError, MemoryError) as e:
        why = "a syntax error" if isinstance(e, SyntaxError) else type(e).__name__
        return Document(student, shown, code, (), f"does not parse ({why})")
    return Document(student, shown, code, fps, "unreadable" if unreadable and not fps else "")

