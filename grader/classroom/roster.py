"""The class list an LMS exports, and who of it sent what.

Read (CSV; comma, semicolon or tab; UTF-8 with or without a BOM):
  Canvas gradebook export: `Student, ID, SIS User ID, SIS Login ID, Section, ...`, whose second
      row is "Points Possible" (and sometimes a "Student, Test" row): those are not people.
  Moodle grading worksheet (Assignment > Download grading worksheet): `Identifier ("Participant
      1001"), Full name, Email address, ...`: the number is the one in the submissions zip.
  Moodle grades or participants export: `First name, Last name|Surname, ID number, Email
      address, ...`: matched by the full name in the zip's folder names, or by id or email.
  GitHub Classroom roster: `identifier, github_username, github_id, name`.
  nbgrader's student list (`nbgrader db student import`): `id, first_name, last_name, email`.

A submission is matched by the field its LMS itself identifies students by, never by what a
student chose (an upload's name, a username that could equal someone else's id):
  Canvas      the Canvas user id (the roster's ID column); anonymous entries match nobody
  Moodle      the participant number (a grading worksheet); with a roster that has none (a
              grades or participants export), the full name Moodle wrote, if unique
  GitHub      the roster's github_username column, and nothing else
  nbgrader, plain folders  the folder's id against the roster's ids (id, SIS id, login,
              email or its local part, GitHub username)
Where a submission could be two people's, nobody is chosen: it is graded under its own id,
flagged, with a note. Matched students take the roster's id, so grades.csv matches the LMS.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from grader.classroom import csvfile
from grader.core.errors import RosterError


@dataclass(frozen=True)
class Person:
    id: str                      # the id this grader files them under
    name: str = ""
    email: str = ""
    sis_user_id: str = ""        # Canvas SIS User ID, Moodle ID number
    sis_login_id: str = ""       # Canvas SIS Login ID, Moodle username
    section: str = ""
    lms: str = ""                # canvas | moodle | github
    lms_id: str = ""             # Canvas user id, Moodle participant number
    github: str = ""
    submitted_at: str = ""       # a Moodle worksheet's "Last modified (submission)", ISO

    def keys(self) -> set[str]:
        email_local = self.email.split("@")[0] if "@" in self.email else ""
        return {_fold(k) for k in (self.id, self.lms_id, self.sis_user_id, self.sis_login_id,
                                   self.email, email_local, self.github) if k}


def read_roster(path: Path) -> list[Person]:
    try:
        text = Path(path).read_bytes()[:20_000_000].decode("utf-8-sig")
    except OSError as e:
        raise RosterError(f"cannot read the roster {path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise RosterError(f"{path}: not UTF-8 text (save the roster as CSV UTF-8)") from None
    rows = list(csvfile.rows(text))
    if not rows:
        raise RosterError(f"{path}: empty roster")
    head = [h.strip().casefold() for h in rows[0]]
    for kind, parse in _FORMATS:
        if kind(head):
            people = [p for p in (parse(dict(zip(head, (c.strip() for c in r))))
                      for r in rows[1:] if any(c.strip() for c in r)) if p]
            _no_duplicates(path, people)
            return people
    raise RosterError(f"{path}: not a roster this grader knows (columns {', '.join(rows[0][:6])}"
                      "); expected a Canvas gradebook export, a Moodle grading worksheet, "
                      "grades or participants export, a GitHub Classroom roster or nbgrader's "
                      "student list")


def lms_columns(path: Path) -> list[str]:
    """The roster's assignment columns in Canvas's own form, "Lab 2 (123456)": a Canvas
    gradebook import matches a column to an existing assignment by that name and id."""
    try:
        text = Path(path).read_bytes()[:20_000_000].decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    head = next(csvfile.rows(text), [])
    return [h.strip() for h in head if re.search(r"\(\d+\)\s*$", h)]


def _canvas(r: dict) -> Person | None:
    student = r.get("student", "")
    if not r.get("id") or student.casefold() in ("points possible", "student, test") \
            or "points possible" in student.casefold():
        return None
    return Person(r["id"], student, r.get("email", ""), r.get("sis user id", ""),
                  r.get("sis login id", ""), r.get("section", ""), "canvas", r["id"])


def _moodle_worksheet(r: dict) -> Person | None:
    m = re.search(r"(\d+)", r.get("identifier", ""))
    if not m:
        return None
    return Person(m[1], r.get("full name", ""), r.get("email address", ""),
                  r.get("id number", ""), r.get("username", ""), "", "moodle", m[1],
                  submitted_at=_moodle_time(r.get("last modified (submission)", "")))


def _moodle_time(text: str) -> str:
    """Moodle's English `strftimedatetime` ("Friday, 20 November 2026, 10:22 AM"), as the
    worksheet writes it, to ISO; "-" (never submitted) or another form: ""."""
    import datetime as dt
    for form in ("%A, %d %B %Y, %I:%M %p", "%A, %d %B %Y, %H:%M"):
        try:
            return dt.datetime.strptime(text.strip(), form).isoformat(timespec="seconds")
        except ValueError:
            continue
    return ""


def _nbgrader(r: dict) -> Person | None:
    if not r.get("id"):
        return None
    name = f"{r.get('first_name', '')} {r.get('last_name', '')}".strip()
    return Person(r["id"], name, r.get("email", ""))


def _moodle_export(r: dict) -> Person | None:
    first, last = r.get("first name", ""), r.get("last name", r.get("surname", ""))
    email, number = r.get("email address", r.get("email", "")), r.get("id number", "")
    username = r.get("username", "")
    pid = number or username or email or f"{first} {last}".strip()
    if not pid:
        return None
    return Person(pid, f"{first} {last}".strip(), email, number, username, "", "moodle")


def _github(r: dict) -> Person | None:
    who = r.get("github_username", "") or r.get("identifier", "")
    if not who:
        return None
    return Person(r.get("identifier", "") or who, r.get("name", ""), "", "", "", "", "github",
                  r.get("github_id", ""), r.get("github_username", ""))


_FORMATS = (
    (lambda h: "student" in h and "id" in h and "sis user id" in h, _canvas),
    (lambda h: "identifier" in h and "full name" in h, _moodle_worksheet),
    (lambda h: "first name" in h and ("last name" in h or "surname" in h), _moodle_export),
    (lambda h: "github_username" in h, _github),
    (lambda h: "id" in h and "first_name" in h and "last_name" in h, _nbgrader),
)


def _no_duplicates(path: Path, people: list[Person]) -> None:
    seen: set[str] = set()
    for p in people:
        if p.id in seen:
            raise RosterError(f"{path}: id {p.id!r} is on the roster twice")
        seen.add(p.id)


class Matcher:
    """Submission -> roster person, or None for someone not on it (or who could be two)."""

    def __init__(self, people: list[Person]):
        self.people = people
        self._by_key: dict[str, list[Person]] = {}
        for p in people:
            for k in p.keys():
                self._by_key.setdefault(k, []).append(p)
        self._names: dict[str, list[Person]] = {}
        for p in people:
            for n in _name_keys(p.name):
                self._names.setdefault(n, []).append(p)
        self._numbers = any(p.lms == "moodle" and p.lms_id for p in people)

    def match(self, student: str, name: str = "") -> Person | None:
        """By any id the roster has, else by a name unique on it (a plain folder's id)."""
        people = _distinct(self._by_key.get(_fold(student), []))
        if not people and name:
            people = self._by_name(name)
        return people[0] if len(people) == 1 else None

    def candidates(self, student: str, name: str, layout: str, lms_id: str) -> list[Person]:
        """Everyone the submission could be, by the field its layout identifies people by:
        one person is a match, none a stranger, several an ambiguity to report."""
        if layout == "github":
            return [p for p in self.people if p.github and _fold(p.github) == _fold(student)]
        if layout == "canvas":
            if not lms_id:                        # anonymous grading: nobody can be named
                return []
            return [p for p in self.people if lms_id in (p.id, p.lms_id if p.lms == "canvas"
                                                         else None)]
        if layout == "moodle":
            if self._numbers:
                return [p for p in self.people if p.lms == "moodle" and p.lms_id == lms_id]
            return self._by_name(name)
        people = _distinct(self._by_key.get(_fold(student), []))
        return people or (self._by_name(name) if name else [])

    def _by_name(self, name: str) -> list[Person]:
        return _distinct([p for n in _name_keys(name) for p in self._names.get(n, [])])


def _distinct(people: list[Person]) -> list[Person]:
    return list({p.id: p for p in people}.values())


def _name_keys(name: str) -> set[str]:
    """"Lovelace, Ada", "Ada Lovelace" and Canvas's file-name form "lovelaceada" all meet."""
    if not name:
        return set()
    words = [w for w in re.split(r"[\s,]+", _fold(name)) if w]
    keys = {" ".join(words), " ".join(sorted(words)), "".join(words)}
    if "," in name:
        last, _, first = name.partition(",")
        keys.add(re.sub(r"\W", "", _fold(last + first)))
    return keys


def _fold(text: str) -> str:
    """Case and Unicode form folded: a Mac's zip spells "José" with a combining accent (NFD),
    the LMS's export with one character (NFC)."""
    return unicodedata.normalize("NFC", text).casefold()
