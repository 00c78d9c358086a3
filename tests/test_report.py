"""The HTML report: scores, banners, plots, escaping of everything a submission can influence."""
from __future__ import annotations

import re
import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from grader.core.settings import current
from grader.rendering import plots
from grader.rendering.report import banner, render_html, write_html
from grader.core.result import (ERROR, FAILED, GRADED, PASSED, SYNTAX_ERROR, CheckResult, Plot,
                           Result, RunInfo)

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
           '"><svg onload=alert(1)>', "</pre></div></svg><script>x()</script>"]
BAD = "".join(HOSTILE)
RUN = RunInfo(seed=0, device="cpu", sandbox="subprocess + rlimits", python="3.11.9",
              torch="2.5.1", numpy="2.1.0", wall_s=3.21, cpu_s=2.9, peak_mem_mb=412.0,
              starts=1, ended="exited normally")


def check(name: str, status: str = PASSED, points: float = 2, max_points: float = 2,
          **kw) -> CheckResult:
    return CheckResult(name=name, description=kw.pop("description", f"{name} works"),
                       status=status, points=points, max_points=max_points,
                       hidden=kw.pop("hidden", False), **kw)


def result(checks: tuple[CheckResult, ...], **kw) -> Result:
    score = sum(c.points for c in checks)
    defaults = dict(exercise="ex02", title="Linear regression", submission="subs/ex02.py",
                    status=GRADED, score=score, max_score=sum(c.max_points for c in checks) or 10,
                    checks=checks, run=RUN, output="epoch 1 loss 0.5\n")
    return Result(**{**defaults, **kw})


LOSS = Plot("Training loss", "line",
            {"train": {"x": list(range(50)), "y": [1 / (i + 1) for i in range(50)]},
             "val": {"y": [1.2 / (i + 1) + 0.05 for i in range(50)]}},
            xlabel="epoch", ylabel="loss", log_y=True)
FIT = Plot("Fit", "scatter+line", {"data": {"x": [0, 1, 2, 3], "y": [0.1, 1.9, 4.2, 5.8]},
                                   "model": {"x": [0, 3], "y": [0, 6]}})
CONF = Plot("Confusion matrix", "matrix", {"matrix": [[50, 2, 0], [3, 45, 1], [0, 4, 40]],
                                           "labels": ["cat", "dog", "bird"]})
DIGITS = Plot("Misclassified", "image-grid",
              {"images": [[[(r * 9 + c * 9) % 256 for c in range(28)] for r in range(28)]] * 3,
               "captions": ["7 as 1", "3 as 8", "4 as 9"]})
BARS = Plot("Accuracy per class", "bars",
            {"acc": {"x": ["cat", "dog", "bird"], "y": [0.9, 0.7, 0.8]}})


FULL = result((check("shape"), check("values", points=3, max_points=3)))
MIXED = result((
    check("loss_decreases", plots=(LOSS, FIT)),
    check("accuracy", FAILED, 0, 3, message="accuracy 0.41 < 0.90\nsecond line",
          hint="Did you call optimizer.zero_grad()?", plots=(CONF, DIGITS, BARS),
          expected="at least 0.9", observed=0.41),
    check("timing", ERROR, 0, 2, message="timed out after 10 s"),
), public_only=True, hidden_remaining=3, hidden_points=4, notes=("dropped 2 IPython magics",))
BROKEN = result((check("shape", ERROR, 0, 5), check("values", ERROR, 0, 5)), status=SYNTAX_ERROR,
                score=0, max_score=10, message="line 3: invalid syntax (ex02.py)", output="",
                run=None)
