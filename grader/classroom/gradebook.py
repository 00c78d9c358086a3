"""The gradebook: one SQLite file (standard library `sqlite3`), the source of truth of a batch.

Tables:
  students     id, name, and what a roster or LMS export says of them: email, SIS user id,
               SIS login id, section, the LMS (canvas | moodle | github) and its own id of the
               student (Canvas user id, Moodle participant number), GitHub username, and
               on_roster (1 on it, 0 a submission from someone not on it, NULL no roster given)
  submissions  one row per graded file: student, exercise, content sha256, grading key (which
               checks, which mode), path (as shown), raw_path (its exact bytes), submitted_at
               (LMS time, else the file's mtime), late (Canvas's LATE), lms_submission_id
               (Canvas's submission id), graded_at, status,
               score, max_score, message, wall time, the whole result document as JSON, and
               `current` (1 on the row that counts for the student's grade in that exercise).
               A rostered student without a file gets a row with status "no_submission", 0;
               one who sent only what cannot be graded, status "unreadable", 0, "submitted,
               not gradable: <why>", and a sha256 of "not-gradable:<hash of the why>". A run
               that does not include a student never adds either over a grade they hold.
               submitted_at is the LMS's own record or the instructor's, never a zip's time.
  results      one row per check of a submission: status, points, max_points, hidden, message
  intake       every file of the last run's input that was not graded, with its reason (source,
               path, raw_path, reason, detail, student, exercise, size, seen_at)
  overrides    the audit trail of manual grades: student, exercise, check ('' the whole
               exercise), points (NULL: back to the grader's), comment, by, at, and the sha256 of
               the file it was given on. Rows are only ever added: the newest per (student,
               exercise, check) counts, and only while the current file has that sha256.
  grader_errors  every submission the grader could not grade through its own fault or the
               machine's (not a grade: the next run retries it): student, exercise, sha256,
               grading key, path, the one-line reason, the grader's traceback, at. A row goes
               when the student's exercise is graded.
  settings     key -> JSON: what the instructor set for the class (deadlines and late policy
               per exercise, extensions, the roster's LMS assignment columns)

Schema 2 added the roster columns, submitted_at, late, raw_path and intake; a schema-1
gradebook is migrated in place when opened (ALTER TABLE ... ADD COLUMN, nothing rewritten).

The overrides, settings and grader_errors tables are new tables only (IF NOT EXISTS), so they need no schema
version of their own: an older grader simply does not read them.

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

from grader.core.result import Result
from grader.core.settings import current
from grader.core.status import CheckStatus, EntryStatus
from grader.core.errors import GradebookError

FILENAME = "gradebook.sqlite"
SCHEMA_VERSION = 2
# Entry statuses besides a Result's own (grader.core.status.EntryStatus documents them all).
UNREADABLE = EntryStatus.UNREADABLE
NO_SUBMISSION = EntryStatus.NO_SUBMISSION
# The sha256 column of a student who sent something that cannot be graded (an online text
# entry, a PDF): status unreadable, 0, "submitted, not gradable: <why>". Not a file's hash.
NOT_GRADABLE = "not-gradable:"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS students (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    sis_user_id  TEXT NOT NULL DEFAULT '',
    sis_login_id TEXT NOT NULL DEFAULT '',
    section      TEXT NOT NULL DEFAULT '',
    lms          TEXT NOT NULL DEFAULT '',
    lms_id       TEXT NOT NULL DEFAULT '',
    github       TEXT NOT NULL DEFAULT '',
    on_roster    INTEGER
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
    submitted_at TEXT NOT NULL DEFAULT '',
    late        INTEGER NOT NULL DEFAULT 0,
    raw_path    BLOB,
    lms_submission_id TEXT NOT NULL DEFAULT '',
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
CREATE TABLE IF NOT EXISTS overrides (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    student    TEXT NOT NULL,
    exercise   TEXT NOT NULL,
    check_name TEXT NOT NULL DEFAULT '',
    points     REAL,
    comment    TEXT NOT NULL,
    by         TEXT NOT NULL,
    at         TEXT NOT NULL,
    sha256     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS grader_errors (
    student     TEXT NOT NULL,
    exercise    TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    grading_key TEXT NOT NULL,
    path        TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL,
    traceback   TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL,
    PRIMARY KEY (student, exercise, sha256, grading_key)
);
CREATE TABLE IF NOT EXISTS intake (
    source     TEXT NOT NULL,
    path       TEXT NOT NULL,
    raw_path   BLOB NOT NULL,
    reason     TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    student    TEXT NOT NULL DEFAULT '',
    exercise   TEXT NOT NULL DEFAULT '',
    seen_at    TEXT NOT NULL,
    PRIMARY KEY (source, raw_path)
);
"""
# Schema 1 -> 2: new columns only; every old row keeps its values.
_MIGRATE_1_TO_2 = [f"ALTER TABLE students ADD COLUMN {c} TEXT NOT NULL DEFAULT ''"
                   for c in ("email", "sis_user_id", "sis_login_id", "section", "lms", "lms_id",
                             "github")] + [
    "ALTER TABLE students ADD COLUMN on_roster INTEGER",
    "ALTER TABLE submissions ADD COLUMN submitted_at TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE submissions ADD COLUMN late INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE submissions ADD COLUMN raw_path BLOB",
    "ALTER TABLE submissions ADD COLUMN lms_submission_id TEXT NOT NULL DEFAULT ''",
]
STUDENT_FIELDS = ("name", "email", "sis_user_id", "sis_login_id", "section", "lms", "lms_id",
                  "github")


