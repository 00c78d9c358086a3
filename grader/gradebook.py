"""The gradebook: one SQLite file (standard library `sqlite3`), the source of truth of a batch.

Tables:
  students     id, name (the name an LMS export gives, else "")
  submissions  one row per graded file: student, exercise, content sha256, grading key (which
               checks, which mode), path, graded_at, status, score, max_score, message, wall
               time, the whole result document as JSON, and `current` (1 on the row that
               counts for the student's grade in that exercise)
  results      one row per check of a submission: status, points, max_points, hidden, message

Every grade is written in one transaction (`record`), so a batch killed at any moment, even
with SIGKILL, leaves each submission either fully recorded or absent: a rerun grades what is
absent and nothing twice. A (student, exercise, sha256, grading key) is graded at most once;
`--regrade` replaces the row in the same single transaction.

Only the batch's parent process writes here; workers send their results back as data.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .result import Result

FILENAME = "gradebook.sqlite"
SCHEMA_VERSION = 1
UNREADABLE = "unreadable"        # the file could not be loaded at all (a SubmissionError)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS students (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS submissions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    student     TEXT NOT NULL REFERENCES students(id),
    exercise    TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    grading_key TEXT NOT NULL,
    path        TEXT NOT NULL,
    graded_at   TEXT NOT NULL,
    status      TEXT NOT NULL,
    score       REAL NOT NULL,
    max_score   REAL NOT NULL,
    message     TEXT NOT NULL DEFAULT '',
    wall_s      REAL NOT NULL DEFAULT 0,
    result_json TEXT,
    current     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (student, exercise, sha256, grading_key)
);
CREATE INDEX IF NOT EXISTS submissions_current ON submissions (student, exercise, current);
CREATE TABLE IF NOT EXISTS results (
    submission INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    status     TEXT NOT NULL,
    points     REAL NOT NULL,
    max_points REAL NOT NULL,
    hidden     INTEGER NOT NULL,
    message    TEXT NOT NULL DEFAULT '',
    duration_s REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (submission, name)
);
"""


class GradebookError(Exception):
    """The gradebook file cannot be used (not a gradebook, a newer schema, corrupt)."""


@dataclass(frozen=True)
class Key:
    """What identifies one grading: the same key graded again gives the same grade."""
    student: str
    exercise: str
    sha256: str                  # of the submitted file's bytes
    grading_key: str             # which checks and mode (see grader.batch.plan.grading_key)


@dataclass(frozen=True)
class Entry:
    """A current submission as the gradebook holds it: what every output is rendered from."""
    id: int
    student: str
    name: str
    exercise: str
    sha256: str
    path: str
    graded_at: str
    status: str
    score: float
    max_score: float
    message: str
    wall_s: float
    result_json: str | None

    @property
    def result(self) -> Result | None:
        return Result.from_dict(json.loads(self.result_json)) if self.result_json else None