EVIL = result((check("evil", FAILED, 0, 1, description=BAD, message=BAD, hint=BAD,
                    expected=BAD, observed=[BAD, 1.5], plots=(
    Plot(BAD, "line", {BAD: {"x": [0, 1], "y": [1, 2]}}, xlabel=BAD, ylabel=BAD),
    Plot(BAD, "matrix", {"matrix": [[1, 2], [3, 4]], "labels": [BAD, BAD]}),
    Plot(BAD, "image-grid", {"images": [[[0, 255], [255, 0]]], "captions": [BAD]}),
    Plot(BAD, "bars", {BAD: {"x": [BAD], "y": [1]}}))),),
    title=BAD, notes=(BAD,), output=BAD * 3, output_truncated=True, message=BAD,
    submission=f"subs/{'<b>'}x.py", graded_at=BAD, grader_version=BAD)


class TagBalance(HTMLParser):
    """Records mismatched or unclosed container tags (the ones that would wreck the layout)."""
    TRACKED = {"html", "body", "main", "div", "section", "article", "header", "footer", "svg",
               "pre", "figure", "dl", "ul", "p", "style", "title", "text"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.starts: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts.append((tag, dict(attrs)))
        if tag in self.TRACKED:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.TRACKED:
            if not self.stack or self.stack[-1] != tag:
                self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
            else:
                self.stack.pop()


def parse(page: str) -> TagBalance:
    parser = TagBalance()
    parser.feed(page)
    parser.close()
    assert parser.errors == [] and parser.stack == [], (parser.errors, parser.stack)
    return parser


@pytest.mark.parametrize("res", [FULL, MIXED, BROKEN, EVIL],
                         ids=["full", "mixed", "broken", "evil"])
def test_well_formed_self_contained_and_scripts_free(res: Result) -> None:
    page = render_html(res)
    parser = parse(page)
    tags = {tag for tag, _ in parser.starts}
    assert "script" not in tags and "link" not in tags and "iframe" not in tags
    for _, attrs in parser.starts:
        assert not any(k.startswith("on") for k in attrs), attrs
        for key in ("src", "href"):
            assert not re.match(r"\s*(https?:)?//", attrs.get(key) or ""), attrs
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page)
    assert "@import" not in page


def test_full_marks() -> None:
    page = render_html(FULL)
    assert "5 / 5" in page and "Full marks" in page
    assert banner(FULL).tone == "good"
    assert page.count('class="card check passed"') == 2


def test_mixed_score_banner_and_public_only_note() -> None:
    page = render_html(MIXED)
    assert re.search(r'class="big">2</span><span class="of"> / 7<', page)
    assert "Did you call optimizer.zero_grad()?" in page            # first failure's hint
    assert "What to do next" in page and "accuracy works" in banner(MIXED).next_step
    assert ("Only public checks ran; the instructor will run 3 hidden checks worth 4 points"
            in page)
    assert "dropped 2 IPython magics" in page and "exited normally" in page
    assert "412 MB" in page and "torch 2.5.1" in page


def test_every_plot_kind_draws_svg() -> None:
    page = render_html(MIXED)
    assert page.count("<svg") == 5
    assert page.count("<polyline") >= 3                  # two loss series + the model line
    assert page.count("<circle") >= 4                    # the data points of the fit
    assert page.count("data:image/png;base64,") == 3
    for label in ("cat", "dog", "bird", "epoch", "loss", "45"):
        assert label in page
    assert "could not draw" not in page


def test_not_gradable_shows_the_reason() -> None:
    page = render_html(BROKEN)
    assert "syntax error" in page and "line 3: invalid syntax (ex02.py)" in page
    assert "0 / 10" in page and banner(BROKEN).tone == "bad"
    assert "printed nothing" in page


def test_hostile_strings_are_text() -> None:
    page = render_html(EVIL)
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    assert not re.search(r"<[a-z][^<>]*\son\w+\s*=", page)      # no tag carries a handler
    assert "onerror=alert(1)&gt;" in page                               # it shows as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "only part of it is shown" in page


@pytest.mark.parametrize("plot", [LOSS, FIT, CONF, DIGITS, BARS], ids=lambda p: p.kind)
def test_plot_svg_is_balanced(plot: Plot) -> None:
    out = plots.svg(plot)
    assert out.startswith("<svg") and out.endswith("</svg>")
    parse(out)
    assert "<polyline" in out or "<rect" in out


