"""Intake: every file of a class's input, a folder or an LMS zip, either becomes a submission to
grade (`Found`, copied safely to `unpack_to/<student>/<exNN>.<ext>`) or is listed as not graded
with its reason (`Skipped`). Nothing is dropped: `files == len(found) + len(skipped)`.

Stages, one module each: members (list and read files without following links), layouts
(whose file: Moodle, Canvas, nbgrader, GitHub Classroom, plain folders), choose (which
exercise, which of several files), names (any byte string as an id, shown escaped).
"""
from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from grader.classroom.intake import names
from grader.core.settings import current
from grader.classroom.intake.choose import PREFER, Candidate, exercise_of, exercise_token, is_code, named_exercise, ranked
from grader.classroom.intake.layouts import (CANVAS_KINDS, NBGRADER_ROOTS, Context, Owner, context_of, is_metadata,
                      owner_of)
from grader.classroom.intake.members import (OUTSIDE, UNSAFE, FolderReader, Member, MemberError,
                                             list_members, unpack_inner_zips)
from grader.core.errors import DiscoveryError

__all__ = ["discover", "exercise_of", "DiscoveryError", "Found", "Skipped", "Intake",
           "PREFER", "Reason"]


class Reason:
    """The kinds of "not graded", each one line in the terminal summary."""
    OTHER_EXERCISE = "for an exercise not graded in this run"
    METADATA = "system or editor files (__MACOSX, .git, .ipynb_checkpoints, ...)"
    NOT_CODE = "not a .py or .ipynb file"
    NO_OWNER = "cannot tell whose file it is"
    NO_EXERCISE = "neither its name nor its folder names an exercise (use --exercise exNN, " \
                  "or --assignment FOLDER=exNN)"
    NOT_CHOSEN = "another file of the same student was graded for this exercise"
    UNSAFE = "refused: a link, not a regular file, or outside the input"
    UNREADABLE = "could not be read from the input"
    COUNTED = (OTHER_EXERCISE, METADATA)        # counted, not listed one by one


@dataclass(frozen=True)
class Found:
    student: str                 # the student's id as text (valid UTF-8; odd bytes escaped)
    exercise: str
    path: Path                   # the copy to grade, under unpack_to
    origin: str                  # where it came from: input/relative path, shown escaped
    raw_origin: bytes            # the same path's exact bytes
    name: str = ""               # the person's name, where the LMS gives it
    layout: str = ""             # moodle | canvas | nbgrader | github | folder
    lms_id: str = ""             # Canvas user id or Moodle participant number
    submitted_at: str = ""       # the LMS's own time (nbgrader's timestamp.txt), else ""
    late: bool = False           # Canvas's LATE marker
    lms_submission: str = ""     # Canvas's attachment id
    size: int = 0                # the original's size (the copy stops just past submission_max_bytes)
    filename: str = ""           # the original's own name, an LMS prefix taken off
    not_gradable: str = ""       # the student sent something, none of it gradable: why
                                 # (then `path` is empty and nothing is graded)


@dataclass(frozen=True)
class Skipped:
    path: str                    # input/relative path, shown escaped
    raw_path: bytes
    reason: str                  # one of Reason's kinds
    detail: str = ""             # the specific why, where there is more to say
    student: str = ""
    exercise: str = ""


@dataclass
class Intake:
    files: int = 0
    found: list[Found] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # things to tell that lose nothing


def discover(source: Path, exercise_ids: list[str], unpack_to: Path, *,
             exercise: str | None = None, prefer: str = "newest",
             assignments: dict[str, str] | None = None,
             max_bytes: int | None = None) -> Intake:
    """Every file under `source` (folder or zip), for the exercises `exercise_ids`: the
    submissions copied to `unpack_to`, the rest with reasons. `exercise`: the one exercise of
    this run (--exercise), which takes a student's code file whatever its name. `max_bytes`:
    a copy stops just past it (None: the `submission_max_bytes` setting, the loader's limit)."""
    source = Path(source)
    max_bytes = current().submission_max_bytes if max_bytes is None else max_bytes
    members, reader = list_members(source)
    base = source
    if source.is_dir() and source.name in NBGRADER_ROOTS:
        # `grade batch course/submitted`: nbgrader's own folder; its name is part of the layout
        base = source.parent
        members = [dataclasses.replace(m, parts=(source.name,) + m.parts) for m in members]
        reader.close()
        reader = FolderReader(base)
    members, reader = unpack_inner_zips(members, reader)
    try:
        state = _Sort(base, exercise_ids, exercise, assignments or {}, prefer)
        ctx = context_of(members, list(state.assignments))
        times = _nbgrader_times(members, reader)
        for m in members:
            state.place(m, ctx)
        intake = state.finish(reader, Path(unpack_to), max_bytes, times)
    finally:
        reader.close()
    # A student's own zip counts as its files (each graded or listed), not as one file.
    intake.files = len(members)
    return intake


