"""How well and how fast `grade similarity` finds copies, against the libraries that do the same.

The corpus (bench/similarity_corpus/exNN/): `orig_*.py`, independent solutions written in
different styles, and `nat_*.py`, independent solutions that are alike by nature (the six
lines the stub's docstring describes, written separately); the course's reference solution
joins them. From each original the script makes copies with bench/similarity_mutate.py: a
light one (renamed, re-commented, laid out anew) and a heavy one (also reordered, literals
respelled, for -> while, dead code and prints, moved into a class), and for every other
original a second heavy copy handed in as a notebook. An original and its copies are one
family: every pair inside a family is a copy (a positive), every other pair is not.

For each exercise and method: ROC AUC (the chance that a copied pair scores above an
independent one; ties count half) and precision at K (K = the number of copied pairs: the
share of copies among the K top-scored pairs). Methods: this grader (given the stub and the
course notes), copydetect (PyPI; the stub as its boilerplate), Dolos (npm @dodona/dolos-lib,
run through node; skipped with the reason when it is not installed).

Speed: 500 submissions of ex02 (copies of the corpus with other seeds), from the files to the
ranked pairs with their matches, against the naive way (every pair's token streams compared
with difflib, timed on 100 submissions and scaled by the number of pairs).

    .venv/bin/python bench/similarity.py                 # everything; needs the baselines:
    python3 -m venv /tmp/simbench && /tmp/simbench/bin/pip install copydetect
    (cd /tmp/dolos && npm install @dodona/dolos-lib)
    .venv/bin/python bench/similarity.py --copydetect-python /tmp/simbench/bin/python \
        --dolos /tmp/dolos
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from grader.classroom.similarity import analyse, rank  # noqa: E402
from grader.classroom.similarity.index import Index  # noqa: E402
from grader.classroom.similarity.given import default_notes, given_hashes  # noqa: E402
from grader.classroom.similarity.klass import document  # noqa: E402
from grader.classroom.similarity.normalise import units  # noqa: E402
from grader.core.spec import find_exercise  # noqa: E402
import similarity_mutate as mutate  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "similarity_corpus"
EXERCISES = ("ex02", "ex03", "ex10")


@dataclass(frozen=True)
class Sub:
    name: str          # the student
    family: str        # an original and its copies share one
    source: str
    notebook: bool = False


def corpus(ex: str, seed: int = 0) -> list[Sub]:
    stub = find_exercise(REPO / "exercises", ex).stub.read_text(encoding="utf-8")
    keep = mutate.stub_names(stub)
    subs = [Sub(f"ref_{ex}", "ref", (REPO / "solutions" / f"{ex}.py").read_text("utf-8"))]
    for i, path in enumerate(sorted((CORPUS / ex).glob("*.py"))):
        src = path.read_text(encoding="utf-8")
        subs.append(Sub(path.stem, path.stem, src))
        if not path.stem.startswith("orig_"):
            continue
        rng = random.Random(f"{seed}-{ex}-{path.stem}")
        subs.append(Sub(f"{path.stem}_light", path.stem, mutate.light(src, keep, rng)))
        subs.append(Sub(f"{path.stem}_heavy", path.stem, mutate.heavy(src, keep, rng)))
        if i % 2 == 0:
            subs.append(Sub(f"{path.stem}_heavy_nb", path.stem, mutate.heavy(src, keep, rng),
                            notebook=True))
    return subs


def write(subs: list[Sub], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for s in subs:
        if s.notebook:
            cells = [new_markdown_cell("# My solution")]
            cells += [new_code_cell(part) for part in _cells(s.source)]
            path = folder / f"{s.name}.ipynb"
            nbformat.write(new_notebook(cells=cells), str(path))
        else:
            path = folder / f"{s.name}.py"
            path.write_text(s.source, encoding="utf-8")
        paths.append(path)
    return paths


def _cells(source: str) -> list[str]:
    """A notebook's cells: one per top-level definition, as students split them."""
    parts, cur = [], []
    for line in source.splitlines():
        if line.startswith(("def ", "class ", "@")) and cur and any(c.strip() for c in cur):
            parts.append("\n".join(cur))
            cur = []
        cur.append(line)
    parts.append("\n".join(cur))
    return parts


# ---- the methods: (paths) -> {(i, j): score} for i < j ---------------------------------------

NOTES = default_notes(REPO)       # ../shared/course-notes beside the checkout (--notes)


