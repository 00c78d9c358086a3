"""The class list an LMS exports, and who of it sent what.

Read (CSV; comma, semicolon or tab; UTF-8 with or without a BOM):
  Canvas gradebook export: `Student, ID, SIS User ID, SIS Login ID, Section, ...`, whose second
      row is "Points Possible" (and sometimes a "Student, Test" row): those are not people.
  Moodle grading worksheet (Assignment > Download grading worksheet): `Identifier ("Participant
      1001"), Full name, Email address, ...`: the number is the one in the submissions zip.
  Moodle grades or participants export: `First name, Last name|Surname, ID number, Email
      address, ...`: matched by the full name in the zip's folder names, or by id or email.
  GitHub Classroom roster: `identifier, github_username, github_id, name`.

A submission is matched to a person by its id (Canvas user id, Moodle participant number, SIS
id, login, email, its local part, GitHub username), else by the LMS's name when that name is
unique on the roster; matched students take the roster's id, so grades.csv matches the LMS.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path


class RosterError(Exception):
    """The roster file cannot be read: the instructor's, one line."""


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
    rows = list(csv.reader(io.StringIO(text), _dialect(text)))
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
                      "grades or participants export, or a GitHub Classroom roster")


def lms_columns(path: Path) -> list[str]:
    """The roster's assignment columns in Canvas's own form, "Lab 2 (123456)": a Canvas
    gradebook import matches a column to an existing assignment by that name and id."""
    try:
        text = Path(path).read_bytes()[:20_000_000].decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    head = next(csv.reader(io.StringIO(text), _dialect(text)), [])
    return [h.strip() for h in head if re.search(r"\(\d+\)\s*$", h)]


def _dialect(text: str):
    first = text.split("\n", 1)[0]
    return "excel-tab" if first.count("\t") > first.count(",") else \
        _Semicolon if first.count(";") > first.count(",") else "excel"


class _Semicolon(csv.excel):
    delimiter = ";"


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
                  r.get("id number", ""), r.get("username", ""), "", "moodle", m[1])


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
)


def _no_duplicates(path: Path, people: list[Person]) -> None:
    seen: set[str] = set()
    for p in people:
        if p.id in seen:
            raise RosterError(f"{path}: id {p.id!r} is on the roster twice")
        seen.add(p.id)


class Matcher:
    """Submission (id, LMS name) -> roster person, or None for someone not on it."""

    def __init__(self, people: list[Person]):
        self.people = people
        self._by_key: dict[str, Person] = {}
        for p in people:
            for k in p.keys():
                self._by_key.setdefault(k, p)
        names: dict[str, list[Person]] = {}
        for p in people:
            for n in _name_keys(p.name):
                names.setdefault(n, []).append(p)
        self._by_name = {n: ps[0] for n, ps in names.items() if len(ps) == 1}

    def match(self, student: str, name: str = "") -> Person | None:
        p = self._by_key.get(_fold(student))
        if p is None and name:
            p = next((self._by_name[n] for n in _name_keys(name) if n in self._by_name), None)
        return p


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
