"""grader/sandbox/probe_source.py: probes.py cut into what each probe needs."""
from __future__ import annotations

from conftest import EXERCISES
from grader.sandbox.probe_source import split

SOURCE = '''"""doc"""
import numpy as np

SCALE = 2


def _helper(v):
    return v * SCALE


def public_one(sub, x):
    return _helper(x)


def hidden_two(sub, x):
    return public_one(sub, x) + 1
'''


def test_each_probe_goes_alone_with_the_probes_it_calls_and_keeps_its_lines():
    s = split(SOURCE)
    assert set(s.probes) == {"public_one", "hidden_two"}
    assert "def public_one" not in s.common and "def _helper" in s.common
    assert s.to_load("public_one", set()) == ["public_one"]
    assert s.to_load("hidden_two", set()) == ["public_one", "hidden_two"]
    assert s.to_load("hidden_two", {"public_one"}) == ["hidden_two"]
    ns: dict = {}
    exec(compile(s.common, "<probes>", "exec"), ns)
    exec(compile(s.source(s.to_load("hidden_two", set())), "<probes>", "exec"), ns)
    assert ns["hidden_two"](None, 3) == 7
    assert ns["public_one"].__code__.co_firstlineno == SOURCE.splitlines().index(
        "def public_one(sub, x):") + 1


def test_every_exercises_probes_split_and_load_whole():
    for probes in sorted(EXERCISES.glob("ex*/probes.py")):
        s = split(probes.read_text())
        assert s.probes, probes
        compile(s.common, str(probes), "exec")
        for name in s.probes:
            compile(s.source(s.to_load(name, set())), str(probes), "exec")


def test_a_file_that_does_not_parse_goes_whole():
    s = split("def broken(:\n")
    assert s.common == "def broken(:\n" and s.probes == {}