def ours(paths: list[Path], ex: str, notes: bool = True) -> dict[tuple[int, int], float]:
    exercise = find_exercise(REPO / "exercises", ex)
    given = given_hashes([exercise.stub], NOTES if notes else [])
    docs = [document(p.stem, p, p.name) for p in paths]
    # every pair's score, not only those `grade similarity` lists (0.2 and above)
    out = {}
    for p in rank.rank(Index.build(docs, given), floor=0.0):
        out[(p.a, p.b)] = p.similarity
    return out        # a pair that shares nothing worth anything scores 0


def as_plain_py(paths: list[Path], folder: Path) -> list[Path]:
    """The libraries read .py files: a notebook goes to them as its code cells, joined (what
    the grader compares too)."""
    from grader.classroom.similarity.normalise import read_code
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for p in paths:
        q = folder / f"{p.stem}.py"
        q.write_text(read_code(p), encoding="utf-8")
        out.append(q)
    return out


def copydetect_scores(paths: list[Path], ex: str, python: str
                      ) -> dict[tuple[int, int], float]:
    stub = find_exercise(REPO / "exercises", ex).stub
    script = """
import json, sys
from copydetect import CopyDetector
files, stub = json.loads(sys.argv[1]), sys.argv[2]
d = CopyDetector(extensions=["py"], autoopen=False, silent=True, display_t=0.0)
for f in files:
    d.add_file(f)
d.add_file(stub, type="boilerplate")
d.run()
m = d.similarity_matrix
print(json.dumps([[float(max(m[i][j][0], m[i][j][1])) for j in range(len(files))]
                  for i in range(len(files))]))
"""
    matrix = json.loads(subprocess.run([python, "-c", script, json.dumps([str(p) for p in paths]),
                                        str(stub)], capture_output=True, text=True,
                                       check=True).stdout.splitlines()[-1])
    return {(i, j): max(matrix[i][j], matrix[j][i]) for i in range(len(paths))
            for j in range(i + 1, len(paths))}


DOLOS_JS = """
const { Dolos } = require("@dodona/dolos-lib");
(async () => {
  const files = JSON.parse(process.argv[2]);
  const dolos = new Dolos({ language: "python" });
  const report = await dolos.analyzePaths(files, process.argv[3]);   // the stub: ignored
  const out = report.allPairs().map(p => [p.leftFile.path, p.rightFile.path, p.similarity]);
  console.log(JSON.stringify(out));
})().catch(e => { console.error(e); process.exit(1); });
"""


def dolos_scores(paths: list[Path], ex: str, folder: Path) -> dict[tuple[int, int], float]:
    stub = find_exercise(REPO / "exercises", ex).stub
    with tempfile.TemporaryDirectory() as tmp:
        plain = [str(p) for p in paths]
        script = Path(tmp) / "run.js"
        script.write_text(DOLOS_JS)
        env = dict(os.environ, NODE_PATH=str(folder / "node_modules"))
        done = subprocess.run(["node", str(script), json.dumps(plain), str(stub)],
                              capture_output=True,
                              text=True, env=env, cwd=folder)
        if done.returncode:
            raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "failed")
        index = {f: i for i, f in enumerate(plain)}
        out = {}
        for a, b, s in json.loads(done.stdout.splitlines()[-1]):
            i, j = sorted((index[a], index[b]))
            out[(i, j)] = float(s)
        return out


def documents_of(paths: list[Path]) -> list:
    """As grader.classroom.similarity.klass.documents reads a class."""
    from grader.classroom.similarity import klass
    return [klass._document((p.stem, p, p.name, False)) for p in paths]


# ---- the measures -----------------------------------------------------------------------------

def auc(pos: list[float], neg: list[float]) -> float:
    """ROC AUC as the Mann-Whitney statistic: P(a copy scores above an independent pair)."""
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def precision_at_k(scores: dict, positives: set, pairs: list) -> float:
    k = len(positives)
    # ties broken against the method: a copy must score strictly above to count
    ranked = sorted(pairs, key=lambda p: (-scores.get(p, 0.0), p in positives))
    return sum(p in positives for p in ranked[:k]) / k


def evaluate(subs: list[Sub], scores: dict) -> dict:
    pairs = [(i, j) for i in range(len(subs)) for j in range(i + 1, len(subs))]
    positives = {(i, j) for i, j in pairs if subs[i].family == subs[j].family}
    pos = [scores.get(p, 0.0) for p in pairs if p in positives]
    neg = [scores.get(p, 0.0) for p in pairs if p not in positives]
    natural = [scores.get((i, j), 0.0) for i, j in pairs
               if subs[i].name.startswith("nat_") and subs[j].name.startswith("nat_")]
    return {"auc": round(auc(pos, neg), 4), "p_at_k": round(precision_at_k(scores, positives,
                                                                           pairs), 4),
            "k": len(positives), "pairs": len(pairs),
            "lowest_copy": round(min(pos), 3), "highest_independent": round(max(neg), 3),
            "highest_natural": round(max(natural), 3) if natural else None}