class _Sort:
    def __init__(self, source: Path, ids: list[str], exercise: str | None,
                 assignments: dict[str, str], prefer: str):
        self.source, self.ids, self.exercise = source, ids, exercise
        self.assignments, self.prefer = assignments, prefer
        self.skipped: list[Skipped] = []
        self.groups: dict[tuple[str, tuple, str], list[Candidate]] = {}
        self.owners: dict[str, set[tuple[str, ...]]] = {}   # id -> the groups seen with it
        # (id, group, exercise) -> what the student sent that cannot be graded, and why
        self.unusable: dict[tuple[str, tuple, str], list[tuple[Member, Owner, str]]] = {}

    def skip(self, m: Member, reason: str, detail: str = "", student: str = "",
             exercise: str = "") -> None:
        self.skipped.append(Skipped(self._shown(m), self._raw(m), reason, detail,
                                    names.text(student), exercise))

    def _shown(self, m: Member) -> str:
        return names.shown(f"{self.source}/{m.rel}")

    def _raw(self, m: Member) -> bytes:
        return names.raw(f"{self.source}/{m.rel}")

    def place(self, m: Member, ctx: Context) -> None:
        if not m.parts or is_metadata(m.parts) or _is_nbgrader_stamp(m):
            return self.skip(m, Reason.METADATA)
        owner = self._owner(m, ctx)
        if owner is None:
            if m.problem:
                return self.skip(m, Reason.UNSAFE if m.problem in UNSAFE else Reason.UNREADABLE,
                                 m.problem)
            return self.skip(m, Reason.NO_OWNER)
        ex = named_exercise(owner.filename, owner.assignment, self.assignments)
        if ex is None and m.container is not None:    # `ex02.zip` holding `main.py`
            ex = exercise_token(m.container.parts[-1])
        named = ex is not None
        if ex is None and self.exercise:
            ex = self.exercise
        if m.problem:
            kind = Reason.UNSAFE if m.problem in UNSAFE else Reason.UNREADABLE
            if m.problem != OUTSIDE or m.container is not None:   # `..` names nobody
                self._unusable(m, owner, ex, m.problem)
            return self.skip(m, kind, m.problem, owner.student)
        if not is_code(owner.filename):
            why = CANVAS_KINDS.get(owner.kind) or names.shown(owner.filename)
            self._unusable(m, owner, ex, f"{why}, not a .py or .ipynb file")
            return self.skip(m, Reason.NOT_CODE, CANVAS_KINDS.get(owner.kind, ""),
                             owner.student)
        if ex is None:
            return self.skip(m, Reason.NO_EXERCISE, student=owner.student)
        if ex not in self.ids:
            if self.exercise:      # sent to this run's one assignment, but names another
                self._unusable(m, owner, self.exercise,
                               f"{names.shown(owner.filename)} is for {ex}")
            return self.skip(m, Reason.OTHER_EXERCISE, ex, owner.student, ex)
        self.owners.setdefault(owner.student, set()).add(owner.group)
        key = (owner.student, owner.group, ex)
        self.groups.setdefault(key, []).append(
            Candidate(owner.student, ex, owner.filename, _order_time(m), m, owner, named))

    def _owner(self, m: Member, ctx: Context) -> Owner | None:
        if m.container is None:
            return owner_of(m.parts, ctx)
        outer = owner_of(m.container.parts, ctx)      # the zip's owner, its file's own name
        return dataclasses.replace(outer, filename=m.parts[-1]) if outer else None

    def _unusable(self, m: Member, owner: Owner, ex: str | None, why: str) -> None:
        """Remember what a student sent for `ex` that cannot be graded: when nothing of theirs
        can, they are "submitted, not gradable: <why>", never "no submission"."""
        if ex is None or ex not in self.ids:
            return
        self.owners.setdefault(owner.student, set()).add(owner.group)
        self.unusable.setdefault((owner.student, owner.group, ex), []).append((m, owner, why))

    def finish(self, reader, unpack_to: Path, max_bytes: int, times: dict) -> Intake:
        intake = Intake(skipped=self.skipped)
        ids = self._distinct_ids(intake.notes)
        for key in sorted(self.groups):
            sid = ids[key[:2]]
            self._take(ranked(self.groups[key], self.prefer, key[2]), sid, reader, unpack_to,
                       max_bytes, intake, times)
        taken = {(f.student, f.exercise) for f in intake.found}
        for key, items in sorted(self.unusable.items(), key=lambda kv: kv[0]):
            sid = ids[key[:2]]
            if (sid, key[2]) not in taken:
                intake.found.append(self._not_gradable(sid, key[2], items))
                taken.add((sid, key[2]))
        intake.found.sort(key=lambda f: (f.student, f.exercise))
        return intake

    def _not_gradable(self, sid: str, ex: str, items: list) -> Found:
        m, o, _ = items[0]
        whys = list(dict.fromkeys(why for _, _, why in items))
        why = "; ".join(whys[:3]) + (f"; and {len(whys) - 3} more" if len(whys) > 3 else "")
        return Found(sid, ex, Path(), self._shown(m), self._raw(m), names.text(o.name),
                     o.layout, o.lms_id, "", o.late, o.lms_submission, m.size,
                     names.text(o.filename), not_gradable=why)

    def _distinct_ids(self, notes: list[str]) -> dict[tuple[str, tuple], str]:
        """One id per person, never two people under one id: two names under one LMS id (two
        Moodle folders `Ann Lee_1001_...` and `Bob Roe_1001_...`), or two folder names whose
        text forms meet (undecodable bytes are written `\\xNN`, which a name may also spell
        out), become `1001` and `1001~2`, with a note."""
        ids: dict[tuple[str, tuple], str] = {}
        used: set[str] = set()
        for student, groups in sorted(self.owners.items()):
            for group in sorted(groups):
                base = sid = names.text(student)
                n = 1
                while sid in used:
                    n += 1
                    sid = f"{base}~{n}"
                used.add(sid)
                ids[(student, group)] = sid
                if sid != base:
                    notes.append(f"{names.shown(student)} ({names.shown(' '.join(group))}) "
                                 f"is graded as {names.shown(sid)}: its id is another "
                                 "student's too")
        return ids

    def _take(self, ranked_group: list[Candidate], sid: str, reader, unpack_to: Path,
              max_bytes: int, intake: Intake, times: dict) -> None:
        taken: Found | None = None
        for c in ranked_group:
            if taken is not None:
                self.skip(c.member, Reason.NOT_CHOSEN, f"graded {taken.origin} ({self.prefer})",
                          sid, c.exercise)
                continue
            try:
                data = reader.read(c.member, max_bytes)
            except MemberError as e:
                self.skip(c.member, Reason.UNSAFE if str(e) in UNSAFE else Reason.UNREADABLE,
                          str(e), sid, c.exercise)
                self._unusable(c.member, c.owner, c.exercise, str(e))
                continue
            taken = self._stage(c, sid, data, unpack_to, max(c.member.size, len(data)),
                                _lms_time(c.member, c.owner, times))
            intake.found.append(taken)

    def _stage(self, c: Candidate, sid: str, data: bytes, unpack_to: Path, size: int,
               when: str) -> Found:
        dest = unpack_to / names.safe_part(sid) / c.exercise / _staged_name(c.filename)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, dest)        # a killed run never leaves half a file under that name
        o: Owner = c.owner
        return Found(sid, c.exercise, dest, self._shown(c.member), self._raw(c.member),
                     names.text(o.name), o.layout, o.lms_id, when, o.late,
                     o.lms_submission, size, names.text(c.filename))


