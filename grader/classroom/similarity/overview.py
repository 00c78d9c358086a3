"""The class overview's section on similar submissions: per exercise, the top pairs (each
linking to its side-by-side page) and the clusters. Reports are kept in OUT/similarity/, so
rendering the overview again (after an override) recomputes nothing that did not change."""
from __future__ import annotations

import logging
from pathlib import Path

from grader.classroom.gradebook import Gradebook
from grader.core.settings import current
from grader.core.spec import Exercise

log = logging.getLogger(__name__)


def section(out: Path, gb: Gradebook, exercises: list[Exercise]) -> dict:
    """{"exercises": [{"exercise", "pairs" (the top `similarity_top`), "clusters", "threshold", "compared"}],
    "problem": ""}. A fault here costs the overview this section only, said in it."""
    from grader.classroom.similarity import class_report
    from grader.classroom.similarity.given import default_notes
    if not exercises:
        return {"exercises": [], "problem": ""}
    try:
        notes = default_notes(exercises[0].folder.parent.parent)
        report = class_report(out, gb, exercises, notes)
    except Exception as e:      # the grades must still be shown: say what failed, log why
        log.warning("similarity could not be computed", exc_info=True)
        return {"exercises": [], "problem": f"{type(e).__name__}: {e}"}
    return {"exercises": [dict(x, pairs=x["pairs"][:current().similarity_top]) for x in report["exercises"]],
            "problem": ""}
