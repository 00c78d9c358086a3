"""docs/authoring.md names only what exists, and documents every fixture and yaml key."""
from __future__ import annotations

import inspect
import re

import grader.grading.checks as checks
from conftest import REPO
from grader.core import spec
from grader.grading.plugin import GraderPlugin
from grader.sandbox.session import Session

DOC = (REPO / "docs" / "authoring.md").read_text(encoding="utf-8")


def bullets(heading: str) -> list[str]:
    """The first `name` of each bullet under a heading, down to the next heading."""
    m = re.search(rf"^#+ {re.escape(heading)}\n(.*?)(?=^#)", DOC, re.M | re.S)
    assert m, f"no section {heading!r}"
    return re.findall(r"^- `([A-Za-z_][A-Za-z0-9_]*)", m.group(1), re.M)


def test_every_fixture_named_exists_and_every_fixture_is_named():
    plugin_fixtures = {getattr(obj, "name", name) for name, obj in inspect.getmembers(GraderPlugin)
                       if type(obj).__name__ == "FixtureFunctionDefinition"}
    assert {"student", "exercise", "rng", "seed", "report", "dataset"} <= plugin_fixtures
    assert set(bullets("Fixtures")) == plugin_fixtures


def test_every_yaml_key_named_exists_and_every_key_is_named():
    keys = set(spec._REQUIRED) | set(spec._OPTIONAL)
    assert set(bullets("exercise.yaml")) == keys


def test_every_helper_named_exists():
    named = set(bullets("Helpers")) | set(re.findall(r"`(\w+)\(", DOC))
    public = {n for n in dir(checks) if not n.startswith("_")}
    student = {"probe", "call", "probe_once"}
    for name in named - student:
        assert name in public or name in {"name", "fail", "plot", "note"}, name
    for name in student:
        assert hasattr(Session, name)
    for name in bullets("Helpers"):
        assert name in public, name
