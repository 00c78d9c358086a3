"""How the grader writes its output files: atomically (a reader, or a run killed half-way,
never sees half a file), under names that are one harmless path component.

Every report, index, CSV, JSON and zip the grader writes goes through `atomic_write_text` or
`atomic_path`; every file name made from what a student chose goes through `file_part`.
(Student ids become folder names with `grader.classroom.intake.names.safe_part` instead, which
adds a hash so that two ids never share a folder.)
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_part(name: str, default: str = "submission", limit: int = 80) -> str:
    """`name` as one harmless file-name component: runs of anything but letters, digits, '.',
    '_' and '-' become '_', no leading or trailing dots, at most `limit` characters."""
    return _UNSAFE.sub("_", name).strip("._")[:limit] or default


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` to write to; it replaces `path` when the block ends
    without an exception (and is removed when it does not)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def atomic_write_text(path: Path, text: str, encoding: str = "utf-8",
                      newline: str | None = None) -> Path:
    """Write `text` to `path` atomically; return `path`."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding=encoding, newline=newline) as f:
            f.write(text)
    return Path(path)


def file_sha256(path: Path, opener=open) -> str:
    """The file's SHA-256, streamed: never the whole file in memory, whatever its size
    (`opener=gzip.open`: of what a .gz file holds)."""
    h = hashlib.sha256()
    with opener(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()
