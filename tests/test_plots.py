"""grader.rendering.plots and the report's "How it ran": what is not drawn, and what a time means."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from grader.rendering import plots
from grader.rendering.report import render_html
from grader.core.result import Plot, Result, RunInfo

NAN = float("nan")


def notes(svg: str) -> list[str]:
    ET.fromstring(svg)  # still one well-formed SVG
    return re.findall(r'class="plot-note"[^>]*>([^<]*)<', svg)


def test_a_fit_that_is_all_nan_says_it_was_not_drawn():
    """The legend names every series; a series with no line must say why it has none."""
    svg = plots.svg(Plot("the fit", "scatter+line", {
        "data": {"x": [0, 1, 2], "y": [1.0, 2.0, 3.0]},
        "your fit": {"x": [0, 1, 2], "y": [NAN, NAN, NAN]}}))
    assert notes(svg) == ["your fit: not drawn (nan or inf)"]
    assert svg.count("<polyline") == 0 and "your fit" in svg  # dots for data, no line for it


def test_partly_non_finite_series_say_how_many_values_are_missing():
    svg = plots.svg(Plot("loss", "line", {"yours": {"y": [3.0, 2.0, float("inf"), 1.0]},
                                          "torch": {"y": [3.0, 2.0, 1.5, 1.0]}}))
    assert notes(svg) == ["yours: 1 of 4 values not drawn (nan or inf)"]


def test_a_log_axis_names_values_it_has_no_place_for():
    svg = plots.svg(Plot("loss", "line", {"yours": {"y": [1.0, 0.1, 0.0]}}, log_y=True))
    assert notes(svg) == ["yours: 1 of 3 values not drawn (nan or inf, or not above 0 on the "
                          "log axis)"]


def test_a_plot_with_every_value_drawn_has_no_note():
    assert notes(plots.svg(Plot("loss", "line", {"yours": {"y": [3.0, 2.0, 1.0]}}))) == []


def _report(wall: float, cpu: float, student: float) -> str:
    run = RunInfo(seed=0, device="cpu", sandbox="test", wall_s=wall, cpu_s=cpu, student_s=student,
                  starts=1, time_limit_s=30)
    html = render_html(Result("ex02", "GD", "ex02.py", "graded", 0, 0, checks=(), run=run))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_how_it_ran_says_why_time_in_your_code_can_exceed_the_cpu_time():
    text = _report(wall=9.0, cpu=2.0, student=6.5)
    assert "6.50 s in your code (wall time: more than the CPU time, as it also counts the time " \
           "your code waited or the machine was busy with other work)" in text, text
    text = _report(wall=9.0, cpu=8.0, student=6.5)
    assert "6.50 s in your code (wall time, while your functions ran)" in text, text