@dataclass(frozen=True)
class Key:
    """What identifies one grading: the same key graded again gives the same grade."""
    student: str
    exercise: str
    sha256: str                  # of the submitted file's bytes
    grading_key: str             # which checks and mode (see grader.classroom.batch.plan.grading_key)


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
    status: str                  # an EntryStatus value
    score: float
    max_score: float
    message: str
    wall_s: float
    result_json: str | None
    submitted_at: str = ""
    late: bool = False
    on_roster: bool | None = None
    lms_submission: str = ""     # Canvas's attachment id of the graded file

    @property
    def missing(self) -> bool:
        """Nothing gradable: no submission, or only what cannot be graded (a text entry)."""
        return self.status == NO_SUBMISSION or self.sha256.startswith(NOT_GRADABLE)

    @property
    def result(self) -> Result | None:
        return Result.from_dict(json.loads(self.result_json)) if self.result_json else None


class Gradebook:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None,  # explicit transactions
                                   timeout=current().gradebook_busy_s)
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
            if 0 < version < 2:
                with self._transaction():
                    for sql in _MIGRATE_1_TO_2:
                        self._db.execute(sql)
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
               result_json: str | None = None, origin: "Origin | None" = None) -> int:
        """Store one graded submission and its checks, in one transaction; return its id.
        `result_json`: `result.to_json(indent=None)` where the caller has it already."""
        wall = result.run.wall_s if result.run else 0.0
        with self._transaction():
            sid = self._insert(key, path, name, result.graded_at, result.status, result.score,
                               result.max_score, result.message, wall,
                               result_json or result.to_json(indent=None), origin)
            self._db.executemany(
                "INSERT INTO results (submission, name, status, points, max_points, hidden, "
                "message, duration_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(sid, c.name, c.status, c.points, c.max_points, int(c.hidden), c.message,
                  c.duration_s) for c in result.checks])
        return sid

    def record_unreadable(self, key: Key, path: str, reason: str, max_score: float,
                          graded_at: str, name: str = "", origin: "Origin | None" = None) -> int:
        """A file that could not be loaded at all: 0 points, the one-line reason, no checks."""
        with self._transaction():
            return self._insert(key, path, name, graded_at, UNREADABLE, 0.0, max_score, reason,
                                0.0, None, origin)

    def record_no_submission(self, key: Key, max_score: float, graded_at: str) -> int:
        """A rostered student who handed nothing in for `key.exercise`: 0, "no submission".
        Its sha256 is "" so the first real file replaces it as the current row."""
        with self._transaction():
            return self._insert(key, "", "", graded_at, NO_SUBMISSION, 0.0, max_score,
                                "no submission", 0.0, None, None)

    def record_grader_error(self, key: Key, path: str, reason: str, traceback: str,
                            at: str) -> None:
        """A grading that failed through the grader's or the machine's fault: not a grade (the
        submission stays due), kept with its traceback for the instructor."""
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO grader_errors (student, exercise, sha256, grading_key, "
                "path, reason, traceback, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (key.student, key.exercise, key.sha256, key.grading_key, path, reason,
                 traceback, at))

    def grader_errors(self) -> list[dict]:
        """The gradings still failed through the grader's fault, each with its traceback."""
        cols = ("student", "exercise", "sha256", "grading_key", "path", "reason", "traceback",
                "at")
        rows = self._db.execute(f"SELECT {', '.join(cols)} FROM grader_errors "
                                "ORDER BY student, exercise").fetchall()
        return [dict(zip(cols, r)) for r in rows]

    def set_students(self, people: list[dict], roster: list[str] | None = None) -> None:
        """Upsert what is known of each student ({"id", and any of STUDENT_FIELDS}; empty
        values never overwrite). `roster`: the ids of the whole class; every student not in
        it becomes on_roster = 0 (None: no roster given, on_roster left as it is)."""
        with self._transaction():
            for p in people:
                fields = {k: v for k, v in p.items() if k in STUDENT_FIELDS and v}
                self._db.execute("INSERT INTO students (id) VALUES (?) ON CONFLICT(id) DO NOTHING",
                                 (p["id"],))
                for k, v in fields.items():
                    self._db.execute(f"UPDATE students SET {k} = ? WHERE id = ?", (v, p["id"]))
            if roster is not None:
                self._db.execute("UPDATE students SET on_roster = 0")
                self._db.executemany("UPDATE students SET on_roster = 1 WHERE id = ?",
                                     [(i,) for i in roster])

    def replace_intake(self, source: str, rows: list[dict], seen_at: str) -> None:
        """What the last run found in `source` and did not grade, replacing the previous list."""
        with self._transaction():
            self._db.execute("DELETE FROM intake WHERE source = ?", (source,))
            self._db.executemany(
                "INSERT OR REPLACE INTO intake (source, path, raw_path, reason, detail, student, "
                "exercise, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(source, r["path"], r["raw_path"], r["reason"], r.get("detail", ""),
                  r.get("student", ""), r.get("exercise", ""), seen_at) for r in rows])

    def _insert(self, key: Key, path: str, name: str, graded_at: str, status: str,
                score: float, max_score: float, message: str, wall_s: float,
                result_json: str | None, origin: "Origin | None" = None) -> int:
        self._db.execute("INSERT INTO students (id, name) VALUES (?, ?) ON CONFLICT(id) DO "
                         "UPDATE SET name = excluded.name WHERE excluded.name != ''",
                         (key.student, name))
        # --regrade: the old row of the same grading goes (its results cascade with it).
        # A grade for the student's exercise supersedes every failed grading of it (an older
        # file, or the same one before the instructor fixed the exercise).
        self._db.execute("DELETE FROM grader_errors WHERE student=? AND exercise=?",
                         (key.student, key.exercise))
        self._db.execute("DELETE FROM submissions WHERE student=? AND exercise=? AND sha256=? "
                         "AND grading_key=?",
                         (key.student, key.exercise, key.sha256, key.grading_key))
        cur = self._db.execute(
            "INSERT INTO submissions (student, exercise, sha256, grading_key, path, graded_at, "
            "status, score, max_score, message, wall_s, result_json, submitted_at, late, "
            "raw_path, lms_submission_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key.student, key.exercise, key.sha256, key.grading_key, path, graded_at, status,
             score, max_score, message, wall_s, result_json,
             origin.submitted_at if origin else "", int(origin.late) if origin else 0,
             origin.raw_path if origin else None, origin.lms_submission if origin else ""))
        self._set_current(key, cur.lastrowid)
        return cur.lastrowid

    def _set_current(self, key: Key, sid: int) -> None:
        self._db.execute("UPDATE submissions SET current = (id = ?) WHERE student=? AND "
                         "exercise=?", (sid, key.student, key.exercise))

    def _transaction(self):
        return _Transaction(self._db)

    def add_override(self, student: str, exercise: str, check: str, points: float | None,
                     comment: str, by: str, at: str, sha256: str) -> int:
        """Append one manual grade to the audit trail (never updated, never deleted)."""
        with self._transaction():
            return self._db.execute(
                "INSERT INTO overrides (student, exercise, check_name, points, comment, by, at, "
                "sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (student, exercise, check, points, comment, by, at, sha256)).lastrowid

    def set_setting(self, key: str, value: object) -> None:
        with self._transaction():
            self._db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                             (key, json.dumps(value, sort_keys=True)))

    # ---- reading ------------------------------------------------------------------------------
    def overrides(self) -> list[dict]:
        """The whole audit trail, oldest first."""
        cols = ("id", "student", "exercise", "check_name", "points", "comment", "by", "at",
                "sha256")
        rows = self._db.execute(f"SELECT {', '.join(cols)} FROM overrides ORDER BY id").fetchall()
        return [dict(zip(cols, r)) for r in rows]

    def setting(self, key: str, default: object = None) -> object:
        row = self._db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def check_rows(self) -> list[dict]:
        """Every check of every current submission (the per-check export)."""
        cols = ("student", "exercise", "name", "status", "points", "max_points", "hidden",
                "message")
        rows = self._db.execute(
            "SELECT s.student, s.exercise, r.name, r.status, r.points, r.max_points, r.hidden, "
            "r.message FROM results r JOIN submissions s ON s.id = r.submission "
            "WHERE s.current = 1 ORDER BY s.student, s.exercise, r.rowid").fetchall()
        return [dict(zip(cols, r)) for r in rows]

    def current(self, exercise: str | None = None) -> list[Entry]:
        """Every student's current submission per exercise, ordered by student then exercise."""
        where, args = ("AND s.exercise = ?", (exercise,)) if exercise else ("", ())
        return self._entries(f"s.current = 1 {where}", args)

    def entry(self, sid: int) -> Entry:
        return self._entries("s.id = ?", (sid,))[0]

    def _entries(self, where: str, args: tuple) -> list[Entry]:
        rows = self._db.execute(
            "SELECT s.id, s.student, st.name, s.exercise, s.sha256, s.path, s.graded_at, "
            "s.status, s.score, s.max_score, s.message, s.wall_s, s.result_json, "
            "s.submitted_at, s.late, st.on_roster, s.lms_submission_id "
            "FROM submissions s JOIN students st ON st.id = s.student "
            f"WHERE {where} ORDER BY s.student, s.exercise", args).fetchall()
        return [Entry(*r[:14], bool(r[14]), None if r[15] is None else bool(r[15]), r[16])
                for r in rows]

    def has_grade(self, student: str, exercise: str) -> bool:
        """Does the student hold a current grade for the exercise other than "no
        submission"? (A run that did not include them must not take it away.)"""
        return self._db.execute(
            "SELECT 1 FROM submissions WHERE student=? AND exercise=? AND current=1 AND "
            "status != ?", (student, exercise, NO_SUBMISSION)).fetchone() is not None

    def update_times(self, rows: list[tuple[str, str, str, str, bool]]) -> None:
        """(student, exercise, sha256, submitted_at, late): what this run's input says of a
        file already graded. An empty time never erases a time given before (a rerun without
        --submission-times keeps them); LATE is the LMS's word each time."""
        with self._transaction():
            self._db.executemany(
                "UPDATE submissions SET submitted_at = CASE WHEN ? = '' THEN submitted_at "
                "ELSE ? END, late = ? WHERE student=? AND exercise=? AND sha256=?",
                [(at, at, int(late), st, ex, sha) for st, ex, sha, at, late in rows])

    def grader_error_checks(self) -> dict[str, list[str]]:
        """exercise -> the checks the grader could not run (their own fault: a probe that
        does not exist) on some current submission. Such a check is left out of max_score,
        so a grade that goes out while one exists is out of the wrong maximum."""
        rows = self._db.execute(
            "SELECT DISTINCT s.exercise, r.name FROM results r JOIN submissions s ON "
            "s.id = r.submission WHERE s.current = 1 AND r.status = ? "
            "ORDER BY s.exercise, r.name", (CheckStatus.GRADER_ERROR,)).fetchall()
        out: dict[str, list[str]] = {}
        for ex, name in rows:
            out.setdefault(ex, []).append(name)
        return out

    def intake(self) -> list[dict]:
        """Every file the last run of each input did not grade, with its reason."""
        rows = self._db.execute("SELECT source, path, reason, detail, student, exercise "
                                "FROM intake ORDER BY source, reason, path").fetchall()
        return [dict(zip(("source", "path", "reason", "detail", "student", "exercise"), r))
                for r in rows]

    def students(self) -> dict[str, dict]:
        cols = ("id",) + STUDENT_FIELDS + ("on_roster",)
        rows = self._db.execute(f"SELECT {', '.join(cols)} FROM students").fetchall()
        return {r[0]: dict(zip(cols, r)) for r in rows}

    def passing(self, exercise: str) -> dict[str, int]:
        """check -> how many students' current submissions pass it (a check nobody passes is
        0 as soon as any submission ran it)."""
        rows = self._db.execute(
            "SELECT r.name, SUM(r.status = ?) FROM results r "
            "JOIN submissions s ON s.id = r.submission "
            "WHERE s.current = 1 AND s.exercise = ? GROUP BY r.name",
            (CheckStatus.PASSED, exercise)).fetchall()
        return {name: int(n or 0) for name, n in rows}

    def counts(self) -> dict[str, int]:
        one = lambda sql: self._db.execute(sql).fetchone()[0]
        return {"students": one("SELECT COUNT(*) FROM students"),
                "submissions": one("SELECT COUNT(*) FROM submissions"),
                "results": one("SELECT COUNT(*) FROM results")}


@dataclass(frozen=True)
class Origin:
    """Where a graded file came from, as the input had it."""
    raw_path: bytes = b""        # the path's exact bytes (any bytes are a valid name)
    submitted_at: str = ""
    late: bool = False
    lms_submission: str = ""     # Canvas's submission id


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception: all or nothing."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, *rest) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
