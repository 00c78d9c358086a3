"""Whose file is it? One recogniser per layout an instructor brings, each reading only a
member's path. Structures, as the LMSs write them:

  Moodle, "download submissions in folders" on (Moodle >= 3.1, mod/assign's zip downloader):
      `Full Name_<participant>_assignsubmission_file_/<the student's path>`
  Moodle, folders off:  `Full Name_<participant>_assignsubmission_file_<file name>`
      (the full name has its `_` replaced by spaces; <participant> is the number Moodle shows
      as "Participant N" in the grading worksheet)
  Canvas "Download Submissions": `<sortable name>[_late|_LATE]_<user id>_<submission id>_<file>`
      (a resubmitted file gets `-1`, `-2` before its suffix)
  nbgrader: `submitted/<student>/<assignment>/<any path>` (with `timestamp.txt` beside it)
  GitHub Classroom (`gh classroom clone student-repos`): `<assignment>-<username>/<repo files>`
  plain: `<student>/<any path>`
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .members import Member

_MOODLE_DIR = re.compile(r"(?P<name>.*)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_?")
_MOODLE_FLAT = re.compile(r"(?P<name>.*)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_"
                          r"(?P<file>.+)", re.DOTALL)
_CANVAS = re.compile(r"(?P<name>[^_]+?)(?P<late>_late)?_(?P<id>\d+)_(?P<sub>\d+)_(?P<file>.+)",
                     re.IGNORECASE | re.DOTALL)
# Operating systems' and tools' own files: counted, never taken for a submission.
METADATA_PARTS = {"__MACOSX", ".ipynb_checkpoints", "__pycache__", ".git", ".github", ".svn",
                  ".vscode", ".idea"}
METADATA_FILES = {".DS_Store", "Thumbs.db", "desktop.ini", ".gitignore", ".gitattributes"}
NBGRADER_ROOTS = ("submitted", "autograded")


@dataclass(frozen=True)
class Owner:
    student: str                 # the id as the layout gives it (any characters)
    filename: str                # the file's own name, an LMS prefix taken off
    layout: str                  # moodle | canvas | nbgrader | github | folder
    name: str = ""               # the person's name, where the LMS writes it
    lms_id: str = ""             # Canvas user id, Moodle participant number
    late: bool = False           # Canvas's LATE marker
    lms_submission: str = ""     # Canvas's submission id
    assignment: str = ""         # nbgrader's assignment folder, GitHub Classroom's prefix
    group: tuple[str, ...] = ()  # who else the id could be: two names on one id are two people


@dataclass(frozen=True)
class Context:
    """What a recogniser needs to know about the whole input, worked out once."""
    strip: int = 0               # leading folders every member shares (a wrapper folder)
    github_prefix: str = ""      # "<assignment>-" shared by every top folder
    flat_dirs: frozenset = frozenset()   # folders holding an unzipped Canvas / Moodle export


def context_of(members: list[Member], github_prefixes: list[str] = ()) -> Context:
    paths = [m.parts for m in members if m.parts and not is_metadata(m.parts)]
    strip = 0
    # `submissions/alice/ex01.py` + `submissions/bob/...`: one wrapper folder around a class.
    # `alice/src/ex01.py` alone is a class of one with a subfolder, not a wrapper.
    while paths and all(len(p) > strip + 2 for p in paths) and \
            len({p[strip] for p in paths}) == 1 and len({p[strip + 1] for p in paths}) > 1 \
            and paths[0][strip] not in NBGRADER_ROOTS:
        strip += 1
    tops = sorted({p[strip] for p in paths if len(p) > strip + 1})
    return Context(strip, _github_prefix(tops, github_prefixes), _flat_dirs(paths))


def _flat_dirs(paths: list[tuple[str, ...]]) -> frozenset:
    """Folders below the top whose every file is named the Canvas or Moodle (folders off) way,
    for at least two students: an LMS zip unpacked into a folder of its own."""
    by_dir: dict[tuple[str, ...], list[Owner | None]] = {}
    for p in paths:
        if len(p) > 1:
            by_dir.setdefault(p[:-1], []).append(_flat(p[-1]))
    return frozenset(d for d, owners in by_dir.items()
                     if all(owners) and len({o.student for o in owners}) >= 2)


def _github_prefix(tops: list[str], given: list[str]) -> str:
    for prefix in given:
        if tops and all(t.startswith(prefix + "-") for t in tops):
            return prefix + "-"
    if len(tops) < 2 or not all("-" in t for t in tops):
        return ""
    first = tops[0]
    for cut in sorted((i + 1 for i, ch in enumerate(first) if ch == "-"), reverse=True):
        head = first[:cut]
        if all(t.startswith(head) and len(t) > cut for t in tops):
            return head
    return ""


def is_metadata(parts: tuple[str, ...]) -> bool:
    return any(p in METADATA_PARTS for p in parts) or parts[-1] in METADATA_FILES \
        or parts[-1].startswith("._")


def owner_of(parts: tuple[str, ...], ctx: Context) -> Owner | None:
    """The owner of a member, or None when its path says nobody's."""
    for recognise in (_moodle_folder, _nbgrader):
        owner = recognise(parts)
        if owner:
            return owner
    if len(parts) == 1 or parts[0] in NBGRADER_ROOTS or parts[:-1] in ctx.flat_dirs:
        return _flat(parts[-1])
    parts = parts[ctx.strip:]
    if len(parts) < 2:
        return _flat(parts[-1]) if parts else None
    if ctx.github_prefix:
        return Owner(parts[0][len(ctx.github_prefix):], parts[-1], "github",
                     assignment=ctx.github_prefix[:-1], group=(parts[0],))
    return Owner(parts[0], parts[-1], "folder", group=(parts[0],))


def _moodle_folder(parts: tuple[str, ...]) -> Owner | None:
    for part in parts[:-1]:
        m = _MOODLE_DIR.fullmatch(part)
        if m:
            return Owner(m["id"], parts[-1], "moodle", name=m["name"].strip(), lms_id=m["id"],
                         group=(m["name"].strip(),))
    return None


def _nbgrader(parts: tuple[str, ...]) -> Owner | None:
    for i, part in enumerate(parts[:-3]):
        if part in NBGRADER_ROOTS:
            student, assignment = parts[i + 1], parts[i + 2]
            return Owner(student, parts[-1], "nbgrader", assignment=assignment,
                         group=(student,))
    return None


def _flat(filename: str) -> Owner | None:
    m = _MOODLE_FLAT.fullmatch(filename)
    if m:
        return Owner(m["id"], m["file"], "moodle", name=m["name"].strip(), lms_id=m["id"],
                     group=(m["name"].strip(),))
    m = _CANVAS.fullmatch(filename)
    if m:
        return Owner(m["id"], m["file"], "canvas", name=m["name"], lms_id=m["id"],
                     late=bool(m["late"]), lms_submission=m["sub"], group=(m["name"],))
    return None