class Gradebook:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None)  # explicit transactions
        try:
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.execute("PRAGMA journal_mode = WAL")
            # WAL + NORMAL survives a killed grader (kill -9) with every commit; only a power cut
            # can lose the last few, and those are simply graded again on the next run.
            self._db.execute("PRAGMA synchronous = NORMAL")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise GradebookError(f"{self.path} was written by a newer grader "
                                     f"(schema {version}; this one knows {SCHEMA_VERSION})")
            self._db.executescript(_SCHEMA)  # IF NOT EXISTS throughout: safe to repeat
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as e:
            self._db.close()
            raise GradebookError(f"{self.path} is not a usable gradebook: {e}") from None

    @classmethod
    def in_folder(cls, out: Path) -> "Gradebook":
        return cls(Path(out) / FILENAME)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Gradebook":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- writing ------------------------------------------------------------------------------
    def has(self, key: Key, make_current: bool = True) -> bool:
        """Is this exact grading recorded? If so (and asked), make it the student's current
        submission for that exercise again (a student who went back to an older file)."""
        row = self._db.execute(
            "SELECT id, current FROM submissions WHERE student=? AND exercise=? AND sha256=? "
            "AND grading_key=?", (key.student, key.exercise, key.sha256, key.grading_key)
        ).fetchone()
        if row and make_current and not row[1]:
            with self._transaction():
                self._set_current(key, row[0])
        return row is not None

    def record(self, key: Key, path: str, result: Result, name: str = "",
               result_json: str | None = None) -> int:
        """Store one graded submission and its checks, in one transaction; return its id.
        `result_json`: `result.to_json(indent=None)` where the caller has it already."""
        wall = result.run.wall_s if result.run else 0.0
        with self._transaction():
            sid = self._insert(key, path, name, result.graded_at, result.status, result.score,
                               result.max_score, result.message, wall,
                               result_json or result.to_json(indent=None))
            self._db.executemany(
                "INSERT INTO results (submission, name, status, points, max_points, hidden, "
                "message, duration_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(sid, c.name, c.status, c.points, c.max_points, int(c.hidden), c.message,
                  c.duration_s) for c in result.checks])
        return sid

    def record_unreadable(self, key: Key, path: str, reason: str, max_score: float,
                          graded_at: str, name: str = "") -> int:
        """A file that could not be loaded at all: 0 points, the one-line reason, no checks."""
        with self._transaction():
            return self._insert(key, path, name, graded_at, UNREADABLE, 0.0, max_score, reason,
                                0.0, None)

    def _insert(self, key: Key, path: str, name: str, graded_at: str, status: str,
                score: float, max_score: float, message: str, wall_s: float,
                result_json: str | None) -> int:
        self._db.execute("INSERT INTO students (id, name) VALUES (?, ?) ON CONFLICT(id) DO "
                         "UPDATE SET name = excluded.name WHERE excluded.name != ''",
                         (key.student, name))
        # --regrade: the old row of the same grading goes (its results cascade with it).
        self._db.execute("DELETE FROM submissions WHERE student=? AND exercise=? AND sha256=? "
                         "AND grading_key=?",
                         (key.student, key.exercise, key.sha256, key.grading_key))
        cur = self._db.execute(
            "INSERT INTO submissions (student, exercise, sha256, grading_key, path, graded_at, "
            "status, score, max_score, message, wall_s, result_json) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key.student, key.exercise, key.sha256, key.grading_key, path, graded_at, status,
             score, max_score, message, wall_s, result_json))
        self._set_current(key, cur.lastrowid)
        return cur.lastrowid

    def _set_current(self, key: Key, sid: int) -> None:
        self._db.execute("UPDATE submissions SET current = (id = ?) WHERE student=? AND "
                         "exercise=?", (sid, key.student, key.exercise))

    def _transaction(self):
        return _Transaction(self._db)

    # ---- reading ------------------------------------------------------------------------------
    def current(self, exercise: str | None = None) -> list[Entry]:
        """Every student's current submission per exercise, ordered by student then exercise."""
        where, args = ("AND s.exercise = ?", (exercise,)) if exercise else ("", ())
        return self._entries(f"s.current = 1 {where}", args)

    def entry(self, sid: int) -> Entry:
        return self._entries("s.id = ?", (sid,))[0]

    def _entries(self, where: str, args: tuple) -> list[Entry]:
        rows = self._db.execute(
            "SELECT s.id, s.student, st.name, s.exercise, s.sha256, s.path, s.graded_at, "
            "s.status, s.score, s.max_score, s.message, s.wall_s, s.result_json "
            "FROM submissions s JOIN students st ON st.id = s.student "
            f"WHERE {where} ORDER BY s.student, s.exercise", args).fetchall()
        return [Entry(*r) for r in rows]

    def passing(self, exercise: str) -> dict[str, int]:
        """check -> how many students' current submissions pass it (a check nobody passes is
        0 as soon as any submission ran it)."""
        rows = self._db.execute(
            "SELECT r.name, SUM(r.status = 'passed') FROM results r "
            "JOIN submissions s ON s.id = r.submission "
            "WHERE s.current = 1 AND s.exercise = ? GROUP BY r.name", (exercise,)).fetchall()
        return {name: int(n or 0) for name, n in rows}

    def counts(self) -> dict[str, int]:
        one = lambda sql: self._db.execute(sql).fetchone()[0]
        return {"students": one("SELECT COUNT(*) FROM students"),
                "submissions": one("SELECT COUNT(*) FROM submissions"),
                "results": one("SELECT COUNT(*) FROM results")}


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception: all or nothing."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, *rest) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
