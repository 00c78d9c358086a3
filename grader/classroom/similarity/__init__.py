"""Similar submissions across a class: which students' code is suspiciously alike, and where.

What MOSS, JPlag and Dolos do, inside the grader, on a `grade batch --out` folder. Stages, one
module each, data flowing one way:

  normalise    source (a .py, or a notebook's code cells) -> tokens of the normalised AST,
               one stream per function (renamed identifiers, reordered functions, comments,
               prints, dead code, for/while, literals and code moved into a class see through)
  fingerprint  k-gram hashes, winnowed (Schleimer, Wilkerson and Aiken, SIGMOD 2003)
  given        the fingerprints everyone was given: the stub, the course notes' code
  index        fingerprints -> submissions; what is given or common weighs nothing, what two
               share and nobody else does weighs most (IDF-like)
  rank         pair scores in [0, 1]; clusters by union-find over pairs above a threshold
  matches      the shared fragments, as line ranges in both files
  klass        a class folder's graded copies as documents
  render       the side-by-side page of a pair
  analyse      one exercise composed (and kept, keyed on its inputs); `class_report` all of them
  cli          `grade similarity CLASS [--exercise EX] [--json] [-o FILE]`
"""
from __future__ import annotations

from pathlib import Path

from grader.classroom.gradebook import Gradebook
from grader.core.spec import Exercise

SCHEMA_VERSION = 1


def class_report(out: Path, gb: Gradebook, exercises: list[Exercise], notes: list[Path],
                 write_pages: bool = True) -> dict:
    """{"schema_version": 1, "exercises": [one report per exercise the class has]}: each with
    its pairs (most similar first) and clusters; side-by-side pages under OUT/similarity/."""
    from grader.classroom.similarity.analyse import exercise_report
    present = {e.exercise for e in gb.current()}
    return {"schema_version": SCHEMA_VERSION,
            "exercises": [exercise_report(out, gb, x, notes, write_pages=write_pages)
                          for x in exercises if x.id in present]}
