"""Intake: a class's input in every layout an instructor brings, hostile names and links, and
every file accounted for (graded, or listed as not graded with its reason). No grading here:
`discover` only (fast); tests/test_batch_intake.py runs whole batches.

Structures, as the LMSs write them (see grader/classroom/intake/layouts.py for the sources):
  Moodle mod/assign "download all submissions" (its zip downloader in mod/assign, Moodle >= 3.1):
    folders on  `Full Name_<participant>_assignsubmission_file_/<path>`, plus
                `..._assignsubmission_onlinetext_/onlinetext.html`
    folders off `Full Name_<participant>_assignsubmission_file_<file name>`
  Canvas "Download Submissions": `<sortable name lowercased>[_late|_LATE]_<user id>_<submission
    id>_<original name>`, `-1` before the suffix for a resubmitted file
  nbgrader's exchange: `submitted/<student>/<assignment>/<files>` and `timestamp.txt`
  GitHub Classroom (`gh classroom clone student-repos`): `<assignment>-<username>/` per repo
"""
from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import pytest

from grader.classroom.intake import Intake, Reason, discover
from grader.classroom.intake.names import safe_part, shown

SYNTAX = "def f(:\n"


def _zip(path: Path, members: dict[str, bytes | tuple], when=(2026, 11, 20, 10, 0, 0)) -> Path:
    """members: name -> bytes, or (bytes, date_time) or (bytes, date_time, unix mode)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, spec in members.items():
            data, t, mode = (spec + (None,) * 3)[:3] if isinstance(spec, tuple) \
                else (spec, None, None)
            info = zipfile.ZipInfo(name, date_time=t or when)
            info.create_system = 3
            info.external_attr = (mode or (stat.S_IFREG | 0o644)) << 16
            zf.writestr(info, data)
    return path


def accounted(intake: Intake) -> None:
    """Nothing dropped: each file of the input is graded or listed, exactly once."""
    graded = [f for f in intake.found if not f.not_gradable]
    assert intake.files == len(graded) + len(intake.skipped)
    origins = [f.raw_origin for f in graded] + [k.raw_path for k in intake.skipped]
    assert len(origins) == len(set(origins))


def graded(intake: Intake) -> list:
    return [f for f in intake.found if not f.not_gradable]


def not_gradable(intake: Intake) -> dict[str, str]:
    return {f.student: f.not_gradable for f in intake.found if f.not_gradable}


def by_student(intake: Intake) -> dict[str, str]:
    return {f.student: f.origin.rsplit("/", 1)[1] for f in graded(intake)}


def reasons(intake: Intake) -> dict[str, str]:
    return {k.path.rsplit("/", 1)[1]: k.reason for k in intake.skipped}


# ---- Canvas ----------------------------------------------------------------------------------

CANVAS_CLASS = {   # a class of 13, as the instructor had it
    "lovelaceada_1001_5001_ex02.py": b"a = 1\n",
    "turingalan_late_1002_5002_ex2.py": b"b = 1\n",                 # late, token ex2
    "hopperGrace_1003_5003_my_gd.py": b"c = 1\n",                  # any name
    "knuthdonald_1004_5004_cubic_fit.ipynb": b"{}",
    "liskovbarbara_LATE_1005_5005_ex02-1.py": b"e = 1\n",          # resubmitted, LATE
    "dijkstraedsger_1006_5006_gd.py": (b"old\n", (2026, 11, 18, 9, 0, 0)),
    "dijkstraedsger_1006_5006_gd.ipynb": (b"{}", (2026, 11, 19, 9, 0, 0)),   # newer: graded
    "ritchiedennis_1007_5007_ex01.py": b"other exercise\n",
    "ritchiedennis_1007_5007_README.md": b"notes",
    "thompsonken_1008_5008_solution.py": b"h = 1\n",
    "hamiltonmargaret_1009_5009_Gradient Descent.py": b"i = 1\n",
    "allenfran_1010_5010_ex02.py": b"j = 1\n",
    "perlmanradia_1011_5011_ex02.py": b"k = 1\n",
    "goldbergadele_1012_5012_ex02.py": b"l = 1\n",
    "wingjeannette_1013_5013_ex02.py": b"m = 1\n",
    "__MACOSX/._lovelaceada_1001_5001_ex02.py": b"junk",
}


def test_canvas_one_assignment_any_file_name(tmp_path: Path):
    intake = discover(_zip(tmp_path / "canvas.zip", CANVAS_CLASS), ["ex02"], tmp_path / "u",
                      exercise="ex02")
    accounted(intake)
    got = by_student(intake)
    assert sorted(got) == [str(i) for i in range(1001, 1014) if i != 1007]
    assert got["1002"] == "turingalan_late_1002_5002_ex2.py"
    assert got["1003"] == "hopperGrace_1003_5003_my_gd.py"
    assert got["1004"] == "knuthdonald_1004_5004_cubic_fit.ipynb"
    assert got["1006"] == "dijkstraedsger_1006_5006_gd.ipynb"        # the newer file
    late = {f.student for f in intake.found if f.late}
    assert late == {"1002", "1005"}
    assert all(f.layout == "canvas" and f.lms_id == f.student for f in intake.found)
    # sent README.md and ex01.py to the ex02 assignment: submitted, not gradable
    assert not_gradable(intake) == {
        "1007": "README.md, not a .py or .ipynb file; ex01.py is for ex01"}
    assert {f.student: f.name for f in intake.found}["1001"] == "lovelaceada"
    assert reasons(intake) == {
        "dijkstraedsger_1006_5006_gd.py": Reason.NOT_CHOSEN,
        "ritchiedennis_1007_5007_ex01.py": Reason.OTHER_EXERCISE,
        "ritchiedennis_1007_5007_README.md": Reason.NOT_CODE,
        "._lovelaceada_1001_5001_ex02.py": Reason.METADATA}
    newest = next(f for f in intake.found if f.student == "1006")
    # The zip's times order one student's files; they are never a submission time (Canvas
    # stamps every entry with the moment it builds the zip).
    assert newest.submitted_at == ""
    assert newest.path.read_bytes() == b"{}"


@pytest.mark.parametrize("prefer, graded", [("newest", "gd.ipynb"), ("py", "gd.py"),
                                            ("ipynb", "gd.ipynb")])
def test_prefer_picks_among_one_students_files(tmp_path: Path, prefer: str, graded: str):
    z = _zip(tmp_path / "c.zip", {k: v for k, v in CANVAS_CLASS.items() if "1006" in k})
    intake = discover(z, ["ex02"], tmp_path / "u", exercise="ex02", prefer=prefer)
    accounted(intake)
    assert by_student(intake)["1006"].endswith(graded)
    assert [k.detail for k in intake.skipped][0].startswith("graded ")


def test_without_exercise_a_name_without_token_is_listed_not_guessed(tmp_path: Path):
    intake = discover(_zip(tmp_path / "canvas.zip", CANVAS_CLASS), ["ex01", "ex02"],
                      tmp_path / "u")
    accounted(intake)
    assert reasons(intake)["hopperGrace_1003_5003_my_gd.py"] == Reason.NO_EXERCISE
    assert ("1007", "ex01") in {(f.student, f.exercise) for f in intake.found}


# ---- Moodle ----------------------------------------------------------------------------------

def test_moodle_folders_on_with_spaces_plugins_and_nesting(tmp_path: Path):
    z = _zip(tmp_path / "moodle.zip", {
        "Ada Lovelace_1001_assignsubmission_file_/ex02.py": b"a\n",
        "Ada Lovelace_1001_assignsubmission_onlinetext_/onlinetext.html": b"<p>hi</p>",
        "Alan Turing_1002_assignsubmission_file_/src/my gd.py": b"b\n",   # nested, spaces
        "José Núñez_1003_assignsubmission_file_/cubic_fit.ipynb": b"{}",
    })
    intake = discover(z, ["ex02"], tmp_path / "u", exercise="ex02")
    accounted(intake)
    assert {f.student: (f.name, f.layout) for f in intake.found} == {
        "1001": ("Ada Lovelace", "moodle"), "1002": ("Alan Turing", "moodle"),
        "1003": ("José Núñez", "moodle")}
    assert reasons(intake) == {"onlinetext.html": Reason.NOT_CODE}


def test_moodle_folders_off_flat_names(tmp_path: Path):
    z = _zip(tmp_path / "moodle-flat.zip", {
        "Full Name_1001_assignsubmission_file_ex02.py": b"a\n",
        "Other Person_1002_assignsubmission_file_my_gd.ipynb": b"{}",
        "Other Person_1002_assignsubmission_onlinetext_onlinetext.html": b"<p/>",
    })
    intake = discover(z, ["ex02"], tmp_path / "u", exercise="ex02")
    accounted(intake)
    assert by_student(intake) == {
        "1001": "Full Name_1001_assignsubmission_file_ex02.py",
        "1002": "Other Person_1002_assignsubmission_file_my_gd.ipynb"}
    assert intake.found[1].name == "Other Person"


def test_two_moodle_folders_with_one_id_stay_two_students(tmp_path: Path):
    z = _zip(tmp_path / "moodle.zip", {
        "Ann Lee_1001_assignsubmission_file_/ex02.py": b"a\n",
        "Bob Roe_1001_assignsubmission_file_/ex02.py": b"b\n",
    })
    intake = discover(z, ["ex02"], tmp_path / "u")
    accounted(intake)
    assert sorted((f.student, f.name) for f in intake.found) == [("1001", "Ann Lee"),
                                                                 ("1001~2", "Bob Roe")]
    assert len(intake.notes) == 1 and "1001" in intake.notes[0]
    assert len({f.path.parent for f in intake.found}) == 2


# ---- nbgrader, GitHub Classroom, plain folders ------------------------------------------------

def _tree(root: Path, files: dict[str, bytes | str]) -> Path:
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data if isinstance(data, bytes) else data.encode())
    return root


def test_nbgrader_submitted_layout_with_assignment_map(tmp_path: Path):
    root = _tree(tmp_path / "course", {
        "submitted/alice/ps1/Gradient descent.ipynb": "{}",
        "submitted/alice/ps1/timestamp.txt": "2026-11-20 10:22:33.123456 UTC",
        "submitted/bob smith/ps1/anything.ipynb": "{}",              # a space in the id
        "submitted/bob smith/ps1/timestamp.txt": "2026-11-21 08:00:00 UTC",
        "submitted/carol/ex03/cubic.ipynb": "{}",                     # folder names ex03
    })
    intake = discover(root, ["ex02", "ex03"], tmp_path / "u", assignments={"ps1": "ex02"})
    accounted(intake)
    assert sorted((f.student, f.exercise, f.layout) for f in intake.found) == [
        ("alice", "ex02", "nbgrader"), ("bob smith", "ex02", "nbgrader"),
        ("carol", "ex03", "nbgrader")]
    times = {f.student: f.submitted_at for f in intake.found}
    assert times["alice"] == "2026-11-20T10:22:33" and times["bob smith"] == "2026-11-21T08:00:00"
    assert set(reasons(intake).values()) == {Reason.METADATA}          # the timestamp files


def test_github_classroom_one_folder_per_repository(tmp_path: Path):
    root = _tree(tmp_path / "gd-submissions", {
        "gd-assignment-alice/gd.py": "a\n",
        "gd-assignment-alice/README.md": "# GD",
        "gd-assignment-alice/.git/HEAD": "ref: refs/heads/main",
        "gd-assignment-bob-the-builder/solution.ipynb": "{}",
        "gd-assignment-bob-the-builder/.github/workflows/classroom.yml": "on: push",
    })
    intake = discover(root, ["ex02"], tmp_path / "u", exercise="ex02")
    accounted(intake)
    assert {f.student: f.layout for f in intake.found} == {"alice": "github",
                                                           "bob-the-builder": "github"}
    assert sorted(reasons(intake).values()) == sorted([Reason.NOT_CODE, Reason.METADATA,
                                                       Reason.METADATA])


def test_plain_folders_dots_spaces_and_ids_that_collide_when_made_safe(tmp_path: Path):
    root = _tree(tmp_path / "subs", {
        "alice/ex02.py": "a\n", "alice./ex02.py": "b\n", ".carol/ex02.py": "c\n",
        "dan o'neil/ex02.py": "d\n", "erin/.ipynb_checkpoints/ex02-checkpoint.ipynb": "{}",
        "erin/.DS_Store": "x", "stray.py": "whose?\n",
    })
    intake = discover(root, ["ex02"], tmp_path / "u", exercise="ex02")
    accounted(intake)
    assert sorted(f.student for f in intake.found) == [".carol", "alice", "alice.", "dan o'neil"]
    assert len({f.path.parent.parent for f in intake.found}) == 4       # distinct folders
    assert reasons(intake) == {"ex02-checkpoint.ipynb": Reason.METADATA,
                               ".DS_Store": Reason.METADATA, "stray.py": Reason.NO_OWNER}


def test_safe_part_never_merges_two_ids():
    ids = ["alice", "alice.", ".alice", "a b", "a_b", "a/b", "a\\b", "..", "", "é",
           "x" * 300, "x" * 301, "Alice"]
    parts = [safe_part(i) for i in ids]
    assert len(set(parts)) == len(ids)
    assert safe_part("alice") == "alice" and safe_part("s-1.2@x+y") == "s-1.2@x+y"
    assert all("/" not in p and p not in (".", "..") and len(p) < 120 for p in parts)


# ---- hostile input ---------------------------------------------------------------------------

def test_links_and_special_files_are_refused_not_followed(tmp_path: Path, repo: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0\n")
    root = _tree(tmp_path / "subs", {"bob/ex02.py": "b\n"})
    (root / "alice").mkdir()
    os.symlink(secret, root / "alice" / "ex02.py")
    (root / "mallory").mkdir()
    os.symlink(repo / "solutions" / "ex02.py", root / "mallory" / "ex02.py")
    os.symlink(tmp_path, root / "trudy")                               # a linked folder
    (root / "fifo").mkdir()
    os.mkfifo(root / "fifo" / "ex02.py")
    intake = discover(root, ["ex02"], tmp_path / "u", exercise="ex02")
    accounted(intake)
    assert [f.student for f in graded(intake)] == ["bob"]
    assert set(not_gradable(intake)) == {"alice", "mallory", "fifo"}
    assert {k.path.split("/subs/")[1]: k.reason for k in intake.skipped} == {
        "alice/ex02.py": Reason.UNSAFE, "mallory/ex02.py": Reason.UNSAFE,
        "trudy": Reason.UNSAFE, "fifo/ex02.py": Reason.UNSAFE}
    staged = b"".join(p.read_bytes() for p in (tmp_path / "u").rglob("*") if p.is_file())
    assert b"root:x" not in staged and b"def GD" not in staged


def test_a_folder_swapped_for_a_link_after_the_walk_is_not_followed(tmp_path: Path):
    from grader.classroom.intake.members import FolderReader, MemberError, list_members
    root = _tree(tmp_path / "subs", {"alice/ex02.py": "mine\n"})
    _tree(tmp_path / "elsewhere", {"ex02.py": "not yours\n"})
    members, reader = list_members(root)
    (root / "alice" / "ex02.py").unlink()
    (root / "alice").rmdir()
    os.symlink(tmp_path / "elsewhere", root / "alice")
    assert isinstance(reader, FolderReader)
    with pytest.raises(MemberError, match="link"):
        reader.read(members[0], 1000)


def test_zip_links_corrupt_members_and_odd_names(tmp_path: Path):
    z = _zip(tmp_path / "evil.zip", {
        "alice/ex02.py": b"a = 1\n" * 100,
        "mallory/ex02.py": (b"../../solutions/ex02.py", None, stat.S_IFLNK | 0o777),
        "eve/helper[/oops].py": b"x\n",                # a slash inside brackets: a folder
        "frank/\x1b[31mred\x1b[0m.py": b"y\n",
    })
    data = bytearray(z.read_bytes())                  # corrupt alice's compressed bytes
    at = data.index(b"alice/ex02.py") + len("alice/ex02.py")
    data[at + 2:at + 40] = b"\xff" * 38
    z.write_bytes(bytes(data))
    intake = discover(z, ["ex02"], tmp_path / "u", exercise="ex02")
    accounted(intake)
    assert sorted(f.student for f in graded(intake)) == ["eve", "frank"]
    assert "corrupt" in not_gradable(intake)["alice"]
    why = {k.student: (k.reason, k.detail) for k in intake.skipped}
    assert why["alice"][0] == Reason.UNREADABLE and "corrupt" in why["alice"][1]
    assert why["mallory"][0] == Reason.UNSAFE
    frank = next(f for f in intake.found if f.student == "frank")
    assert "\x1b" not in frank.origin and "\\x1b" in frank.origin
    assert "\\[" in next(f for f in intake.found if f.student == "eve").origin


def test_non_utf8_names_and_huge_sparse_files(tmp_path: Path):
    root = tmp_path / "subs"
    (root / "zoë").mkdir(parents=True)
    raw_dir = os.fsencode(root) + b"/caf\xe9"
    os.mkdir(raw_dir)
    with open(raw_dir + b"/ex02 \xff.py", "wb") as f:
        f.write(b"a = 1\n")
    big = root / "zoë" / "ex02.py"
    with open(big, "wb") as f:
        f.truncate(40 * 1024 ** 3)                     # 40 GB, sparse
    intake = discover(root, ["ex02"], tmp_path / "u", exercise="ex02", max_bytes=1000)
    accounted(intake)
    ids = sorted(f.student for f in intake.found)
    assert ids == ["caf\\xe9", "zoë"]
    cafe = next(f for f in intake.found if f.student == "caf\\xe9")
    assert cafe.raw_origin.endswith(b"/caf\xe9/ex02 \xff.py")
    cafe.student.encode("utf-8")                       # storable as text
    assert next(f for f in intake.found if f.student == "zoë").path.stat().st_size == 1001


def test_shown_escapes_controls_markup_and_bidi():
    assert shown("a\nb\x1b[2J\u202ec") == "a\\nb\\x1b\\[2J\\u202ec"
    assert shown(os.fsdecode(b"caf\xe9")) == "caf\\xe9"


def test_nbgrader_submitted_folder_given_directly(tmp_path: Path):
    course = _tree(tmp_path / "course", {
        "submitted/alice/ps1/anything.ipynb": "{}",
        "submitted/alice/ps1/timestamp.txt": "2026-11-20 10:22:33 UTC",
        "source/ps1/ps1.ipynb": "{}",                  # the instructor's: outside the input
    })
    intake = discover(course / "submitted", ["ex02"], tmp_path / "u",
                      assignments={"ps1": "ex02"})
    accounted(intake)
    assert [(f.student, f.exercise, f.submitted_at) for f in intake.found] == [
        ("alice", "ex02", "2026-11-20T10:22:33")]
    assert intake.found[0].origin.endswith("course/submitted/alice/ps1/anything.ipynb")


def test_github_classroom_assignment_maps_without_exercise(tmp_path: Path):
    root = _tree(tmp_path / "repos", {"hw-gd-alice/gd.py": "a\n", "hw-gd-bob/main.py": "b\n"})
    intake = discover(root, ["ex01", "ex02"], tmp_path / "u", assignments={"hw-gd": "ex02"})
    accounted(intake)
    assert sorted((f.student, f.exercise) for f in intake.found) == [("alice", "ex02"),
                                                                    ("bob", "ex02")]
    unmapped = discover(root, ["ex01", "ex02"], tmp_path / "u2")
    accounted(unmapped)
    assert unmapped.found == [] and {k.reason for k in unmapped.skipped} == {Reason.NO_EXERCISE}


def test_canvas_keeps_its_submission_id(tmp_path: Path):
    intake = discover(_zip(tmp_path / "c.zip", {"ada_late_1001_5001_x.py": b"a"}), ["ex02"],
                      tmp_path / "u", exercise="ex02")
    assert (intake.found[0].lms_id, intake.found[0].lms_submission, intake.found[0].late) == \
        ("1001", "5001", True)


def test_two_zip_members_of_one_name_are_both_accounted(tmp_path: Path):
    z = tmp_path / "dup.zip"
    with pytest.warns(UserWarning, match="Duplicate name"):
        with zipfile.ZipFile(z, "w") as zf:
            zf.writestr(zipfile.ZipInfo("ada/ex02.py", (2026, 1, 1, 0, 0, 0)), b"old\n")
            zf.writestr(zipfile.ZipInfo("ada/ex02.py", (2026, 1, 2, 0, 0, 0)), b"new\n")
    intake = discover(z, ["ex02"], tmp_path / "u")
    assert intake.files == 2 and len(intake.found) == 1 and len(intake.skipped) == 1
    assert intake.found[0].path.read_bytes() == b"new\n"


def test_the_graded_copy_keeps_a_plain_file_name(tmp_path: Path):
    root = _tree(tmp_path / "subs", {"zoë/My GD [final].py": "a\n", "bob/\x1b[2Jx.py": "b\n"})
    intake = discover(root, ["ex02"], tmp_path / "u", exercise="ex02")
    names_ = {f.student: f.path.name for f in intake.found}
    assert names_["zoë"] == "My GD [final].py"
    assert "\x1b" not in names_["bob"] and names_["bob"].endswith(".py")


def test_ids_whose_text_forms_meet_stay_two_students(tmp_path: Path):
    root = tmp_path / "subs"
    root.mkdir()
    os.mkdir(os.fsencode(root) + b"/caf\xe9")                  # undecodable byte
    (root / "caf\\xe9").mkdir()                                 # the same, spelled out
    for d in root.iterdir():
        (d / "ex02.py").write_text("x\n")
    intake = discover(root, ["ex02"], tmp_path / "u")
    accounted(intake)
    assert sorted(f.student for f in intake.found) == ["caf\\xe9", "caf\\xe9~2"]
    assert len(intake.notes) == 1
    assert len({f.path for f in intake.found}) == 2


def test_an_lms_zip_unpacked_into_a_folder_of_its_own(tmp_path: Path):
    root = _tree(tmp_path / "downloads", {
        "canvas-ex02/lovelaceada_1001_5001_gd.py": "a\n",
        "canvas-ex02/turingalan_late_1002_5002_ex02.py": "b\n",
        "moodle/Ann Lee_2001_assignsubmission_file_ex02.py": "c\n",
        "moodle/Bob Roe_2002_assignsubmission_file_my.ipynb": "{}",
    })
    intake = discover(root, ["ex02"], tmp_path / "u", exercise="ex02")
    accounted(intake)
    assert sorted((f.student, f.layout) for f in intake.found) == [
        ("1001", "canvas"), ("1002", "canvas"), ("2001", "moodle"), ("2002", "moodle")]


def test_a_date_in_the_name_never_counts_as_a_submission_time(tmp_path: Path):
    root = _tree(tmp_path / "subs", {
        "ada/attempt_2026-11-20-10-22-33_gd.py": "old\n",
        "ada/attempt_2026-11-19-08-00-00_gd.ipynb": "{}",        # "older" by its name
    })
    os.utime(root / "ada" / "attempt_2026-11-20-10-22-33_gd.py", (1e9, 1e9))
    os.utime(root / "ada" / "attempt_2026-11-19-08-00-00_gd.ipynb", (2e9, 2e9))
    intake = discover(root, ["ex02"], tmp_path / "u", exercise="ex02")
    accounted(intake)
    [f] = intake.found
    # The newer file by its own time is graded; no time is taken from any name or mtime.
    assert (f.origin.endswith("gd.ipynb"), f.submitted_at) == (True, "")


# ---- issue 25: whose file, exactly as the LMS writes it ----------------------------------------
# Canvas's content_zipper.rb: `[sortable name lowercased, non-word characters removed][_LATE]_
# <user id>` then `_<attachment id>_<display name>` (upload), `_text.html` (online text entry),
# `_link.html` (website URL); anonymous grading: `[LATE_]anon_<anonymous id>...`. Every entry
# is stamped with the time the zip is built.
ZIP_BUILT = (2026, 12, 6, 23, 59, 0)


def test_canvas_text_link_anonymous_and_names_with_underscores(tmp_path: Path):
    z = _zip(tmp_path / "canvas.zip", {
        "lovelaceada_1001_5001_ex02.py": b"a\n",
        "o_brienmary_1016_text.html": b"<p>my answer</p>",            # online text entry
        "turingalan_LATE_1002_link.html": b"<meta http-equiv=refresh>",  # website URL, late
        "anon_Xy3Zq_5003_gd.py": b"c\n",                               # anonymous grading
        "LATE_anon_Pq9Rs_5004_ex02.ipynb": b"{}",
        "anon_Mn4Kb_text.html": b"<p/>",
        "anon_1017_5017_ex02.py": b"d\n",         # a student whose sortable name is "anon"
        "o_brienmary_1016_5016_notes.pdf": b"%PDF",
    }, when=ZIP_BUILT)
    intake = discover(z, ["ex02"], tmp_path / "u", exercise="ex02")
    accounted(intake)
    assert {f.student: (f.lms_id, f.late) for f in graded(intake)} == {
        "1001": ("1001", False), "anon_Xy3Zq": ("", False), "anon_Pq9Rs": ("", True),
        "1017": ("1017", False)}
    assert not_gradable(intake) == {
        "1016": "notes.pdf, not a .py or .ipynb file; a Canvas online text entry, not a .py "
                "or .ipynb file",
        "1002": "a Canvas website URL entry, not a .py or .ipynb file",
        "anon_Mn4Kb": "a Canvas online text entry, not a .py or .ipynb file"}
    assert {f.student: f.name for f in intake.found}["1016"] == "o_brienmary"
    assert all(f.submitted_at == "" for f in intake.found)     # the zip's time is not theirs


def test_a_students_own_upload_name_never_decides_whose_it_is(tmp_path: Path):
    z = _zip(tmp_path / "canvas.zip", {
        # the student's display name spells another student's Canvas prefix
        "malloryeve_1009_5009_lovelaceada_1001_5001_ex02.py": b"x\n",
        "lovelaceada_1001_5001_ex02.py": b"a\n",
    })
    intake = discover(z, ["ex02"], tmp_path / "u", exercise="ex02")
    assert {f.student: f.filename for f in graded(intake)} == {
        "1009": "lovelaceada_1001_5001_ex02.py", "1001": "ex02.py"}
    m = _zip(tmp_path / "moodle-flat.zip", {
        "Ann Lee_1001_assignsubmission_file_x_1002_assignsubmission_file_ex02.py": b"x\n",
        "Bob Roe_1002_assignsubmission_file_ex02.py": b"b\n",
    })
    intake = discover(m, ["ex02"], tmp_path / "u2", exercise="ex02")
    assert {f.student: f.filename for f in graded(intake)} == {
        "1001": "x_1002_assignsubmission_file_ex02.py", "1002": "ex02.py"}


def test_lms_names_inside_a_students_own_folder_are_theirs(tmp_path: Path):
    root = _tree(tmp_path / "subs", {
        "bob/Ann Lee_1001_assignsubmission_file_/ex02.py": "x\n",
        "bob/Cy Doe_1003_assignsubmission_file_/ex02.py": "y\n",
        "bob/submitted/ann/ps1/ex02.ipynb": "{}",
        "ann/ex02.py": "a\n",
        "carol/lovelaceada_1001_5001_ex02.py": "c\n",
    })
    intake = discover(root, ["ex02"], tmp_path / "u", exercise="ex02")
    accounted(intake)
    assert {f.student for f in graded(intake)} == {"bob", "ann", "carol"}
    assert all(f.layout == "folder" for f in intake.found)


def test_moodle_team_submissions_default_group_is_no_student(tmp_path: Path):
    # mod/assign with team submissions: "<group>-<full name>_<participant>_..." per member;
    # members of no group are "Default group-".
    z = _zip(tmp_path / "moodle.zip", {
        "Default group-Ada Lovelace_1001_assignsubmission_file_/ex02.py": b"a\n",
        "Default group-Alan Turing_1002_assignsubmission_file_/ex02.py": b"a\n",
        "Team 7-Grace Hopper_1003_assignsubmission_file_/gd.py": b"g\n",
        "Default group-Participant_1004_assignsubmission_file_/ex02.py": b"p\n",  # blind
    })
    intake = discover(z, ["ex02"], tmp_path / "u", exercise="ex02")
    accounted(intake)
    assert {f.student: f.name for f in intake.found} == {
        "1001": "Ada Lovelace", "1002": "Alan Turing", "1003": "Team 7-Grace Hopper",
        "1004": "Participant"}


def test_a_students_own_zip_is_unpacked_one_level_by_the_same_rules(tmp_path: Path):
    import io
    def inner(members: dict) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for name, data in members.items():
                if isinstance(data, tuple):             # (bytes, unix mode): a link
                    info = zipfile.ZipInfo(name)
                    info.create_system = 3
                    info.external_attr = data[1] << 16
                    zf.writestr(info, data[0])
                else:
                    zf.writestr(name, data)
        return buf.getvalue()
    z = _zip(tmp_path / "canvas.zip", {
        "lovelaceada_1001_5001_mywork.zip": inner({"mywork/ex02.py": b"a\n",
                                                   "mywork/README.md": b"#",
                                                   "__MACOSX/mywork/._ex02.py": b"junk"}),
        "turingalan_1002_5002_ex02.zip": inner({"main.py": b"b\n", "deeper.zip": b"PK"}),
        "hopper_1003_5003_evil.zip": inner({"../../escape.py": b"x\n",
                                            "link.py": (b"/etc/shadow", stat.S_IFLNK | 0o777)}),
        "knuth_1004_5004_broken.zip": b"PK\x03\x04 not really",
        "liskov_1005_5005_empty.zip": inner({}),
    })
    intake = discover(z, ["ex02"], tmp_path / "u", exercise="ex02")
    accounted(intake)
    assert {f.student: f.filename for f in graded(intake)} == {"1001": "ex02.py",
                                                               "1002": "main.py"}
    assert intake.found[0].origin.endswith("lovelaceada_1001_5001_mywork.zip/mywork/ex02.py")
    bad = not_gradable(intake)
    assert set(bad) == {"1003", "1004", "1005"}
    assert "leaves the archive" in bad["1003"] and "link" in bad["1003"]
    assert "not a readable zip" in bad["1004"] and "empty zip" in bad["1005"]
    staged = b"".join(p.read_bytes() for p in (tmp_path / "u").rglob("*") if p.is_file())
    assert b"/etc/shadow" not in staged


def test_an_export_inside_wrapper_folders_is_still_read(tmp_path: Path):
    root = _tree(tmp_path / "downloads", {
        "course/canvas/lovelaceada_1001_5001_gd.py": "a\n",
        "course/canvas/turingalan_LATE_1002_5002_ex02.py": "b\n"})
    intake = discover(root, ["ex02"], tmp_path / "u", exercise="ex02")
    accounted(intake)
    assert sorted((f.student, f.layout, f.late) for f in intake.found) == [
        ("1001", "canvas", False), ("1002", "canvas", True)]
