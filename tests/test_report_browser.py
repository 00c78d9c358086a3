"""The HTML report in a real browser: headless Chromium opens each report from a file, as a
student or an instructor would, and the tests look at what the browser did with it.

- It renders: a full-page screenshot is a real PNG of the page's size, the score box is painted
  (dark pixels of its digits) and sits above the fold; nothing runs off the side of a phone.
- Nothing runs: no console error, no request other than the file itself and inline data: images,
  and markup from a submission (printed, raised, in a notebook's dropped lines, in its file
  name) or from a hostile check message or hint never becomes an element or a script:
  `window.__pwned` stays undefined, every element is one the template draws.
- It prints: with print media the output is not clipped, and `Page.printToPDF` gives a PDF whose
  first page shows the score and the verdict (read back with `headless_chromium.pdf_text`).

Chromium is Debian's `chromium` package (setup.sh installs it), driven over the DevTools
protocol on a pipe (tests/headless_chromium.py, standard library only). Without it these tests
fail, they do not skip: a CI without a browser must not pass quietly.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import SOLUTIONS, exercise
from grader.grading.pipeline import GradeOptions, grade
from grader.rendering.report import banner, fmt_points, write_html
from grader.core.result import FAILED, PASSED, Plot, Result, RunInfo
from headless_chromium import Browser, find_chromium, pdf_text, png_info
from test_report import FIT, LOSS, MIXED, check, result

pytestmark = pytest.mark.slow  # the slow tier: headless Chromium

# Each one sets window.__pwned if the browser ever treats it as markup or as a URL.
PAYLOADS = (
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    "<svg onload=window.__pwned=1>",
    '"><script>window.__pwned=1</script>',
    "'><img src=x onerror=window.__pwned=1>",
    "</pre></code></p></h3></title></style></text></svg><script>window.__pwned=1</script>",
    "]]><script>window.__pwned=1</script><!--",
    '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
    '<details open ontoggle="window.__pwned=1"><summary>x</summary></details>',
    '<a href="javascript:window.__pwned=1">click me</a>',
    '<meta http-equiv="refresh" content="0;url=javascript:window.__pwned=1">',
    '<object data="javascript:window.__pwned=1"></object>',
    '<form><button formaction="javascript:window.__pwned=1">go</button></form>',
    "{{ 7 * 7 }}{% raw %}",
)
BAD = " ".join(PAYLOADS)

# What the template and grader.rendering.plots draw; anything else in the DOM came from a submission.
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "header", "footer", "section",
    "article", "div", "span", "p", "h1", "h2", "h3", "strong", "code", "pre", "ul", "li", "dl",
    "dt", "dd", "figure", "svg", "rect", "line", "polyline", "circle", "text", "image"}

VIEWPORT = (1000, 800)
PHONE = (375, 700)


# --- the reports ------------------------------------------------------------------------------

FULL = result((
    check("test_reaches_minimum", points=3, max_points=3, duration_s=0.75,
          description="GD moves x from -1.5 to 2"),
    check("test_loss_falls", points=1, max_points=1, plots=(LOSS,), message="loss 1e-7"),
    check("test_fit", points=6, max_points=6, hidden=True, plots=(FIT,))),
    output="step 0 loss 12.25\nstep 1000 loss 0.018\n",
    # long words that must wrap on a phone
    submission="subs/ex02_gradient_descent_final_version_really_final_v3.ipynb",
    notes=("cell 1: dropped shell line `!pip install torch==2.13.0+cpu "
           "--index-url=https://download.pytorch.org/whl/cpu/torch_stable.html`",))

HOSTILE_CHECK = result((
    check("test_" + "evil" * 3, FAILED, 0, 4, description=BAD, message=f"{BAD}\n{BAD}", hint=BAD,
          expected=BAD, observed=[PAYLOADS[0], 1.5, BAD],
          plots=(Plot(BAD, "line", {BAD: {"x": [0, 1, 2], "y": [3, 1, 2]}}, xlabel=BAD,
                      ylabel=BAD),
                 Plot(BAD, "matrix", {"matrix": [[1, 2], [3, 4]], "labels": [BAD, BAD]}),
                 Plot(BAD, "image-grid", {"images": [[[0, 255], [255, 0]]], "captions": [BAD]}),
                 Plot(BAD, "bars", {BAD: {"x": [BAD, "b"], "y": [1, 2]}}))),
    check("test_fine", PASSED, 1, 1, description="a check that passed")),
    title=BAD, notes=(BAD,), message=BAD, graded_at=BAD, grader_version=BAD,
    submission="subs/" + PAYLOADS[1] + ".py", output=BAD,
    run=RunInfo(seed=0, device=BAD, sandbox=BAD, python=BAD, torch=BAD, numpy=BAD, wall_s=1.0,
                cpu_s=1.0, peak_mem_mb=100.0, starts=2, ended=BAD))


def hostile_notebook(folder: Path) -> Path:
    """ex02's reference solution in a notebook that prints markup, raises it (in the two checks
    that pass more than one tensor), drops it in a `!` line and a `%%html` cell, and is named
    with it."""
    gd = (SOLUTIONS / "ex02.py").read_text(encoding="utf-8")
    cells = [
        new_markdown_cell(f"# My gradient descent {PAYLOADS[0]}"),
        new_code_cell(f"!echo '{PAYLOADS[1]}'\nimport torch"),
        new_code_cell(f"%%html\n{PAYLOADS[0]}\n{PAYLOADS[7]}"),
        new_code_cell(gd + "\n_reference_gd = GD\n\n\n"
                      "def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):\n"
                      "    if len(params) > 1:\n"
                      f"        raise ValueError({BAD!r})\n"
                      "    return _reference_gd(params, loss_fn, loop_max, learning_rate)\n"),
        new_code_cell("import sys\n" + "".join(
            f"print({p!r}{', file=sys.stderr' if i % 2 else ''})\n"
            for i, p in enumerate(PAYLOADS))),
    ]
    path = folder / f"{PAYLOADS[1]}.ipynb"
    nbformat.write(new_notebook(cells=cells), str(path))
    return path


@pytest.fixture(scope="module")
def hostile_output(tmp_path_factory) -> Result:
    """A real grading run (one sandbox, about 8 s) of `hostile_notebook`."""
    path = hostile_notebook(tmp_path_factory.mktemp("submission"))
    res = grade(exercise("ex02"), path, GradeOptions())
    # Only worth testing if the markup did reach the result: printed, raised, noted, named.
    assert res.status == "graded" and 0 < res.score < res.max_score, res
    assert PAYLOADS[0] in res.output and PAYLOADS[1] in res.output and not res.output_truncated
    assert any(PAYLOADS[5] in c.message for c in res.checks)
    assert any(PAYLOADS[1] in n for n in res.notes) and PAYLOADS[1] in res.submission
    return res


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    executable = find_chromium()
    if executable is None:
        pytest.fail("no Chromium to open the report in: run ./setup.sh (it installs Debian's "
                    "chromium package: apt-get install chromium) or set CHROMIUM to a "
                    "Chromium or Chrome binary", pytrace=False)
    b = Browser(executable, tmp_path_factory.mktemp("chromium"))
    yield b
    b.close()


REPORTS = ["full", "mixed", "hostile_output", "hostile_check"]


@pytest.fixture(params=REPORTS)
def report(request, tmp_path) -> tuple[str, Result, Path]:
    """(name, result, path of its HTML report written under tmp_path)."""
    res = {"full": FULL, "mixed": MIXED, "hostile_check": HOSTILE_CHECK}.get(request.param)
    if res is None:
        res = request.getfixturevalue(request.param)
    return request.param, res, write_html(res, tmp_path / "reports")


def open_report(browser: Browser, path: Path, size=VIEWPORT):
    page = browser.new_page(*size)
    page.goto(path.as_uri())
    return page


# --- the harness itself -----------------------------------------------------------------------

def test_the_harness_sees_scripts_errors_and_requests(browser, tmp_path):
    """The checks below are not vacuous: on a page that does run a script, logs an error and
    loads a missing image, each detector fires."""
    path = tmp_path / "bad.html"
    path.write_text("<!DOCTYPE html><title>t</title><p>hi</p>"
                    "<script>window.__pwned = 1; console.error('boom')</script>"
                    "<img src=missing.png onerror=\"document.title = 'img failed'\">")
    page = open_report(browser, path)
    assert page.eval("window.__pwned") == 1
    assert page.eval("document.title") == "img failed"
    errors = page.console_errors()
    assert any("boom" in e for e in errors) and any("missing.png" in e for e in errors), errors
    assert any(url.endswith("/missing.png") for url in page.requests())
    assert "img" in page.eval(TAGS) and "script" in page.eval(TAGS)
    page.close()


# --- on screen --------------------------------------------------------------------------------

TAGS = "[...new Set([...document.querySelectorAll('*')].map(e => e.localName))]"
ATTRIBUTES = """[...document.querySelectorAll('*')].flatMap(e =>
    [...e.attributes].map(a => [e.localName, a.name, a.value]))"""
SCORE_BOX = """(() => { const r = document.querySelector('.score').getBoundingClientRect();
    return {x: r.x, y: r.y, width: r.width, height: r.height}; })()"""


def test_report_renders_and_runs_nothing(browser, report, tmp_path):
    name, res, path = report
    page = open_report(browser, path)

    shot = page.screenshot(tmp_path / "screen.png")
    height = page.eval("document.documentElement.scrollHeight")
    info = png_info(shot)
    assert (info.width, info.height) == (VIEWPORT[0], height) and height > 600
    assert len(shot) > 20_000   # a blank page of that size compresses to a few KB

    # The score is at the top, painted: its box holds dark pixels (the digits) and light ones.
    box = page.eval(SCORE_BOX)
    if name != "hostile_check":   # there, a title of a thousand characters pushes it down
        assert 0 <= box["y"] and box["y"] + box["height"] <= VIEWPORT[1], box
    assert page.eval("document.querySelector('.score .big').textContent") == \
        fmt_points(res.score)
    assert page.eval("document.querySelector('.banner strong').textContent") == \
        banner(res).headline
    score = png_info(page.screenshot(tmp_path / "score.png", clip=box), decode=True)
    pixels = score.pixels
    luma = [sum(pixels[i:i + 3]) // 3 for i in range(0, len(pixels), score.channels)]
    assert min(luma) < 80 and max(luma) > 200, (min(luma), max(luma))
    assert sum(v < 80 for v in luma) > 100   # digits, not one stray dark pixel

    # Nothing ran, nothing was fetched, nothing from the submission became an element.
    assert page.console_errors() == []
    assert page.eval("typeof window.__pwned") == "undefined"
    assert page.eval("location.href") == path.as_uri()
    assert [u for u in page.requests() if u != path.as_uri() and not u.startswith("data:")] == []
    assert set(page.eval(TAGS)) <= ALLOWED_TAGS, set(page.eval(TAGS)) - ALLOWED_TAGS
    for tag, name, value in page.eval(ATTRIBUTES):
        assert not name.lower().startswith("on"), (tag, name, value)
        if name.lower() in ("href", "src", "xlink:href", "action", "formaction", "data", "srcdoc"):
            assert (tag, value[:22]) == ("image", "data:image/png;base64,"), (tag, name, value)

    # What the submission wrote shows as text, all of it.
    if name.startswith("hostile"):
        text = page.eval("document.body.textContent")
        for payload in PAYLOADS:
            assert payload in text, payload
    page.close()


def test_report_fits_a_phone(browser, report, tmp_path):
    """At 375 px nothing runs off the right edge (no sideways scrolling)."""
    _, _, path = report
    page = open_report(browser, path, PHONE)
    page.screenshot(tmp_path / "phone.png")
    wide = page.eval("""[...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                     && !e.closest('figure'))
        .map(e => e.localName + '.' + e.className + ': ' + e.textContent.slice(0, 60))""")
    assert wide == []
    assert page.eval("document.documentElement.scrollWidth") <= PHONE[0]
    assert page.console_errors() == []
    page.close()


# --- on paper ---------------------------------------------------------------------------------

def test_report_prints(browser, report, tmp_path):
    name, res, path = report
    page = open_report(browser, path)
    page.emulate_media("print")
    page.screenshot(tmp_path / "print.png")
    if res.output:   # printed in full: the scroll box of the screen is gone on paper
        assert page.eval("getComputedStyle(document.querySelector('pre.output')).maxHeight") \
            == "none"
    pdf = page.pdf(tmp_path / "report.pdf")
    pages = pdf_text(pdf)
    assert pdf.rstrip().endswith(b"%%EOF") and len(pages) >= 1
    whole = "\n".join(pages)
    # The score as the page shows it, big digits then "/ max", and the verdict, on page 1
    # (the hostile title is a thousand characters long: there they may move to page 2).
    top = whole if name == "hostile_check" else pages[0]
    assert re.search(rf"^{re.escape(fmt_points(res.score))}\n / "
                     rf"{re.escape(fmt_points(res.max_score))}$", top, re.M), top[:600]
    assert banner(res).headline in top
    for c in res.checks:   # every check is on paper, with its points
        assert f"{fmt_points(c.points)} / {fmt_points(c.max_points)}" in whole
    if name.startswith("hostile"):
        assert PAYLOADS[0] in whole   # as text, on paper too
    assert page.console_errors() == []
    page.close()