def test_log_axis_skips_values_it_cannot_draw() -> None:
    ys = [1, 0, -1, float("nan"), 0.01]
    out = plots.svg(Plot("l", "line", {"s": {"x": list(range(5)), "y": ys}}, log_y=True))
    (points,) = re.findall(r'<polyline points="([^"]*)"', out)
    assert len(points.split()) == 2
    drawn = re.sub(r'class="plot-note"[^>]*>[^<]*<', "", out)  # the note names what was not
    assert "nan" not in drawn.lower() and "inf" not in drawn.lower()
    assert "s: 3 of 5 values not drawn" in out


def test_log_axis_with_nothing_positive_falls_back_to_linear() -> None:
    out = plots.svg(Plot("zero loss", "line", {"loss": {"y": [0.0] * 10}}, log_y=True))
    (points,) = re.findall(r'<polyline points="([^"]*)"', out)
    assert len(points.split()) == 10


def test_long_series_is_downsampled() -> None:
    n = 100_000
    out = plots.svg(Plot("long", "line", {"s": {"x": list(range(n)), "y": list(range(n))}}))
    (points,) = re.findall(r'<polyline points="([^"]*)"', out)
    assert len(points.split()) <= current().plot_max_points + 1


@pytest.mark.parametrize("plot", [
    Plot("bad", "line", {"s": {"x": [0, 1], "y": ["a", "b"]}}),
    Plot("bad", "line", {"s": {}}),
    Plot("bad", "line", {"s": {"y": [float("nan")]}}),
    Plot("bad", "matrix", {"matrix": []}),
    Plot("bad", "image-grid", {"images": [[[1, 2], [3]]]}),
    Plot("bad", "pie", {}),
])
def test_bad_plots_become_a_note(plot: Plot) -> None:
    out = plots.svg(plot)
    assert out.startswith("<svg") and "plot-note" in out
    parse(out)


def test_png_encoder_writes_a_valid_grayscale_png() -> None:
    png = plots.png_gray([[0, 128, 255], [255, 300, -5]])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    length, tag = struct.unpack(">I4s", png[8:16])
    w, h, depth, colour = struct.unpack(">IIBB", png[16:26])
    assert (tag, w, h, depth, colour) == (b"IHDR", 3, 2, 8, 0)
    crc = struct.unpack(">I", png[16 + length:20 + length])[0]
    assert crc == zlib.crc32(png[12:16 + length])
    idat_len = struct.unpack(">I", png[20 + length:24 + length])[0]
    raw = zlib.decompress(png[28 + length:28 + length + idat_len])
    assert raw == bytes([0, 0, 128, 255, 0, 255, 255, 0])   # clamped, filter byte 0 per row


def test_write_html_names_the_file_and_makes_the_folder(tmp_path: Path) -> None:
    path = write_html(MIXED, tmp_path / "out" / "reports")
    assert path == tmp_path / "out" / "reports" / "ex02-ex02.html"
    assert path.read_text(encoding="utf-8") == render_html(MIXED)


def test_write_html_keeps_odd_names_inside_the_folder(tmp_path: Path) -> None:
    odd = result(FULL.checks, exercise="../../etc", submission="a/../<b> c.ipynb")
    path = write_html(odd, tmp_path)
    assert path.parent == tmp_path and path.name.endswith(".html")
    assert "/" not in path.name and "<" not in path.name


def test_json_round_trip_renders_the_same() -> None:
    assert render_html(Result.from_dict(MIXED.to_dict())) == render_html(MIXED)


def test_dense_lines_keep_every_pixel_columns_extremes() -> None:
    n = 2000  # four points per pixel column: drawn from fewer, spikes and dips included
    ys = [1.0] * n
    ys[777], ys[1500] = 50.0, -50.0
    out = plots.svg(Plot("spiky", "line", {"s": {"y": ys}}))
    (points,) = re.findall(r'<polyline points="([^"]*)"', out)
    drawn = [tuple(map(float, p.split(","))) for p in points.split()]
    assert len(drawn) < n / 2
    top, bottom = min(y for _, y in drawn), max(y for _, y in drawn)
    assert top <= plots.TOP + 20 and bottom >= plots.H - plots.BOTTOM - 20  # both drawn
    assert drawn == sorted(drawn, key=lambda p: p[0])   # left to right, as the data runs