# ---- speed ------------------------------------------------------------------------------------

def speed(n: int = 500, naive_n: int = 100) -> dict:
    """n submissions of ex02 made from the corpus with other seeds; seconds from the files to
    the ranked pairs and their matches, and the naive way's estimate."""
    base = [s for s in corpus("ex02", 0)]
    stub = find_exercise(REPO / "exercises", "ex02").stub.read_text(encoding="utf-8")
    keep = mutate.stub_names(stub)
    subs, seed = [], 0
    while len(subs) < n:
        seed += 1
        for s in base:
            rng = random.Random(f"speed-{seed}-{s.name}")
            fn = mutate.heavy if seed % 2 else mutate.light
            subs.append(Sub(f"s{len(subs):03d}", s.family, fn(s.source, keep, rng)))
            if len(subs) == n:
                break
    with tempfile.TemporaryDirectory() as tmp:
        paths = write(subs, Path(tmp))
        exercise = find_exercise(REPO / "exercises", "ex02")
        t0 = time.perf_counter()
        given = given_hashes([exercise.stub], NOTES)
        docs = documents_of(paths)
        t1 = time.perf_counter()
        report = analyse.compare(docs, given)
        t2 = time.perf_counter()
        streams = [[t for u in units(d.code) for t in u.tokens] for d in docs[:naive_n]]
        t3 = time.perf_counter()
        for i in range(len(streams)):
            for j in range(i + 1, len(streams)):
                difflib.SequenceMatcher(None, streams[i], streams[j], autojunk=False).ratio()
        t4 = time.perf_counter()
    pairs_n, pairs_small = n * (n - 1) / 2, naive_n * (naive_n - 1) / 2
    naive = (t4 - t3) * pairs_n / pairs_small + (t1 - t0)
    return {"submissions": n, "read_and_fingerprint_s": round(t1 - t0, 2),
            "index_rank_match_s": round(t2 - t1, 2), "total_s": round(t2 - t0, 2),
            "load_average_1min": round(os.getloadavg()[0], 1),
            "pairs_listed": len(report["pairs"]),
            "naive_all_pairs_difflib_s_estimated": round(naive, 1),
            "speedup": round(naive / (t2 - t0), 1), "cpus": len(os.sched_getaffinity(0))}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copydetect-python", help="a python with copydetect installed")
    ap.add_argument("--dolos", type=Path, help="a folder where @dodona/dolos-lib is installed")
    ap.add_argument("--keep", type=Path, help="write the corpus with its copies here")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--notes", type=Path, help="the course notes (default: ../shared/"
                                                 "course-notes beside this checkout)")
    ap.add_argument("--out", type=Path, help="where the record goes (default: bench/results/"
                                             "similarity-<date>.json)")
    args = ap.parse_args()
    global NOTES
    NOTES = [args.notes] if args.notes else NOTES
    results: dict = {"notes": [str(p) for p in NOTES], "exercises": {}, "skipped": {}}
    for ex in EXERCISES:
        subs = corpus(ex)
        with tempfile.TemporaryDirectory() as tmp:
            folder = args.keep / ex if args.keep else Path(tmp)
            paths = write(subs, folder)
            row = {"submissions": len(subs), "grader": evaluate(subs, ours(paths, ex)),
                   "grader_stub_only": evaluate(subs, ours(paths, ex, notes=False))}
            plain = as_plain_py(paths, Path(tmp) / "plain")
            if args.copydetect_python:
                row["copydetect"] = evaluate(subs, copydetect_scores(plain, ex,
                                                                     args.copydetect_python))
            if args.dolos:
                try:
                    row["dolos"] = evaluate(subs, dolos_scores(plain, ex, args.dolos))
                except (RuntimeError, OSError) as e:
                    results["skipped"]["dolos"] = str(e)
        results["exercises"][ex] = row
        print(ex, json.dumps(row))
    if not args.no_speed:
        results["speed"] = speed()
        print("speed", json.dumps(results["speed"]))
    out = args.out or REPO / "bench" / "results" / f"similarity-{time.strftime('%Y-%m-%d')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    results["machine"] = {"cpus": len(os.sched_getaffinity(0)), "python": sys.version.split()[0]}
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print("written:", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
