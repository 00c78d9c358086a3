"""grader.core.errors: every error the grader names to a person, in one module below the others
(issue 26). The modules that raise them still offer them under their old names, as the same
classes, so an `except` written against either catches both."""
from __future__ import annotations

import importlib
import inspect

import pytest

from grader.core import errors

OLD_HOMES = {
    "grader.core.spec": ("SpecError", "CheckNamesDiffer", "UnknownExercise"),
    "grader.grading.loader": ("SubmissionError",),
    "grader.grading.data": ("DataError",),
    "grader.grading.runner": ("ChecksBroken",),
    "grader.classroom.exports": ("ExportError",),
    "grader.classroom.gradebook": ("GradebookError",),
    "grader.classroom.roster": ("RosterError",),
    "grader.classroom.batch": ("BatchError",),
    "grader.classroom.intake": ("DiscoveryError",),
    "grader.classroom.intake.members": ("DiscoveryError",),
    "grader.classroom.locks": ("FolderBusy",),
}


@pytest.mark.parametrize("module,names", sorted(OLD_HOMES.items()))
def test_the_old_names_are_the_same_classes(module, names):
    mod = importlib.import_module(module)
    for name in names:
        assert getattr(mod, name) is getattr(errors, name), (module, name)


def test_every_error_is_defined_here_and_says_whose_it_is():
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass)
               if issubclass(c, Exception)]
    assert {c.__name__ for c in classes} >= {n for names in OLD_HOMES.values() for n in names}
    for c in classes:
        assert c.__module__ == "grader.core.errors" and c.__doc__, c
    defined_elsewhere = [
        (module, name) for module in OLD_HOMES
        for name, c in inspect.getmembers(importlib.import_module(module), inspect.isclass)
        if name in {x.__name__ for x in classes} and c.__module__ != "grader.core.errors"]
    assert defined_elsewhere == []


def test_the_cli_prints_each_user_facing_error_as_one_line(capsys, monkeypatch):
    """What `grade` turns into `grade: <message>` and exit 2 (a traceback for anything else)."""
    from grader import cli
    from grader.commands import listing
    for cls in errors.USER_FACING:
        def broken(args, cls=cls):
            raise cls(f"{cls.__name__} says so")
        monkeypatch.setattr(listing, "run", broken)
        assert cli.main(["list"]) == 2
        assert capsys.readouterr().err == f"grade: {cls.__name__} says so\n"
    monkeypatch.setattr(listing, "run", lambda args: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        cli.main(["list"])
