"""The README and docs/ name only what exists, and document what does: every command line shown
parses with the real parser, every command and option is documented, every result field and
gradebook column is described, every attack and test the threat model names exists, every
benchmark figure names its record, and every relative link resolves."""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import shlex
import sqlite3
from pathlib import Path

import pytest

from conftest import REPO
from grader.cli import build_parser

DOCS = REPO / "docs"
PAGES = [REPO / "README.md", *sorted(DOCS.glob("*.md"))]
# Written by another change; linked to before it lands, so a missing one is no broken link.
MAY_BE_MISSING = {DOCS / "settings.md"}


def text(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def section(doc: str, heading: str) -> str:
    """A heading's text, down to the next heading of the same or a higher level."""
    m = re.search(rf"^(#+) {re.escape(heading)}\n", doc, re.M)
    assert m, f"no section {heading!r}"
    end = re.search(rf"^#{{1,{len(m.group(1))}}} ", doc[m.end():], re.M)
    return doc[m.end():m.end() + end.start() if end else len(doc)]


def code_lines(doc: str) -> list[str]:
    """The lines of indented and fenced code blocks, a trailing backslash joining the next."""
    lines, fenced, out = doc.splitlines(), False, []
    for i, line in enumerate(lines):
        if line.startswith("```"):
            fenced = not fenced
            continue
        after_blank = i > 0 and (lines[i - 1].strip() == "" or lines[i - 1].startswith("    "))
        if fenced or (line.startswith("    ") and after_blank and not line.lstrip().startswith("- ")):
            out.append(line.strip())
    joined: list[str] = []
    for line in out:
        if joined and joined[-1].endswith("\\"):
            joined[-1] = joined[-1][:-1] + " " + line
        else:
            joined.append(line)
    return joined


# ---- commands ----------------------------------------------------------------------------------

def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def all_commands() -> dict[str, argparse.ArgumentParser]:
    """"batch", "export canvas", ...: every (sub)command of the real parser."""
    found: dict[str, argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, path: str) -> None:
        for name, sub in subparsers(parser).items():
            found[f"{path} {name}".strip()] = sub
            walk(sub, f"{path} {name}".strip())
    walk(build_parser(), "")
    return found


def grade_commands(doc: str) -> list[str]:
    """Every `grade ...` command line in the page's code blocks (`&&` chains split)."""
    found = []
    for line in code_lines(doc):
        for part in line.split("&&"):
            part = part.strip()
            if part.startswith(("grade ", ".venv/bin/grade ")) or part in ("grade", ".venv/bin/grade"):
                found.append(part)
    return found


def parse(line: str) -> argparse.Namespace:
    """As `grade` reads its argv: `grade ex02 ...` is `grade check ex02 ...`."""
    argv = shlex.split(line, comments=True)[1:]
    commands = set(subparsers(build_parser())) | {"help"}
    first = next((i for i, a in enumerate(argv) if not a.startswith("-")
                  and (i == 0 or argv[i - 1] != "--exercises")), None)
    if first is not None and argv[first] not in commands:
        argv.insert(first, "check")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            return build_parser().parse_args(argv)
        except SystemExit as e:
            raise AssertionError(f"{line!r} does not parse: {err.getvalue().strip()}") from e


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_command_line_shown_parses(page):
    for line in grade_commands(page.read_text(encoding="utf-8")):
        parse(line)


def test_the_pages_show_command_lines_to_parse():
    assert len(grade_commands(text("commands.md"))) >= 40
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert any("check-bank" in c for c in grade_commands(readme))


def command_sections(doc: str) -> dict[str, str]:
    """Command path -> its section: each heading whose first code span is `grade PATH`."""
    found = {}
    for heading in re.findall(r"^#+ (.+)$", doc, re.M):
        m = re.match(r"[^`]*`grade ([a-z][a-z -]*)`", heading)
        if m:
            found[m.group(1).strip()] = section(doc, heading)
    return found


def test_every_command_and_option_is_documented_in_its_section():
    doc = text("commands.md")
    sections = command_sections(doc)
    commands = all_commands()
    assert set(sections) == set(commands), "documented but no such command, or not documented: " \
        f"{set(sections) ^ set(commands)}"
    for path, parser in commands.items():
        # a subcommand's section, and its parents' (`grade export` says -o for every kind)
        words = path.split()
        where = "".join(sections[" ".join(words[:i])] for i in range(1, len(words) + 1))
        for action in parser._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            if action.option_strings:
                assert any(o in where for o in action.option_strings), (path, action.option_strings)
            else:
                name = action.metavar or action.dest
                assert name in where or name.upper() in where, (path, name)
    for action in build_parser()._actions:
        for option in action.option_strings:
            assert option in doc or option in ("-h", "--help"), option


def test_the_commands_page_links_the_settings_page():
    assert "(settings.md)" in text("commands.md")
    assert "(docs/settings.md)" in (REPO / "README.md").read_text(encoding="utf-8")


# ---- formats -----------------------------------------------------------------------------------

def schema_fields(schema: dict) -> set[str]:
    """Every field path of the result schema: `checks`, `checks[].name`, `run.seed`, ..."""
    defs = schema["$defs"]

    def resolve(node: dict) -> dict:
        if "$ref" in node:
            return resolve(defs[node["$ref"].rsplit("/", 1)[1]])
        for alternative in node.get("oneOf", ()):
            if alternative.get("type") != "null":
                return resolve(alternative)
        return node

    def walk(node: dict, prefix: str) -> set[str]:
        node, out = resolve(node), set()
        for name, sub in node.get("properties", {}).items():
            path = f"{prefix}{name}"
            out.add(path)
            sub = resolve(sub)
            if sub.get("type") == "array" and "items" in sub:
                out |= walk(sub["items"], f"{path}[].")
            elif "properties" in sub:
                out |= walk(sub, f"{path}.")
        return out
    return walk(schema, "")


def first_column(block: str) -> set[str]:
    return set(re.findall(r"^\| `([^`]+)` \|", block, re.M))


def test_every_result_field_is_documented_and_every_documented_field_exists():
    schema = json.loads((REPO / "grader" / "core" / "schemas" / "result.schema.json").read_text())
    documented = first_column(section(text("formats.md"), "Result document"))
    fields = schema_fields(schema)
    assert {"checks[].plots[].series", "run.limit_hit", "next_step"} <= fields
    assert documented - fields == set(), "documented, not in the schema"
    assert fields - documented == set(), "in the schema, not documented"


def test_every_status_word_is_documented():
    from grader.core import status
    doc = section(text("formats.md"), "Result document")
    for enum in (status.RunStatus, status.CheckStatus, status.EntryStatus, status.FaultKind):
        for word in enum:
            assert f"`{word.value}`" in doc, (enum.__name__, word.value)
    schema = json.loads((REPO / "grader" / "core" / "schemas" / "result.schema.json").read_text())
    for word in schema["$defs"]["run"]["properties"]["limit_hit"]["enum"]:
        assert f"`{word}`" in doc or word == "", word


def test_every_gradebook_column_is_documented_and_every_documented_one_exists(tmp_path):
    from grader.classroom.gradebook import Gradebook
    Gradebook(tmp_path / "gradebook.sqlite").close()
    db = sqlite3.connect(tmp_path / "gradebook.sqlite")
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "AND name NOT LIKE 'sqlite_%'")]
    columns = {f"{t}.{r[1]}" for t in tables for r in db.execute(f"PRAGMA table_info({t})")}
    db.close()
    documented = first_column(section(text("formats.md"), "The gradebook"))
    assert documented == columns, f"not documented: {columns - documented}; " \
                                  f"no such column: {documented - columns}"


