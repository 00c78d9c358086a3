"""Render a `Result` as one self-contained HTML file: inline CSS, no scripts, opens offline.

Everything shown is escaped by Jinja2's autoescape; the only markup inserted unescaped is the
SVG from `grader.rendering.plots`, which escapes its own text.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from grader.grading import feedback
from grader.grading.checks import fmt, fmt_apart
from grader.rendering import plots
from grader.core.files import atomic_write_text, file_part
from grader.core.text import fmt_points
from grader.core.result import (ERROR, FAILED, FORBIDDEN, GRADED, GRADER_ERROR, LOAD_ERROR, PASSED,
                           SYNTAX_ERROR,
                           Result)

TEMPLATES = Path(__file__).parent / "templates"

# What a student should read first when the checks never ran.
_NOT_GRADED = {
    SYNTAX_ERROR: "Your file has a syntax error, so no check could run",
    LOAD_ERROR: "Your submission could not be loaded, so no check could run",
    FORBIDDEN: "Your submission imports a package this exercise does not allow",
}


@dataclass(frozen=True)
class Banner:
    tone: str          # "good" | "warn" | "bad": the CSS class of the banner
    headline: str
    next_step: str


def render_html(result: Result, adjustments: tuple[str, ...] | list[str] = (),
                hidden_text: str | None = None) -> str:
    """The full report for one submission, as an HTML string. `adjustments`: lines saying
    what changed the grader's score (overrides, late penalty); `hidden_text`: what to say of
    the hidden checks when they are withheld (default: they were not run)."""
    return environment().get_template("report.html").render(
        r=result, banner=banner(result), percent=_percent(result), adjustments=list(adjustments),
        hidden_note=hidden_text if hidden_text is not None else hidden_note(result),
        counts=_counts(result), submission_name=Path(result.submission).name or result.submission,
        faults=feedback.faults(result.checks) if result.status == GRADED else [],
        grouped=feedback.grouped(result.checks) if result.status == GRADED else set(),
        # A panel whose failure the lead diagnosis explains shows it, not a generic hint.
        hints={c.name: feedback.panel_hint(c, result.checks) for c in result.checks}
        if result.status == GRADED else {},
        time_limit=_time_limit(result))


def _time_limit(result: Result) -> str:
    """The run's time limit and, after a timeout, which of its limits was hit, in words."""
    run = result.run
    if run is None or not run.time_limit_s:
        return ""
    words = f"{run.time_limit_s:g} s of CPU time"
    if run.wall_ceiling_s:
        words += f", under a wall-clock ceiling of {run.wall_ceiling_s:g} s"
    hit = {"cpu": "the CPU time", "wall": "the wall-clock ceiling",
           "idle": "idle (it used no CPU time while the grader waited for it)"
           }.get(run.limit_hit)
    return f"{words}; hit: {hit}" if hit else words


def report_filename(exercise: str, submission: str) -> str:
    """The report's file name, `<exercise>-<submission stem>.html`: the one rule `write_html`
    and the batch's `report_path` share."""
    return f"{file_part(exercise)}-{file_part(Path(submission).stem)}.html"


def write_html(result: Result, out_dir: Path) -> Path:
    """Write the report to `out_dir/report_filename(...)` and return its path."""
    return atomic_write_text(Path(out_dir) / report_filename(result.exercise, result.submission),
                             render_html(result))


def banner(result: Result) -> Banner:
    """The status line at the top of the report and the one thing to do next."""
    if result.status != GRADED:
        headline = _NOT_GRADED.get(result.status, "Your submission could not be graded")
        said = feedback.clean(result.message)
        if result.status == LOAD_ERROR and result.next_step:
            said = result.next_step   # the message, and how far a stopped import had got
        return Banner("bad", headline, said or result.next_step
                      or "Fix the problem above and submit again.")
    # A check the grader could not run is not the student's to fix.
    failing = [c for c in result.checks if c.status not in (PASSED, GRADER_ERROR)]
    if not failing:
        if result.public_only and result.hidden_remaining:
            # The hidden-checks note sits right under the banner; no need to repeat it here.
            return Banner("good", "All public checks pass", "Nothing to fix in what was checked.")
        return Banner("good", "Full marks", "Nothing to fix. Well done!")
    total = len(result.checks)
    headline = f"{len(failing)} of {total} check{'s' if total != 1 else ''} did not pass"
    # next_step names the likeliest cause across all checks (grader.grading.feedback); a result read
    # from an older JSON has none: the sentence that sends the student to the first failing check.
    return Banner("warn" if result.score > 0 else "bad", headline,
                  result.next_step or feedback.start_with(failing[0]))


def hidden_note(result: Result) -> str:
    n, p = result.hidden_remaining, fmt_points(result.hidden_points)
    return (f"Only public checks ran; the instructor will run {n} hidden "
            f"check{'s' if n != 1 else ''} worth {p} point{'s' if p != '1' else ''}.")




def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def seen_against(expected: Any, observed: Any) -> tuple[str, str]:
    """A failed check's expected and observed values (CheckResult.expected/observed), as the
    report shows them side by side: numbers with the digits it takes to tell them apart, lists
    in brackets, phrases as they are; "" for a side the check did not give."""
    if _is_number(expected) and _is_number(observed):
        seen, wanted = fmt_apart(float(observed), float(expected))
        return wanted, seen
    return _shown(expected), _shown(observed)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _shown(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return "[" + ", ".join(_shown(x) for x in v) + "]"
    return fmt(v) if _is_number(v) else str(v)


def _percent(result: Result) -> float:
    if result.max_score <= 0:
        return 0.0
    return round(max(0.0, min(100.0, 100.0 * result.score / result.max_score)), 1)


def _counts(result: Result) -> dict[str, int]:
    return {s: sum(c.status == s for c in result.checks)
            for s in (PASSED, FAILED, ERROR, GRADER_ERROR)}


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    """The one Jinja2 environment of every HTML page the grader writes (the report, the class
    overview): grader/rendering/templates, autoescaped, strict about undefined names."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True, undefined=StrictUndefined)
    env.filters["svg"] = plots.svg
    env.filters["points"] = fmt_points
    env.filters["first_line"] = _first_line
    env.filters["clean"] = feedback.clean
    env.globals["seen_against"] = seen_against
    return env
