"""`grade similarity CLASS [--exercise EX] [--json] [-o FILE]`: the words of the command; the
work is grader.classroom.similarity.class_report."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

NAME = "similarity"

EPILOG = """\
CLASS is a `grade batch --out` folder. Each exercise's submissions (the exact copies that were
graded; notebooks by their code cells) are compared by structure: tokens of the normalised
syntax tree, fingerprinted by winnowing. What the stub and the course notes gave everyone does
not count; what many students wrote counts for little; what two share and nobody else does
counts most. Pairs are ranked, most similar first (similarity in [0, 1]); pairs at or above
the threshold are flagged and grouped into clusters. A side-by-side page of every listed pair
is written under CLASS/similarity/, and the class overview (index.html) links to them.

examples:
  grade similarity class/                      every exercise: the top pairs and clusters
  grade similarity class/ --exercise ex02 --json -o ex02-similarity.json

exit codes: 0 done (whatever was found), 2 unusable input (no such class folder, unknown
exercise): one line on stderr
"""


def add(sub) -> None:
    s = sub.add_parser(NAME, help="which students' submissions are suspiciously alike",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    s.add_argument("klass", type=Path, metavar="CLASS", help="a grade batch --out folder")
    s.add_argument("--exercise", help="only this exercise (default: every one the class has)")
    s.add_argument("--json", action="store_true",
                   help='the report as JSON: {"schema_version": 1, "exercises": [{"exercise", '
                        '"pairs": [{"students", "similarity", "matches", ...}], "clusters"}]}')
    s.add_argument("-o", "--output", type=Path, metavar="FILE",
                   help="write the report there instead of stdout")
    s.add_argument("--notes", type=Path, action="append", metavar="DIR",
                   help="code everyone was given besides the stub (repeatable; default: the "
                        "course notes, ../shared/course-notes beside the bank, if there)")


def run(args: argparse.Namespace) -> int:
    from grader.classroom.exports import open_class
    from grader.classroom.similarity import class_report
    from grader.classroom.similarity.given import default_notes
    from grader.classroom.similarity.render import to_text
    from grader.core.spec import all_exercises, exercises_root, find_exercise
    root = exercises_root(args.exercises)
    chosen = [find_exercise(root, args.exercise)] if args.exercise else all_exercises(root)
    notes = args.notes if args.notes is not None else default_notes(root.parent)
    with open_class(args.klass) as gb:
        report = class_report(args.klass, gb, chosen, notes)
    text = json.dumps(report, indent=2) + "\n" if args.json else to_text(report, args.klass)
    if args.output:
        from grader.core.errors import ExportError
        from grader.core.files import atomic_write_text
        try:
            atomic_write_text(args.output, text)
        except OSError as e:
            raise ExportError(f"cannot write {args.output}: {e.strerror or e}") from None
    else:
        sys.stdout.write(text)
    return 0
