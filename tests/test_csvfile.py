"""grader/classroom/csvfile.py: the one place CSV is written and read."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from grader.classroom import csvfile
from grader.classroom.late import read_extensions, read_submission_times
from grader.classroom.roster import read_roster

GRADER = Path(__file__).resolve().parents[1] / "grader"


def test_no_other_module_reads_or_writes_csv_itself():
    """Every CSV goes through csvfile: one way to write (formula-safe), one dialect rule."""
    users = []
    for path in sorted(GRADER.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) else []
            if "csv" in names:
                users.append(path.relative_to(GRADER).as_posix())
    assert users == ["classroom/csvfile.py"]


def test_written_rfc_4180_and_formula_safe():
    text = csvfile.render(["student_id", "name", "ex01"],
                          [["=1+1", 'Ann, "A"', "3.5"], ["bob", "@SUM(A1)", ""]])
    assert text == ('student_id,name,ex01\r\n'
                    '\'=1+1,"Ann, ""A""",3.5\r\n'
                    "bob,'@SUM(A1),\r\n")


def test_written_with_a_bom_for_an_lms_and_without_for_grades_csv(tmp_path: Path):
    csvfile.write(tmp_path / "lms.csv", "a\r\n")
    csvfile.write(tmp_path / "grades.csv", "a\r\n", bom=False)
    assert (tmp_path / "lms.csv").read_bytes() == b"\xef\xbb\xbfa\r\n"
    assert (tmp_path / "grades.csv").read_bytes() == b"a\r\n"


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_every_file_an_instructor_gives_is_read_by_one_rule(tmp_path: Path, sep: str):
    """A roster, extensions and submission times saved by a spreadsheet in a locale that
    separates with semicolons (or as tab-separated text) read as the comma-separated ones."""
    def write(name: str, rows: list[list[str]]) -> Path:
        path = tmp_path / name
        path.write_text("\n".join(sep.join(r) for r in rows) + "\n", encoding="utf-8-sig")
        return path
    roster = write("roster.csv", [["name", "identifier", "github_username", "github_id"],
                                  ["Ada L", "ada@uni.edu", "ada-l", "101"]])
    times = write("times.csv", [["student", "submitted_at", "exercise"],
                                ["ada", "2026-11-20T10:00+00:00", "ex01"]])
    ext = write("ext.csv", [["student", "days"], ["ada", "2"]])
    assert [(p.id, p.github) for p in read_roster(roster)] == [("ada@uni.edu", "ada-l")]
    assert read_submission_times(times) == {("ada", "ex01"): "2026-11-20T10:00+00:00"}
    assert read_extensions(ext, "2026-11-20T00:00+00:00", "ex01") == {
        "ada": "2026-11-22T00:00:00+00:00"}


def test_the_dialect_is_the_first_lines():
    assert csvfile.dialect("a,b;c\n1;2;3;4") == "excel"
    assert list(csvfile.rows("a;b\n1;2\n")) == [["a", "b"], ["1", "2"]]
    assert csvfile.records("a\tb\n1\t2\n") == [{"a": "1", "b": "2"}]