def _lms_time(m: Member, owner: Owner, times: dict[tuple[str, ...], str]) -> str:
    """When the LMS says it was submitted: nbgrader's timestamp.txt. Nothing else in an input
    is a submission time: Canvas stamps every zip entry with the moment it builds the zip
    (content_zipper.rb adds entries without a time; rubyzip writes "now"), Moodle's zip
    carries its file store's times, a copied file's mtime is the copy's, and a date in a
    file's name is whatever the student typed. Other times come from the instructor
    (`grade batch --submission-times`, or a Moodle grading worksheet as --roster)."""
    if owner.layout == "nbgrader":
        return next((t for k, t in times.items() if m.parts[:len(k)] == k), "")
    return ""


def _order_time(m: Member) -> str:
    """Only to order one student's own files (newest first): the zip entry's or file's
    time. Never a submission time, never a date in the name."""
    return m.mtime


def _staged_name(filename: str) -> str:
    """The student's own file name where it is plain text, so the loader's messages name the
    file they know ("my gd.py is empty"); else a safe one. The folder is this student's and
    exercise's alone, so no two students' files can meet here."""
    suffix = ".ipynb" if filename.lower().endswith(".ipynb") else ".py"
    plain = names.text(filename) == filename and \
        names.shown(filename).replace("\\[", "[") == filename
    if plain and not filename.startswith(".") and len(filename.encode()) <= 120 \
            and filename.lower().endswith(suffix):
        return filename
    return names.safe_part(filename[:-len(suffix)] if filename.lower().endswith(suffix)
                           else filename) + suffix


def _is_nbgrader_stamp(m: Member) -> bool:
    return m.parts[-1] == "timestamp.txt" and any(p in ("submitted", "autograded")
                                                  for p in m.parts[:-1])


_STAMP = re.compile(r"(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)")


def _nbgrader_times(members: Iterable[Member], reader) -> dict[tuple[str, ...], str]:
    """nbgrader's `submitted/<student>/<assignment>/timestamp.txt`: when it was submitted."""
    times = {}
    for m in members:
        if _is_nbgrader_stamp(m) and not m.problem:
            try:
                stamp = _STAMP.search(reader.read(m, 200).decode("ascii", "replace"))
            except MemberError:
                continue
            if stamp:
                times[m.parts[:-1]] = f"{stamp[1]}T{stamp[2]}"
    return times
