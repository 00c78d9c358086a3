"""The plot data a check records (`report.plot(...)` in grader.grading.plugin): series thinned to
what can be drawn, as plain lists. Drawing them is grader.rendering.plots' job."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from grader.core.settings import current


def thinned(series: dict[str, Any]) -> dict[str, Any]:
    """An x/y plot's series with at most `plot_max_points` points each, first and last kept, as
    lists: what a check records is what gets drawn, and a result document stays small."""
    out, most = {}, current().plot_max_points
    for name, s in series.items():
        ys = s.get("y") if isinstance(s, dict) else None
        if isinstance(ys, (list, tuple, np.ndarray)):
            xs = s.get("x", range(len(ys)))
            if len(ys) > most:
                step = math.ceil(len(ys) / most)
                keep = np.r_[np.arange(0, len(ys), step),
                             [len(ys) - 1] if (len(ys) - 1) % step else []].astype(int)
                ys, xs = _pick(ys, keep), _pick(xs, keep)
            s = dict(s, y=_as_list(ys), x=_as_list(xs))
        out[name] = s
    return out


def _pick(values: Any, keep: np.ndarray) -> Any:
    if isinstance(values, np.ndarray):
        return values[keep]
    values = values if isinstance(values, (list, tuple)) else list(values)
    return [values[i] for i in keep.tolist()]


def _as_list(values: Any) -> list:
    return values.tolist() if isinstance(values, np.ndarray) else list(values)
