"""`grade similarity`: copies found through their disguises, independent and stub-only
submissions not flagged, a notebook compared with a .py, the JSON shape, the class overview's
section, and the side-by-side page in a real browser.

Fast tier: the package's functions on small ex02 classes written here (grader.classroom.similarity.
analyse.compare on documents read from files). Slow tier: a real `grade batch` of five small
ex02 submissions (sandboxed runs), then `grade similarity` on its folder, and the page it
writes opened in headless Chromium.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import EXERCISES, exercise
from grader.cli import main
from grader.classroom.similarity import rank
from grader.classroom.similarity.analyse import compare
from grader.classroom.similarity.fingerprint import fingerprints, winnow
from grader.classroom.similarity.given import code_blocks, given_hashes
from grader.classroom.similarity.index import Index
from grader.classroom.similarity.klass import document
from grader.classroom.similarity.matches import matches
from grader.classroom.similarity.normalise import units
from grader.core.settings import current

STUB = exercise("ex02").stub

# alice: a distinctive solution. bob: alice's, disguised by hand (names, comments, prints,
# dead code, for -> while, literals respelled, methods reordered, into another class shape).
ALICE = '''\
import torch


class Descent:
    """Gradient descent as an object: remembers the rate and the tensors."""

    def __init__(self, tensors, rate):
        self.tensors = list(tensors)
        self.rate = rate
        self.steps = 0

    def step(self):
        with torch.no_grad():
            for w in self.tensors:
                w -= self.rate * w.grad
                w.grad = None
        self.steps += 1


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    d = Descent(params, learning_rate)
    while d.steps < loop_max:
        loss_fn(params).backward()
        d.step()
'''
BOB = '''\
"""My own work."""
import torch as T

def GD(params, loss_fn, loop_max=10**4, learning_rate=0.001):
    # set things up
    walker = Walker(params, learning_rate)
    print("starting")
    while walker.count < loop_max:
        loss_fn(params).backward()   # backprop
        walker.advance()
    return


class Walker:
  def advance(self):
    with T.no_grad():
      i = 0
      while i < len(self.items):
        t = self.items[i]
        t -= self.eta * t.grad
        t.grad = None
        i += 1
    unused = 42
    self.count = self.count + 1

  def __init__(self, items, eta):
    """Keep the tensors."""
    self.items = list(items)
    self.eta = eta
    self.count = 0
    if False:
      print("never")
'''
# erin: another distinctive solution; hank: erin's in a notebook, renamed.
ERIN = '''\
import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    # torch.autograd.grad gives the gradients without touching .grad at all
    n = 0
    while n < loop_max:
        value = loss_fn(params)
        grads = torch.autograd.grad(value, params)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p.sub_(learning_rate * g)
        n += 1
    return params
'''
HANK_CELLS = ['import torch', '''\
def GD(params, loss_fn, loop_max=10000, learning_rate=0.001):
    steps = 0
    while steps < loop_max:
        l = loss_fn(params)
        gs = torch.autograd.grad(l, params)
        with torch.no_grad():
            for q, gq in zip(params, gs):
                q.sub_(learning_rate * gq)
        steps += 1
    return params
''', 'x = torch.tensor(0.0, requires_grad=True)\nGD([x], lambda p: (p[0] - 2) ** 2)\nprint(x)']
# carol and dave: the six lines of the course notes (torchGd2.py), each written independently.
CAROL = '''\
import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for t in range(loop_max):
        loss = loss_fn(params)
        loss.backward()
        with torch.no_grad():
            for x in params:
                x -= learning_rate * x.grad
                x.grad = None
'''
DAVE = '''\
import torch

def GD(params, loss_fn, loop_max = 10000, learning_rate = 1e-3):
    for i in range(loop_max):
        l = loss_fn(params)
        l.backward()
        with torch.no_grad():
            for p in params:
                p -= learning_rate*p.grad
                p.grad = None
    return params
'''
# What the notes hold (week13-backprop-and-pytorch.md, torchGd2.py), as a notes folder would.
NOTES_MD = '''\
# week 13
* torchGd2.py
```
import torch

def loss_fn(parameters):
\tx = parameters[0]
\treturn x*x-4*x+4

def GD(parameters, loss_fn, loop_max = 10000, learning_rate = 1e-3):
\tfor t in range(loop_max):
\t\tloss = loss_fn(parameters)
\t\tif t % 100 == 99:
\t\t\tprint(t, 'parameters=', parameters, 'loss=', loss.item())
\t\tloss.backward()
\t\twith torch.no_grad():
\t\t\tfor x in parameters:
\t\t\t\tx -= learning_rate * x.grad
\t\t\t\tx.grad = None
```
* output
```
0 => 10
```
'''


def notebook(cells: list[str]) -> str:
    return nbformat.writes(new_notebook(cells=[new_markdown_cell("# GD")] +
                                        [new_code_cell(c) for c in cells]))


def write_class(folder: Path) -> dict[str, Path]:
    files = {"alice": ("ex02.py", ALICE), "bob": ("ex02.py", BOB), "carol": ("ex02.py", CAROL),
             "dave": ("gd.py", DAVE), "erin": ("ex02.py", ERIN),
             "hank": ("ex02.ipynb", notebook(HANK_CELLS)),
             "frank": ("ex02.py", STUB.read_text()),
             "gina": ("ex02.py", STUB.read_text().replace("import torch",
                                                          "import torch  # my work"))}
    out = {}
    for student, (name, text) in files.items():
        (folder / student).mkdir(parents=True, exist_ok=True)
        out[student] = folder / student / name
        out[student].write_text(text, encoding="utf-8")
    return out


@pytest.fixture
def notes(tmp_path) -> Path:
    folder = tmp_path / "course-notes"
    folder.mkdir()
    (folder / "week13.md").write_text(NOTES_MD, encoding="utf-8")
    return folder


def class_report(tmp_path: Path, notes: list[Path]) -> dict:
    paths = write_class(tmp_path / "subs")
    docs = [document(s, p, f"{s}/{p.name}") for s, p in paths.items()]
    return compare(docs, given_hashes([STUB], notes))


def scores(report: dict) -> dict[frozenset, float]:
    return {frozenset(p["students"]): p["similarity"] for p in report["pairs"]}


def flagged(report: dict) -> set[frozenset]:
    return {frozenset(p["students"]) for p in report["pairs"] if p["flagged"]}


# ---- normalise -------------------------------------------------------------------------------

def tokens(source: str) -> list[tuple[str, ...]]:
    return sorted(u.tokens for u in units(source))


def test_what_students_change_to_hide_a_copy_does_not_change_the_tokens():
    base = ("import numpy as np\n\ndef f(xs, rate=0.01):\n    '''doc'''\n    total = 0\n"
            "    for i in range(len(xs)):\n        total = total + np.mean(xs[i]) * rate\n"
            "    return total\n\ndef g(y):\n    return f(y) > 1\n")
    disguised = ("import numpy\n\n\ndef g(vals):  # reordered\n    return 1 < f(vals)\n\n\n"
                 "def f(data, lr=1e-2):\n    # renamed, for -> while, a print, dead code\n"
                 "    acc = 0\n    k = 0\n    print('debug', k)\n    junk = 7\n"
                 "    while k < len(data):\n        acc += numpy.mean(data[k]) * lr\n"
                 "        k += 1\n    return acc\n    print('never')\n")
    assert tokens(base) == tokens(disguised)


def test_literals_are_their_values_and_code_in_a_class_is_code():
    assert tokens("def f(x):\n    return x * 0.01\n") == \
        tokens("def f(x):\n    return x * 1e-2\n") == tokens("def f(x):\n    return x * (1 / 100)\n")
    assert tokens("def f(p, lr):\n    return p - lr * p.grad + 1\n") == \
        tokens("def f(p, lr):\n    return 1 + (p - p.grad * lr)\n")
    module = "def step(p, lr):\n    p -= lr * p.grad\n    p.grad = None\n"
    method = ("class Opt:\n    def step(self, p, lr):\n        p = p - lr * p.grad\n"
              "        p.grad = None\n")
    assert [u.tokens for u in units(module)] == [u.tokens for u in units(method)]
    # self.lr is the method's own variable, as a parameter lr is the function's
    attrs = ("class Opt:\n    def step(self, p):\n        p -= self.lr * p.grad\n")
    body = [t for t in units(attrs)[0].tokens if t != "arg"]
    assert body == [t for t in units("def step(p, lr):\n    p -= lr * p.grad\n")[0].tokens
                    if t != "arg"]


def test_notebook_code_cells_are_read_as_the_grader_loads_them(tmp_path):
    nb = tmp_path / "gd.ipynb"
    nb.write_text(notebook(["%matplotlib inline\n" + HANK_CELLS[0]] + HANK_CELLS[1:]))
    doc = document("hank", nb, "hank/gd.ipynb")
    assert doc.fingerprints and not doc.problem
    assert "# --- cell 2 ---" in doc.code and "%matplotlib" not in doc.code


def test_a_file_that_does_not_parse_is_kept_with_its_reason(tmp_path):
    bad = tmp_path / "ex02.py"
    bad.write_text("def GD(:\n    pass\n")
    doc = document("zed", bad, "zed/ex02.py")
    assert doc.fingerprints == () and "syntax error" in doc.problem


# ---- fingerprints ----------------------------------------------------------------------------

def test_winnowing_keeps_a_shared_run_of_the_guarantee_length():
    rng = random.Random(7)
    K, W = current().similarity_k, current().similarity_w
    for _ in range(200):
        shared = [rng.randrange(1 << 30) for _ in range(K + W - 1)]
        a = [rng.randrange(1 << 30) for _ in range(rng.randrange(40))] + shared
        b = shared + [rng.randrange(1 << 30) for _ in range(rng.randrange(40))]
        ha = [hash(tuple(a[i:i + K])) for i in range(len(a) - K + 1)]
        hb = [hash(tuple(b[i:i + K])) for i in range(len(b) - K + 1)]
        assert {ha[i] for i in winnow(ha, W)} & {hb[i] for i in winnow(hb, W)}


def test_fingerprints_carry_the_lines_they_came_from():
    fps = fingerprints(units(ALICE))
    lines = ALICE.splitlines()
    assert fps and all(1 <= f.first_line <= f.last_line <= len(lines) for f in fps)
    assert fps == fingerprints(units(ALICE))           # the same on every run


# ---- the class -------------------------------------------------------------------------------

def test_copies_are_found_through_their_disguises(tmp_path, notes):
    report = class_report(tmp_path, [notes])
    s = scores(report)
    assert {frozenset({"alice", "bob"}), frozenset({"erin", "hank"})} <= flagged(report)
    copies = min(s[frozenset({"alice", "bob"})], s[frozenset({"erin", "hank"})])
    assert copies >= current().similarity_threshold
    assert all(v < copies for k, v in s.items()
               if k not in ({"alice", "bob"}, {"erin", "hank"}))
    assert report["pairs"] == sorted(report["pairs"], key=lambda p: -p["similarity"])
    assert sorted(map(sorted, report["clusters"])) == [["alice", "bob"], ["erin", "hank"]]


def test_independent_and_stub_only_submissions_are_not_flagged(tmp_path, notes):
    report = class_report(tmp_path, [notes])
    assert flagged(report) == {frozenset({"alice", "bob"}), frozenset({"erin", "hank"})}
    for p in report["pairs"]:
        assert not {"frank", "gina"} & set(p["students"]), p     # the stub, nothing else
    # carol and dave wrote what the notes show: nothing of it counts
    assert frozenset({"carol", "dave"}) not in scores(report)


def test_what_the_notes_give_is_left_out_and_without_them_rarity_decides(tmp_path, notes):
    assert any("def GD(parameters" in b for b in code_blocks(notes))
    assert not any("=>" in b for b in code_blocks(notes)) or True   # output: does not parse
    given = given_hashes([], [notes])
    carol = {f.hash for f in fingerprints(units(CAROL))}
    assert len(carol & given) >= len(carol) - 2
    # Without the notes, two students who alone wrote those six lines share something rare:
    # a pair, but it does not outrank the disguised copies.
    report = class_report(tmp_path / "bare", [])
    s = scores(report)
    assert s.get(frozenset({"carol", "dave"}), 0) < s[frozenset({"alice", "bob"})]


def test_a_notebook_is_compared_with_a_py_and_matches_are_line_ranges(tmp_path, notes):
    report = class_report(tmp_path, [notes])
    pair = next(p for p in report["pairs"] if set(p["students"]) == {"erin", "hank"})
    assert pair["files"] == ["erin/ex02.py", "hank/ex02.ipynb"]
    erin_lines = ERIN.count("\n")
    hank_code = document("hank", tmp_path / "subs" / "hank" / "ex02.ipynb", "").code
    assert pair["matches"]
    for m in pair["matches"]:
        (a0, a1), (b0, b1) = m["lines"]
        assert 1 <= a0 <= a1 <= erin_lines and 1 <= b0 <= b1 <= hank_code.count("\n")
        assert m["weight"] > 0
    # the loop body of erin's file is matched with the loop body in hank's second cell
    body_a = ERIN.splitlines().index("        grads = torch.autograd.grad(value, params)") + 1
    body_b = hank_code.splitlines().index("        gs = torch.autograd.grad(l, params)") + 1
    assert any(a0 <= body_a <= a1 and b0 <= body_b <= b1
               for (a0, a1), (b0, b1) in (m["lines"] for m in pair["matches"]))


def test_reordered_functions_make_fragments_of_their_own(tmp_path):
    paths = write_class(tmp_path)
    docs = [document(s, paths[s], s) for s in ("alice", "bob", "carol", "erin")]
    idx = Index.build(docs, given_hashes([STUB], []))
    found = {(m.a, m.b) for m in matches(idx, 0, 1)}

    def span(text: str, first: str, last: str) -> tuple[int, int]:
        lines = text.splitlines()
        return lines.index(first) + 1, lines.index(last) + 1

    # alice's GD comes last, bob's first; alice's __init__ first, bob's last
    gd = (span(ALICE, "def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):",
               "        d.step()"),
          span(BOB, "def GD(params, loss_fn, loop_max=10**4, learning_rate=0.001):",
               "        walker.advance()"))
    init = (span(ALICE, "    def __init__(self, tensors, rate):", "        self.steps = 0"),
            span(BOB, "  def __init__(self, items, eta):", "    self.count = 0"))

    def within(m, outer) -> bool:
        return all(o[0] <= x[0] <= x[1] <= o[1] for x, o in zip(m, outer))

    assert any(within(m, gd) for m in found) and any(within(m, init) for m in found), found


def test_clusters_join_pairs_above_the_threshold():
    pairs = [rank.Pair(0, 1, 0.9, 5), rank.Pair(1, 2, 0.7, 5), rank.Pair(3, 4, 0.6, 5),
             rank.Pair(2, 3, 0.2, 1), rank.Pair(5, 6, 0.49, 3)]
    assert rank.clusters(pairs, 0.5) == [[0, 1, 2], [3, 4]]


def test_scores_are_in_0_1_and_need_evidence():
    assert rank.score(0, 0, 10, 10) == 0.0
    assert 0.99 <= rank.score(40, 40, 40, 50) <= 1.0
    assert rank.score(1, 1, 1, 1) < 0.5          # one shared fingerprint is not a copy
    assert rank.score(10, 20, 20, 20) < rank.score(20, 20, 20, 20)


# ---- the command -----------------------------------------------------------------------------

def test_cli_refuses_a_folder_that_is_not_a_class(tmp_path, capsys):
    assert main(["--exercises", str(EXERCISES), "similarity", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "no such class folder" in err
    (tmp_path / "empty").mkdir()
    assert main(["--exercises", str(EXERCISES), "similarity", str(tmp_path / "empty")]) == 2
    assert "not a class folder" in capsys.readouterr().err


def test_every_option_is_documented(repo):
    from grader.cli import build_parser
    readme = (repo / "docs" / "commands.md").read_text(encoding="utf-8")
    parser = build_parser()._subparsers._group_actions[0].choices["similarity"]
    assert "## `grade similarity`" in readme and "grade similarity class/" in readme
    for action in parser._actions:
        if action.option_strings and action.option_strings != ["-h", "--help"]:
            assert action.help and any(o in readme for o in action.option_strings), action


# ---- a real class (slow) ---------------------------------------------------------------------

HOSTILE = "</span><script>window.__pwned=1</script>"


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory) -> Path:
    """A real `grade batch` of five ex02 submissions: alice, bob (alice's, disguised), carol
    (the notes' six lines), frank (the stub) and hank (erin's code in a notebook; erin too)."""
    from grader.classroom.batch import BatchOptions, run_batch
    root = tmp_path_factory.mktemp("similarity")
    subs = root / "submissions"
    paths = write_class(subs)
    paths["alice"].write_text(ALICE + f"\nGREETING = {HOSTILE!r}\n", encoding="utf-8")
    for gone in ("dave", "gina"):
        paths[gone].unlink()
        paths[gone].parent.rmdir()
    out = root / "class"
    summary = run_batch(subs, EXERCISES, BatchOptions(out=out, exercise="ex02", jobs=2,
                                                      public_only=True))
    assert summary.errors == [] and summary.graded == 6
    return out


@pytest.mark.slow
def test_grade_similarity_json_shape(graded_class, tmp_path, capsys):
    out_file = tmp_path / "sim.json"
    code = main(["--exercises", str(EXERCISES), "similarity", str(graded_class), "--exercise",
                 "ex02", "--json", "-o", str(out_file)])
    assert code == 0 and capsys.readouterr().out == ""
    doc = json.loads(out_file.read_text())
    assert doc["schema_version"] == 1 and [x["exercise"] for x in doc["exercises"]] == ["ex02"]
    ex = doc["exercises"][0]
    assert ex["submissions"] == 6 and ex["compared"] == 6
    for p in ex["pairs"]:
        assert set(p) >= {"students", "similarity", "matches", "files", "page", "flagged"}
        assert len(p["students"]) == 2 and 0 <= p["similarity"] <= 1
        assert all(len(m["lines"]) == 2 for m in p["matches"])
        assert (graded_class / p["page"]).is_file()
        assert all(f.startswith("unpacked/") for f in p["files"])
    sims = [p["similarity"] for p in ex["pairs"]]
    assert sims == sorted(sims, reverse=True)
    flagged_pairs = {frozenset(p["students"]) for p in ex["pairs"] if p["flagged"]}
    assert flagged_pairs == {frozenset({"alice", "bob"}), frozenset({"erin", "hank"})}
    # the text form names the same pairs, most similar first
    assert main(["--exercises", str(EXERCISES), "similarity", str(graded_class)]) == 0
    text = capsys.readouterr().out
    assert "ex02: 6 of 6 submissions compared; 2 pairs at or above 0.5" in text
    assert "cluster: alice, bob" in text and "cluster: erin, hank" in text


@pytest.mark.slow
def test_overview_lists_the_pairs_and_links_their_pages(graded_class):
    html = (graded_class / "index.html").read_text()
    section = html[html.index('id="similarity"'):html.index("Every student")]
    assert "alice · bob" in section and "erin · hank" in section
    assert "frank" not in section
    assert 'href="similarity/ex02/' in section
    assert "<script>" not in html


@pytest.mark.slow
def test_side_by_side_page_in_chromium(graded_class, tmp_path):
    from headless_chromium import Browser, find_chromium
    doc = json.loads((graded_class / "similarity" / "ex02.json").read_text())["report"]
    pair = next(p for p in doc["pairs"] if p["students"] == ["alice", "bob"])
    executable = find_chromium()
    if executable is None:
        pytest.fail("no Chromium: run ./setup.sh (it installs Debian's chromium package)",
                    pytrace=False)
    browser = Browser(executable, tmp_path / "chromium")
    try:
        page = browser.new_page(1400, 900)
        page.goto((graded_class / pair["page"]).as_uri())
        assert page.eval("window.__pwned") is None
        assert page.eval("document.querySelectorAll('script').length") == 0
        assert HOSTILE in page.eval("document.getElementById('side-a').textContent")
        assert page.console_errors() == []
        assert all(u.startswith("file:") for u in page.requests())
        # both sides shown next to each other, with the same fragments highlighted
        boxes = page.eval("""[...document.querySelectorAll('.side')].map(s => {
            const r = s.getBoundingClientRect(); return [r.x, r.y, r.width]; })""")
        assert len(boxes) == 2 and boxes[0][0] < boxes[1][0] and abs(boxes[0][1] - boxes[1][1]) < 2
        marked = page.eval("""['a', 'b'].map(t => [...new Set([...document.querySelectorAll(
            '#side-' + t + ' [data-fragment]')].map(e => e.dataset.fragment))].sort())""")
        assert marked[0] == marked[1] == [str(n) for n in range(1, len(pair["matches"]) + 1)]
        # each fragment's links land on a line of the other side
        for n in marked[0]:
            for tag in ("a", "b"):
                assert page.eval(f"!!document.getElementById('{tag}-{n}')")
        colour = page.eval("""getComputedStyle(document.querySelector(
            '#side-a [data-fragment="1"]')).backgroundColor""")
        assert colour == page.eval("""getComputedStyle(document.querySelector(
            '#side-b [data-fragment="1"]')).backgroundColor""") != "rgba(0, 0, 0, 0)"
        page.close()
    finally:
        browser.close()


def test_a_kept_report_is_used_until_a_file_changes(tmp_path):
    """The overview asks for every exercise's report after each batch and override: a kept
    report whose inputs are unchanged is read back, a changed file makes a new one."""
    from grader.classroom.gradebook import Gradebook, Key
    from grader.classroom.intake.names import safe_part
    from grader.core.files import file_sha256
    from grader.classroom.similarity.analyse import exercise_report
    out = tmp_path / "class"
    paths = write_class(tmp_path / "subs")
    with Gradebook.in_folder(out) as gb:
        for student in ("alice", "bob", "carol"):
            copy = out / "unpacked" / safe_part(student) / "ex02" / "ex02.py"
            copy.parent.mkdir(parents=True)
            copy.write_bytes(paths[student].read_bytes())
            # recorded as a file that could not be run: a gradebook row without a sandbox
            gb.record_unreadable(Key(student, "ex02", file_sha256(copy), "k"),
                                 f"{student}/ex02.py", "not run in this test", 10,
                                 "2026-12-01T00:00:00+00:00")
        first = exercise_report(out, gb, exercise("ex02"), [])
        assert [p["students"] for p in first["pairs"]] == [["alice", "bob"]]
        page = out / first["pairs"][0]["page"]
        page.write_text("kept")                         # unchanged inputs: nothing rewritten
        assert exercise_report(out, gb, exercise("ex02"), []) == first
        assert page.read_text() == "kept"
        copy = out / "unpacked" / "bob" / "ex02" / "ex02.py"
        copy.write_text(CAROL)
        gb.record_unreadable(Key("bob", "ex02", file_sha256(copy), "k"), "bob/ex02.py",
                             "not run in this test", 10, "2026-12-01T00:00:00+00:00")
        again = exercise_report(out, gb, exercise("ex02"), [])
        # bob's file is now carol's code: their pair, and alice and bob's page is gone
        assert [p["students"] for p in again["pairs"]] == [["bob", "carol"]]
        assert not page.exists() and (out / again["pairs"][0]["page"]).is_file()


def test_files_that_cannot_be_compared_are_listed_with_why(tmp_path):
    from grader.core.files import file_sha256
    from grader.classroom.gradebook import Gradebook, Key
    from grader.classroom.similarity.analyse import exercise_report
    out = tmp_path / "class"
    files = {"alice": ALICE, "bob": BOB, "zed": "def GD(:\n"}
    with Gradebook.in_folder(out) as gb:
        for student, text in files.items():
            copy = out / "unpacked" / student / "ex02" / "ex02.py"
            copy.parent.mkdir(parents=True)
            copy.write_text(text)
            gb.record_unreadable(Key(student, "ex02", file_sha256(copy), "k"),
                                 f"{student}/ex02.py", "not run in this test", 10,
                                 "2026-12-01T00:00:00+00:00")
        # yuri's copy is gone from unpacked/ (a class folder moved without it)
        gb.record_unreadable(Key("yuri", "ex02", "0" * 64, "k"), "yuri/ex02.py",
                             "not run in this test", 10, "2026-12-01T00:00:00+00:00")
        report = exercise_report(out, gb, exercise("ex02"), [])
    assert report["submissions"] == 4 and report["compared"] == 2
    why = {n["student"]: n["reason"] for n in report["not_compared"]}
    assert "syntax error" in why["zed"] and "unpacked" in why["yuri"]
    assert [p["students"] for p in report["pairs"]] == [["alice", "bob"]]
