"""grader.core.text: points as read, and a student's text without what a terminal obeys. The
two callers of the one escape pattern: messages (feedback.clean: controls dropped, newlines
kept) and the student's live output lines (terminal: anything unprintable shown as U+FFFD)."""
from __future__ import annotations

import pytest

from grader.core.text import ESCAPES, clean, fmt_points, printable, strip_escapes
from grader.grading import feedback

TITLE = "\x1b]0;you got 10/10\x07"                 # OSC: sets the window title
TITLE_ST = "\x1b]2;10/10\x1b\\"                     # OSC ended by ST instead of BEL
LINK = "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"   # OSC 8 hyperlink
COLOUR = "\x1b[1;31mred\x1b[0m"
PRIVATE = "\x1b[?25l\x1b[<1;2;3M\x1b[=5h"          # CSI with private parameter bytes
CURSOR = "\x1b[2J\x1b[H\x1b[3A\x1bM\x1b7\x1b8"      # erase, home, up, reverse index, save/restore
CHARSET = "\x1b(B\x1b[m\x1b)0"                     # `tput sgr0` writes the first two
DCS = "\x1bPq#0;2;0;0;0\x1b\\\x1b_apc\x07"          # a sixel image, an APC string


@pytest.mark.parametrize("v,want", [(7.0, "7"), (7.5, "7.5"), (2.3333, "2.33"), (0, "0"),
                                    (0.001, "0"), (-1.5, "-1.5")])
def test_points_as_read(v, want):
    assert fmt_points(v) == want


@pytest.mark.parametrize("raw,want", [
    (COLOUR + " text", "red text"),
    (TITLE + "ok", "ok"), (TITLE_ST + "ok", "ok"), (LINK, "click"),
    (PRIVATE + "x", "x"), (CURSOR + "y", "y"), (CHARSET + "z", "z"), (DCS + "w", "w"),
    ("plain [red]markup[/red] stays", "plain [red]markup[/red] stays"),
])
def test_escape_sequences_go_whole(raw, want):
    """Each sequence goes with its parameters and its text (an OSC's title is not left behind as
    words), whichever caller asks."""
    assert strip_escapes(raw) == want
    assert clean(raw) == want
    assert printable(raw) == want


def test_messages_keep_lines_and_tabs_and_lose_controls():
    assert clean("a\r\nb\tc\x07\x00\x08\x7f\x9b\x85d\re") == "a\nb\tcde"
    assert clean(None) == "" and clean("") == ""
    assert feedback.clean is clean           # the renderers' name for it: one definition
    assert clean("café → ✓ 😀") == "café → ✓ 😀"


def test_output_lines_show_what_is_hidden():
    """A live line keeps its place for every character a terminal would not print as itself:
    a bell, a carriage return over a fake score, a bidi override, a zero-width joiner."""
    assert printable("a\x07b\rc") == "a\ufffdb\ufffdc"
    assert printable("x\u202eevil\u202c") == "x\ufffdevil\ufffd"
    assert printable("a\u200db") == "a\ufffdb"
    assert printable("tab\tkept, café ✓") == "tab\tkept, café ✓"
    assert printable("\x9b31mc1") == "\ufffd31mc1"   # a one-byte CSI is shown, never obeyed


def test_a_lone_escape_leaves_no_escape_byte():
    for raw in ("\x1b", "\x1b[", "\x1b[31", "\x1b]0;unterminated title"):
        assert "\x1b" not in printable(raw) and "\x1b" not in clean(raw), raw


def test_there_is_one_pattern():
    """grader.grading.feedback and grader.rendering.terminal spell no escape of their own."""
    from pathlib import Path

    from grader.rendering import terminal
    for module in (feedback, terminal):
        assert "\\x1b" not in Path(module.__file__).read_text(encoding="utf-8"), module
    assert ESCAPES.search("\x1b[0m") is not None
