"""Whose file is it? One recogniser per layout an instructor brings, each reading only a
member's path, and only the part of it that the LMS wrote. Structures, as the LMSs write them:

  Moodle, "download submissions in folders" on (Moodle >= 3.1, mod/assign's zip downloader):
      `Full Name_<participant>_assignsubmission_file_/<the student's path>`
  Moodle, folders off:  `Full Name_<participant>_assignsubmission_file_<file name>`
      (the full name has its `_` replaced by spaces, so Moodle's part of the name holds
      exactly two `_` before the plugin; <participant> is the number Moodle shows as
      "Participant N" in the grading worksheet; team submissions prefix the name with
      "<group name>-", "Default group-" for students in no group)
  Canvas "Download Submissions" (lib/content_zipper.rb): `<sortable name>[_LATE]_<user id>`
      then `_<attachment id>_<file name>` for an upload, `_text.html` for an online text
      entry, `_link.html` for a URL; with anonymous grading `[LATE_]anon_<anonymous id>...`.
      The name is the sortable name lowercased with every non-word character removed and
      `_<digits>_` collapsed (Canvas itself reads the first `_<digits>_` as the user id).
  nbgrader: `submitted/<student>/<assignment>/<any path>` (with `timestamp.txt` beside it)
  GitHub Classroom (`gh classroom clone student-repos`): `<assignment>-<username>/<repo files>`
  plain: `<student>/<any path>`

What the student chose (an upload's name, a folder inside their own folder, a username) never
decides whose a file is: an LMS name is read only where the LMS writes it (at the top of the
input, or in a folder holding nothing but LMS names when every top folder is such an export),
and the first `_<digits>_` after the LMS's own prefix is the id, whatever follows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from grader.classroom.intake.members import Member

_MOODLE_DIR = re.compile(r"(?P<name>[^_/]*)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_?")
_MOODLE_FLAT = re.compile(r"(?P<name>[^_/]*)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_"
                          r"(?P<file>.+)", re.DOTALL)
_CANVAS_TAIL = r"_(?:(?P<sub>\d+)_(?P<file>.+)|(?P<kind>text|link)\.html)"
_CANVAS = re.compile(r"(?P<name>\w+?)(?P<late>_(?i:late))?_(?P<id>\d+)" + _CANVAS_TAIL,
                     re.DOTALL)
_CANVAS_ANON = re.compile(r"(?P<late>LATE_)?(?P<id>anon_[A-Za-z0-9]+)" + _CANVAS_TAIL,
                          re.DOTALL)
MOODLE_DEFAULT_TEAM = "Default group-"      # mod/assign's `defaultteam` string, English
# What a Canvas entry that is not an upload is, for "submitted, not gradable: ...".
CANVAS_KINDS = {"text": "a Canvas online text entry", "link": "a Canvas website URL entry"}
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
    lms_submission: str = ""     # Canvas's attachment id (content_zipper's `file.id`)
    assignment: str = ""         # nbgrader's assignment folder, GitHub Classroom's prefix
    group: tuple[str, ...] = ()  # who else the id could be: two names on one id are two people
    kind: str = ""               # Canvas: "text" or "link" for an entry that is not an upload


@dataclass(frozen=True)
class Context:
    """What a recogniser needs to know about the whole input, worked out once."""
    strip: int = 0               # leading folders every member shares (a wrapper folder)
    github_prefix: str = ""      # "<assignment>-" shared by every top folder
    lms_dirs: frozenset = frozenset({()})   # folders whose entries' LMS names are read


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
    dirs = {(), paths[0][:strip]} if paths else {()}
    return Context(strip, _github_prefix(tops, github_prefixes),
                   frozenset(dirs | _export_dirs(paths, strip) | _wrapped_export(paths)))


def _wrapped_export(paths: list[tuple[str, ...]]) -> set[tuple[str, ...]]:
    """One export inside folders around it (`downloads/course/canvas/<its entries>`): the
    folder every member shares, when it holds nothing but LMS names for two students or
    more."""
    if not paths:
        return set()
    common = paths[0][:-1]
    for p in paths[1:]:
        n = next((i for i, (a, b) in enumerate(zip(common, p[:-1])) if a != b),
                 min(len(common), len(p) - 1))
        common = common[:n]
    ids = [_entry_id(p, len(common)) for p in paths]
    return {common} if common and all(ids) and len(set(ids)) >= 2 else set()


def _export_dirs(paths: list[tuple[str, ...]], strip: int) -> set[tuple[str, ...]]:
    """LMS exports unpacked side by side (`canvas-ex02/`, `moodle/`): the top folders, when
    every one of them holds nothing but LMS names, for at least two students each. A class of
    plain folders is never read this way, so a student cannot claim another's id by naming
    their own files or folders the LMS's way."""
    by_top: dict[tuple[str, ...], list[str | None]] = {}
    for p in paths:
        if len(p) <= strip + 1:
            return set()                     # a file at the top: not a folder of exports
        by_top.setdefault(p[:strip + 1], []).append(_entry_id(p, strip + 1))
    ok = all(all(ids) and len(set(ids)) >= 2 for ids in by_top.values())
    return set(by_top) if ok and by_top else set()


def _entry_id(parts: tuple[str, ...], i: int) -> str | None:
    owner = _lms_entry(parts, i)
    return owner.student if owner else None


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
    for i in range(len(parts)):        # the shallowest folder whose LMS names are read
        if parts[:i] in ctx.lms_dirs:
            owner = _lms_entry(parts, i)
            if owner:
                return owner
    parts = parts[ctx.strip:]
    if len(parts) < 2:
        return None
    if ctx.github_prefix:
        return Owner(parts[0][len(ctx.github_prefix):], parts[-1], "github",
                     assignment=ctx.github_prefix[:-1], group=(parts[0],))
    return Owner(parts[0], parts[-1], "folder", group=(parts[0],))


def _lms_entry(parts: tuple[str, ...], i: int) -> Owner | None:
    """The owner that the LMS wrote into `parts[i]` (an entry of an export's top level)."""
    part = parts[i]
    if part in NBGRADER_ROOTS:
        if len(parts) < i + 4:
            return None
        student, assignment = parts[i + 1], parts[i + 2]
        return Owner(student, parts[-1], "nbgrader", assignment=assignment, group=(student,))
    if i == len(parts) - 1:
        return _flat(part)
    m = _MOODLE_DIR.fullmatch(part)
    return _moodle(m, parts[-1]) if m else None


def _moodle(m: re.Match, filename: str) -> Owner:
    name = m["name"].strip()
    # Team submissions: "<group>-<full name>"; the default team's prefix is Moodle's own.
    name = name.removeprefix(MOODLE_DEFAULT_TEAM)
    return Owner(m["id"], filename, "moodle", name=name, lms_id=m["id"], group=(name,))


def _flat(filename: str) -> Owner | None:
    m = _MOODLE_FLAT.fullmatch(filename)
    if m:
        return _moodle(m, m["file"])
    m = _CANVAS_ANON.fullmatch(filename)
    if m and not m["late"] and m["id"][5:].isdigit():
        m = None                 # "anon_1001_...": a student whose sortable name is "anon"
    m = m or _CANVAS.fullmatch(filename)
    if m is None:
        return None
    anonymous = m["id"].startswith("anon_")
    name = "" if anonymous else m["name"]
    return Owner(m["id"], m["file"] or f"{m['kind']}.html", "canvas", name=name,
                 lms_id="" if anonymous else m["id"], late=bool(m["late"]),
                 lms_submission=m["sub"] or "", group=(name,), kind=m["kind"] or "")
