"""One exercise of a class compared: documents -> index -> ranked pairs, their matches and
clusters -> a report (the JSON's exercise object) and a side-by-side page per listed pair.

A report is kept in OUT/similarity/<exNN>.json with a key over everything it depends on (each
student's file, the stub, the notes, this package's code and the page's template): the class
overview, rendered again after every batch and override, recomputes nothing while that holds.
"""
from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import fields
from pathlib import Path

from grader.classroom.intake.names import safe_part
from grader.core.files import atomic_write_text, file_part
from grader.classroom.gradebook import Gradebook
from grader.core.settings import current
from grader.core.spec import Exercise
from grader.classroom.similarity import rank
from grader.classroom.similarity.given import given_hashes
from grader.classroom.similarity.index import Document, Index
from grader.classroom.similarity.klass import documents
from grader.classroom.similarity.matches import matches
from grader.classroom.similarity.render import pair_page

FOLDER = "similarity"


def compare(docs: list[Document], given: frozenset[int] = frozenset(),
            threshold: float | None = None) -> dict:
    """The report of one exercise's documents: {"pairs": [...], "clusters": [...], ...}, pairs
    the most similar first (those of at least `similarity_listed`, at most `similarity_most`).
    Pages are not written here (see `exercise_report`)."""
    limits = current()
    threshold = limits.similarity_threshold if threshold is None else threshold
    idx = Index.build(docs, given)
    every = rank.rank(idx, floor=min(limits.similarity_listed, threshold) * 0.999)
    ranked = [p for p in every if p.similarity >= limits.similarity_listed][
        :limits.similarity_most]
    pairs = []
    for p in ranked:
        a, b = (p.a, p.b) if docs[p.a].student <= docs[p.b].student else (p.b, p.a)
        pairs.append({
            "students": [docs[a].student, docs[b].student],
            "similarity": p.similarity,
            "flagged": p.similarity >= threshold,
            "files": [docs[a].path, docs[b].path],
            "matches": [m.to_dict() for m in matches(idx, a, b)],
        })
    groups = rank.clusters(every, threshold)
    return {
        "submissions": len(docs),
        "compared": sum(1 for d in docs if d.fingerprints),
        "not_compared": [{"student": d.student, "reason": d.problem} for d in docs
                         if not d.fingerprints],
        "threshold": threshold,
        "pairs": pairs,
        "clusters": [sorted(docs[i].student for i in g) for g in groups],
    }


def exercise_report(out: Path, gb: Gradebook, exercise: Exercise, notes: list[Path],
                    write_pages: bool = True) -> dict:
    """The exercise's report, with each listed pair's side-by-side page under
    OUT/similarity/<exNN>/ (its path in the pair's "page"); the kept one if still current."""
    out = Path(out)
    entries = gb.current(exercise.id)
    key = _key(entries, exercise, notes)
    kept = out / FOLDER / f"{file_part(exercise.id)}.json"
    try:
        cached = json.loads(kept.read_text(encoding="utf-8"))
        if cached.get("key") == key and (not write_pages or all(
                (out / p["page"]).is_file() for p in cached["report"]["pairs"])):
            return cached["report"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    docs = documents(out, entries)
    report = {"exercise": exercise.id,
              **compare(docs, given_hashes([exercise.stub], notes))}
    by_student = {d.student: d for d in docs}
    for p in report["pairs"]:
        a, b = p["students"]
        p["page"] = f"{FOLDER}/{file_part(exercise.id)}/{safe_part(a)}--{safe_part(b)}.html"
        if write_pages:
            atomic_write_text(out / p["page"], pair_page(exercise, p, by_student[a],
                                                         by_student[b]))
    if write_pages:
        _drop_stale_pages(out / FOLDER / file_part(exercise.id),
                          {out / p["page"] for p in report["pairs"]})
    atomic_write_text(kept, json.dumps({"key": key, "report": report}))
    return report


def _drop_stale_pages(folder: Path, current: set[Path]) -> None:
    """Pages of pairs no longer listed (a student's file changed) go: a link to one can only
    be an old one."""
    for page in folder.glob("*.html") if folder.is_dir() else ():
        if page not in current:
            page.unlink(missing_ok=True)


def _key(entries: list, exercise: Exercise, notes: list[Path]) -> str:
    h = hashlib.sha256(_method_digest().encode())
    # The settings of the method too: a report kept under other k, w or thresholds is stale.
    limits = current()
    h.update(repr(sorted((f.name, getattr(limits, f.name)) for f in fields(limits)
                         if f.name.startswith("similarity_"))).encode())
    for e in entries:
        h.update(f"{e.student}\0{e.sha256}\0{e.status}\n".encode())
    for path in [exercise.stub] + sorted(p for folder in notes for p in Path(folder).rglob("*")
                                         if p.is_file()):
        try:
            h.update(str(path).encode() + b"\0" + Path(path).read_bytes())
        except OSError:
            continue
    return h.hexdigest()


@functools.lru_cache(maxsize=None)
def _method_digest() -> str:
    """Of the code that makes a report: any change to it makes every kept report stale."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    template = here.parents[1] / "rendering" / "templates" / "similarity_pair.html"
    for path in sorted(here.glob("*.py")) + [template]:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()