def test_the_grades_csv_columns_are_the_ones_written(tmp_path):
    from grader.classroom.folder import write_grades_csv
    header = (write_grades_csv(tmp_path, [], []).read_text(encoding="utf-8").splitlines()[0])
    doc = section(text("formats.md"), "`grades.csv`")
    first, *_, last = header.split(",")
    assert doc.startswith(f"\n`{first}, {header.split(',')[1]}`") and f"`{last}`" in doc, header


# ---- security ----------------------------------------------------------------------------------

def test_every_attack_named_exists_and_every_threat_names_a_test():
    doc = text("security.md")
    attacks = REPO / "tests" / "attacks"
    named = re.findall(r"tests/attacks/([\w*]+\.py)", doc)
    assert len(named) >= 30
    for name in named:
        assert list(attacks.glob(name)), f"tests/attacks/{name} does not exist"
    for test in set(re.findall(r"tests/(test_\w+\.py)", doc)):
        assert (REPO / "tests" / test).exists(), test
    table = section(doc, "Threat model")
    rows = [r for r in table.splitlines() if r.startswith("| ") and not r.startswith("| promise")]
    assert len(rows) >= 10
    for row in rows:
        proved_by = row.rstrip(" |").rsplit(" | ", 1)[1]
        assert re.search(r"`tests/test_\w+\.py`", proved_by), f"names no test: {row[:80]}"


# ---- speed -------------------------------------------------------------------------------------

FIGURE = re.compile(r"\d(?:[\d.,]*\d)? ?(?:ms|us|s|x|%|MB|GB)\b")
RECORD = re.compile(r"bench/results/([\w.-]+\.json)")


def blocks(doc: str) -> list[str]:
    """Paragraphs; a table goes with the paragraph that introduces it."""
    parts = [p for p in re.split(r"\n\s*\n", doc) if p.strip()]
    out: list[str] = []
    for p in parts:
        if p.lstrip().startswith("|") and out:
            out[-1] += "\n" + p
        else:
            out.append(p)
    return out


@pytest.mark.parametrize("page", ["speed.md"])
def test_every_benchmark_figure_names_a_record_that_exists(page):
    doc = text(page)
    for block in blocks(doc):
        if block.startswith("#") or not FIGURE.search(block):
            continue
        assert RECORD.search(block), f"a figure without its record: {block[:120]!r}"
    for name in RECORD.findall(doc):
        assert (REPO / "bench" / "results" / name).exists(), name
    for block in blocks(doc):  # a table with a record column: each row names its own
        rows = [r for r in block.splitlines() if r.startswith("|")]
        if rows and rows[0].rstrip().endswith("| record |"):
            for row in rows[2:]:
                assert RECORD.search(row.rsplit(" | ", 1)[1]), row[:80]


def test_the_readmes_ratios_name_their_records():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    speed = next(b for b in blocks(readme) if b.startswith("**Speed**"))
    assert FIGURE.search(speed)
    for name in RECORD.findall(speed):
        assert (REPO / "bench" / "results" / name).exists(), name
    assert len(RECORD.findall(speed)) >= 3


# ---- links -------------------------------------------------------------------------------------

def anchors(page: Path) -> set[str]:
    """GitHub's heading ids: lower case, punctuation dropped, spaces as hyphens."""
    heads = re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), re.M)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in heads}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_resolve(page):
    doc = page.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", doc):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if dest in MAY_BE_MISSING and not dest.exists():
            continue
        assert dest.exists(), f"{page.name}: {target} does not exist"
        if anchor:
            assert anchor in anchors(dest), f"{page.name}: {target}: no such heading"


def test_the_readme_links_every_page():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for page in ("commands", "formats", "security", "speed", "authoring", "similarity",
                 "settings"):
        assert f"(docs/{page}.md" in readme, page