@pytest.mark.parametrize("submission", ["ex02.py", "a/../<b> c.ipynb", "é" * 200 + ".py",
                                        "...", "dir/.hidden.py"])
def test_the_batch_finds_the_report_where_write_html_puts_it(tmp_path: Path, submission) -> None:
    """One naming rule (report.report_filename): the batch's report_path, which links the
    overview to each report, agrees with write_html whatever the file was called."""
    from grader.classroom.folder import report_dir, report_path
    from grader.classroom.gradebook import Entry
    odd = result(FULL.checks, submission=submission)
    entry = Entry(id=1, student="alice", name="", exercise=odd.exercise, sha256="0" * 64,
                  path=submission, graded_at="", status="graded", score=0.0, max_score=1.0,
                  message="", wall_s=0.0, result_json=None)
    written = write_html(odd, report_dir(tmp_path, entry))
    assert report_path(tmp_path, entry) == written and written.exists()
    assert not list(written.parent.glob("*.tmp"))  # written atomically, nothing left over


# ---- expected against seen ---------------------------------------------------------------------
def _mismatch(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<dl class="mismatch"><dt>expected</dt><dd><code>(.*?)</code></dd>'
                      r'<dt>seen</dt><dd><code>(.*?)</code></dd></dl>', page)


def test_a_failed_check_shows_expected_against_seen():
    page = render_html(result((
        check("close", FAILED, 0, 2, message="x = 4.89978; expected 2 +- 0.01",
              expected=2.0, observed=4.89978),
        check("apart", FAILED, 0, 1, message="loss = ...", expected=0.244728,
              observed=0.24472800001),
        check("shape", FAILED, 0, 1, message="wrong shape", expected=[3, 4], observed=[4, 3]),
        check("none", FAILED, 0, 1, message="should be a number", expected="a number",
              observed="None"),
        check("plain", FAILED, 0, 1, message="no values given"),
        check("passed", PASSED, 1, 1, expected=1.0, observed=1.0))))
    assert _mismatch(page) == [("2", "4.89978"), ("0.244728", "0.24472800001"),
                               ("[3, 4]", "[4, 3]"), ("a number", "None")]
    parse(page)


def test_expected_and_seen_are_escaped():
    page = render_html(EVIL)
    assert BAD not in page and "&lt;script&gt;" in page
    [(expected, seen)] = _mismatch(page)
    assert "<" not in expected and seen.endswith(", 1.5]")


def test_the_expected_and_seen_of_a_known_wrong_submission(tmp_path):
    """ex02's sign error through the whole pipeline: its numeric check carries the values as
    data in the JSON, and the report shows them; the reference gives none."""
    import json

    from conftest import SOLUTIONS, SUBMISSIONS, graded
    from grader.grading.checks import fmt
    wrong = graded("ex02", str(SUBMISSIONS / "ex02" / "sign_error.py"))
    doc = {c["name"]: c for c in json.loads(wrong.to_json())["checks"]}
    minimum = doc["test_reaches_minimum_of_notes_loss"]
    assert minimum["status"] == "failed" and minimum["expected"] == 2.0
    assert isinstance(minimum["observed"], float) and abs(minimum["observed"] - 2.0) > 0.01
    assert minimum["message"].startswith(f"x = {fmt(minimum['observed'])} after")
    assert all("expected" not in c and "observed" not in c
               for c in doc.values() if c["status"] == "passed")
    assert ("2", fmt(minimum["observed"])) in _mismatch(render_html(wrong))
    right = graded("ex02", str(SOLUTIONS / "ex02.py"))
    assert right.full_marks and all(c.expected is None and c.observed is None
                                    for c in right.checks)
    assert '"expected"' not in right.to_json() and '"observed"' not in right.to_json()

