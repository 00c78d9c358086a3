"""The terminal table and the one-line summary."""
from __future__ import annotations

import pytest
from rich.console import Console

from grader.core.result import (ERROR, FAILED, GRADED, LOAD_ERROR, PASSED, SYNTAX_ERROR, CheckResult,
                           Result)
from grader.rendering.terminal import render_table, shorten, summary_line


def check(name: str, status: str = PASSED, points: float = 2, max_points: float = 2,
          message: str = "", hidden: bool = False) -> CheckResult:
    return CheckResult(name=name, description=f"{name.replace('_', ' ')} is right", status=status,
                       points=points, max_points=max_points, hidden=hidden, message=message)


def result(*checks: CheckResult, **kw) -> Result:
    defaults = dict(exercise="ex02", title="Linear regression", submission="ex02.py", status=GRADED,
                    score=sum(c.points for c in checks),
                    max_score=sum(c.max_points for c in checks), checks=checks)
    return Result(**{**defaults, **kw})


MIXED = result(check("shapes"), check("gradient", FAILED, 0, 3, "expected 1.0, got 2.0\nmore"),
               check("training", ERROR, 0, 5, "timed out after 10 s"),
               check("bonus", points=0.5, max_points=0.5))


def text(res: Result) -> str:
    console = Console(record=True, width=120)
    render_table(res, console)
    return console.export_text()


def test_table_lists_checks_marks_points_and_score() -> None:
    out = text(MIXED)
    for name in ("shapes", "gradient", "training", "bonus", "gradient is right"):
        assert name in out
    for piece in ("✓", "✗", "!", "2/2", "0/3", "0/5", "0.5/0.5", "expected 1.0, got 2.0"):
        assert piece in out
    assert "more" not in out                      # only the first line of a message
    assert "Score: 2.5/10.5" in out


def test_public_only_note_counts_hidden_checks() -> None:
    out = text(result(check("shapes"), public_only=True, hidden_remaining=3, hidden_points=4))
    assert "Score: 2/2" in out
    assert "3 hidden checks worth 4 points" in out


@pytest.mark.parametrize("status", [SYNTAX_ERROR, LOAD_ERROR])
def test_not_gradable_shows_the_message(status: str) -> None:
    res = result(check("shapes", ERROR, 0, 2), status=status, message="line 3: invalid syntax")
    out = text(res)
    assert "Score: 0/2" in out and "line 3: invalid syntax" in out


def test_notebook_cells_that_did_not_run_are_named() -> None:
    broken = ("cell 2 has a SyntaxError on line 1: invalid syntax (`x = = 1`); Jupyter cannot "
              "run it either: the grader skipped it and ran the other cells")
    raised = "cell 5 raised NameError: name 'y' is not defined (line 1); the cells after it still ran"
    out = text(result(check("shapes"), notes=("cell 1: dropped IPython magic `%time x`", raised,
                                              broken)))
    assert out.index("cell 2 has a SyntaxError") < out.index("cell 5 raised") < out.index("Score")
    assert "%time" not in out   # the other notes are the report's
    many = tuple(f"cell {n} raised ValueError: v (line 1); the cells after it still ran"
                 for n in range(1, 9))
    out = text(result(check("shapes"), notes=many))
    assert "cell 5 raised" in out and "cell 6 raised" not in out
    assert "... and 3 more cells that did not run: see the report" in out


def test_submission_text_is_not_rich_markup() -> None:
    out = text(result(check("shapes", FAILED, 0, 2, "[bold red]boom[/] [/oops] [link=x]y"),
                      status=LOAD_ERROR, message="[/]"))
    assert "[bold red]boom[/] [/oops] [link=x]y" in out
    assert "[/]" in out


def test_long_message_is_shortened() -> None:
    out = text(result(check("shapes", FAILED, 0, 2, "x" * 500)))
    assert out.count("x") < 110                   # 99 of the message, the ellipsis, "ex02"
    assert len(shorten("y" * 500)) == 100 and shorten("y" * 500).endswith("…")
    assert shorten("\n\n  first  \nsecond") == "first …"
    assert shorten("") == ""


def test_plain_console_has_no_escape_codes() -> None:
    console = Console(record=True, width=80, force_terminal=False, color_system=None)
    render_table(MIXED, console)
    assert "\x1b[" not in console.export_text(styles=False)


def test_default_console_writes_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    render_table(MIXED)
    assert "Score: 2.5/10.5" in capsys.readouterr().out


def test_summary_line() -> None:
    assert summary_line(MIXED) == "ex02: 2.5/10.5 (1 check failed, 1 could not run)"
    full = result(check("a"), check("b"))
    assert summary_line(full) == "ex02: 4/4 (all checks passed)"
    two = result(check("a", FAILED, 0), check("b", FAILED, 0), check("c"), public_only=True,
                 hidden_remaining=2)
    assert summary_line(two) == "ex02: 2/6 (2 checks failed, 2 hidden not run)"
    broken = result(check("a", ERROR, 0), status=SYNTAX_ERROR, message="line 3: invalid syntax\nx")
    assert summary_line(broken) == "ex02: 0/2 (syntax error: line 3: invalid syntax …)"


def test_a_students_output_line_cannot_drive_the_terminal() -> None:
    """Progress.output shows the student's printed line through grader.core.text.printable:
    no escape reaches the terminal, and no title or fake score is left behind as text."""
    import io

    from conftest import exercise
    from grader.rendering.terminal import Progress
    out = io.StringIO()
    console = Console(file=out, width=120, color_system=None)
    with Progress(exercise("ex02"), console=console) as progress:
        progress.output("\x1b]0;10/10 full marks\x07\x1b[2J\x1b(Bloss 0.5\r10/10\u202e")
    shown = out.getvalue()
    assert "\x1b" not in shown and "full marks" not in shown
    assert "│ loss 0.5\ufffd10/10\ufffd" in shown
