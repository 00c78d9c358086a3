"""Draw a check's `Plot` as inline SVG, in plain Python, so a report stays one offline file.

Series formats, by kind:
  line, scatter+line  {name: {"x": [...], "y": [...]}}; in scatter+line a name starting with
                      "data" is drawn as dots, any other as a line ("x" may be left out)
  bars                {name: {"x": [labels], "y": [values]}}, bars grouped by position
  matrix              {"matrix": [[...]], "labels": [...]}: a confusion matrix, rows = true
  image-grid          {"images": [H x W ints 0..255], "captions": [...]}: grayscale images

The report inserts this markup unescaped, and titles, labels and captions can come from a
submission, so every piece of text goes through `_e` here.
"""
from __future__ import annotations

import base64
import html
import math
import struct
import zlib
from typing import Any, Callable

import numpy as np

from grader.core.result import Plot
from grader.core.settings import current

W, H = 560, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 52, 46
PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563")


def svg(plot: Plot) -> str:
    """SVG markup for one plot; a plot that cannot be drawn becomes a short note, not a crash."""
    draw = _DRAWERS.get(plot.kind)
    if draw is None:
        return _note(plot.title, f"unknown plot kind {plot.kind!r}")
    try:
        return draw(plot)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, OverflowError) as exc:
        # Plot data is built from what a submission returned; a bad value must not sink the report.
        return _note(plot.title, f"could not draw this plot ({type(exc).__name__})")


def _e(text: Any, limit: int = 0) -> str:
    """Escaped text; with a limit, cut first, since long labels would run off the SVG's edge."""
    text = str(text)
    if limit and len(text) > limit:
        text = text[:limit - 1] + "…"
    return html.escape(text, quote=True)


def _fmt(v: float) -> str:
    if v == int(v) and abs(v) < 1e6:
        return str(int(v))
    return f"{v:.3g}"


def _text(x: float, y: float, text: str, cls: str, anchor: str = "middle", fill: str = "") -> str:
    """A <text> element; `text` must already be escaped."""
    colour = f' fill="{fill}"' if fill else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{cls}"{colour}>'
            f'{text}</text>')


def _vtext(x: float, y: float, text: str) -> str:
    return (f'<text transform="translate({x:.1f} {y:.1f}) rotate(-90)" text-anchor="middle" '
            f'class="label">{text}</text>')


def _open(title: str, w: int = W, h: int = H) -> str:
    return (f'<svg viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" class="plot">'
            f'<title>{_e(title)}</title>' + _text(w / 2, 20, _e(title, w // 8), "plot-title"))


def _note(title: str, text: str) -> str:
    return _open(title, W, 60) + _text(W / 2, 44, _e(text), "plot-note") + "</svg>"


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    step = 10 ** math.floor(math.log10((hi - lo) / n))
    step *= next(m for m in (1, 2, 5, 10) if (hi - lo) / (step * m) <= n)
    start = math.ceil(lo / step) * step
    return [start + i * step for i in range(int((hi - start) / step + 1e-9) + 1)]


def _span(values: Any, pad: float) -> tuple[float, float]:
    lo, hi = float(np.min(values)), float(np.max(values))
    if hi - lo < 1e-12:
        return lo - max(abs(lo) * 0.1, 1.0), hi + max(abs(hi) * 0.1, 1.0)
    return lo - (hi - lo) * pad, hi + (hi - lo) * pad


def _points(s: dict[str, Any], log_y: bool) -> tuple[np.ndarray, np.ndarray]:
    ys = np.asarray(s["y"], dtype=float).ravel()
    xs = np.asarray(s["x"], dtype=float).ravel() if "x" in s else np.arange(ys.size, dtype=float)
    n = min(xs.size, ys.size)
    xs, ys = xs[:n], ys[:n]
    # Non-finite values cannot be drawn, and a log axis has no place for y <= 0.
    keep = np.isfinite(xs) & np.isfinite(ys) & ((ys > 0) if log_y else True)
    xs, ys = xs[keep], ys[keep]
    most = current().plot_max_points  # more than the pixels across: keeps the file small
    if xs.size > most:
        idx = np.r_[np.arange(0, xs.size, math.ceil(xs.size / most)), xs.size - 1]
        xs, ys = xs[idx], ys[idx]
    return xs, (np.log10(ys) if log_y else ys)


def _polyline(px: np.ndarray, py: np.ndarray) -> str:
    """The points of a line in pixels. Of the points that fall into one pixel column it keeps
    the first, the lowest, the highest and the last: the same picture, drawn from ~2 points
    per column where a long loss history has 4 or more."""
    if px.size > 4:
        col = np.floor(px)
        first = np.flatnonzero(np.r_[True, col[1:] != col[:-1]])
        last = np.r_[first[1:], px.size] - 1
        lo = first + _argext(py, first, np.minimum)
        hi = first + _argext(py, first, np.maximum)
        idx = np.unique(np.concatenate([first, lo, hi, last]))
        px, py = px[idx], py[idx]
    return " ".join(map("%.1f,%.1f".__mod__, zip(px.tolist(), py.tolist())))


def _argext(v: np.ndarray, starts: np.ndarray, ufunc: np.ufunc) -> np.ndarray:
    """Per segment (v[starts[i]:starts[i+1]]), the offset of its extreme value in the segment."""
    ext = ufunc.reduceat(v, starts)
    seg = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, v.size]))
    hit = np.flatnonzero(v == ext[seg])          # ascending, so segments in order
    first = np.r_[True, seg[hit][1:] != seg[hit][:-1]]
    return hit[first] - starts                      # every segment holds its own extreme


def _y_ticks(lo: float, hi: float, log_y: bool) -> list[tuple[float, str]]:
    if not log_y:
        return [(t, _fmt(t)) for t in _ticks(lo, hi)]
    decades = range(math.floor(lo), math.ceil(hi) + 1)
    # Few decades: label 1, 2 and 5 of each so the axis is readable; many: thin the powers of 10.
    mults = (1, 2, 5) if hi - lo <= 2.5 else (1,)
    step = math.ceil(len(decades) / 7)
    vals = [math.log10(m) + d for d in decades[::step] for m in mults]
    ticks = [(v, _fmt(10.0 ** v) if -3 <= v <= 4 else f"1e{round(v)}")
             for v in vals if lo <= v <= hi]
    return ticks if len(ticks) >= 2 else [(t, _fmt(10 ** t)) for t in _ticks(lo, hi)]


def _frame(plot: Plot, xt: list[tuple[float, str]], yt: list[tuple[float, str]],
           sx: Callable[[float], float], sy: Callable[[float], float]) -> list[str]:
    out = [f'<rect x="{LEFT}" y="{TOP}" width="{W - LEFT - RIGHT}" height="{H - TOP - BOTTOM}" '
           'class="plot-area"/>']
    for v, label in yt:
        y = sy(v)
        out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                   + _text(LEFT - 6, y + 4, _e(label), "tick", "end"))
    for v, label in xt:
        x = sx(v)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{H - BOTTOM}" y2="{H - BOTTOM + 4}" '
                   'class="axis"/>' + _text(x, H - BOTTOM + 16, _e(label, 12), "tick"))
    out.append(_text((LEFT + W - RIGHT) / 2, H - 6, _e(plot.xlabel, 80), "label")
               + _vtext(14, (TOP + H - BOTTOM) / 2, _e(plot.ylabel, 36)))
    return out


def _legend(names: list[str], dots: list[bool]) -> str:
    # One row between the title and the plot area, so it never hides the data.
    out, x = [], float(LEFT)
    for i, (name, dot) in enumerate(zip(names[:8], dots)):
        c, y, label = PALETTE[i % len(PALETTE)], TOP - 6, name[:22]
        mark = (f'<circle cx="{x + 7:.0f}" cy="{y - 4}" r="3.5" fill="{c}"/>' if dot else
                f'<line x1="{x:.0f}" x2="{x + 16:.0f}" y1="{y - 4}" y2="{y - 4}" stroke="{c}" '
                'stroke-width="2.5"/>')
        out.append(mark + _text(x + 21, y, _e(label), "legend", "start"))
        x += 36 + 6.5 * len(label)
        if x > W - RIGHT - 60:
            break
    return "".join(out)


def _xy(plot: Plot) -> str:
    # Nothing positive (a loss stuck at 0) has no place on a log axis; a linear one shows it.
    log_y = plot.log_y and any(bool(np.any(np.asarray(s["y"], dtype=float) > 0))
                               for s in plot.series.values())
    series = [(str(name), *_points(s, log_y)) for name, s in plot.series.items()]
    xs_all = np.concatenate([xs for _, xs, _ in series]) if series else np.zeros(0)
    ys_all = np.concatenate([ys for _, _, ys in series]) if series else np.zeros(0)
    if not xs_all.size:
        return _note(plot.title, "no finite values to plot")
    dots = [plot.kind == "scatter+line" and name.startswith("data") for name, _, _ in series]
    # Dots at the very edge would be cut in half by the frame; lines look better flush.
    (x0, x1), (y0, y1) = _span(xs_all, 0.02 if any(dots) else 0.0), _span(ys_all, 0.05)
    sx = lambda x: LEFT + (x - x0) / (x1 - x0) * (W - LEFT - RIGHT)
    sy = lambda y: H - BOTTOM - (y - y0) / (y1 - y0) * (H - TOP - BOTTOM)
    out = [_open(plot.title)]
    out += _frame(plot, [(t, _fmt(t)) for t in _ticks(x0, x1)], _y_ticks(y0, y1, log_y), sx, sy)
    for i, ((name, xs, ys), dot) in enumerate(zip(series, dots)):
        c = PALETTE[i % len(PALETTE)]
        if not xs.size:
            continue  # nothing finite to draw: _undrawn_note says so
        if dot:
            out += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{c}" '
                    'fill-opacity="0.7"/>' for x, y in zip(sx(xs).tolist(), sy(ys).tolist())]
        else:
            out.append(f'<polyline points="{_polyline(sx(xs), sy(ys))}" fill="none" '
                       f'stroke="{c}" stroke-width="2" stroke-linejoin="round"/>')
    out.append(_legend([name for name, _, _ in series], dots))
    out.append(_undrawn_note(plot, log_y) + "</svg>")
    return "".join(out)


def _undrawn_note(plot: Plot, log_y: bool) -> str:
    """One line in the plot area naming each series whose values were left out (nan, inf, or
    not positive on a log axis): a legend entry with no line would say nothing of why."""
    said = []
    for name, s in plot.series.items():
        ys = np.asarray(s["y"], dtype=float).ravel()
        xs = np.asarray(s["x"], dtype=float).ravel() if "x" in s else np.arange(ys.size)
        n = min(xs.size, ys.size)
        finite = np.isfinite(xs[:n]) & np.isfinite(ys[:n])
        bad = int(n - np.count_nonzero(finite & ((ys[:n] > 0) if log_y else True)))
        if bad:
            why = "nan or inf" + (", or not above 0 on the log axis" if log_y else "")
            said.append(f"{name}: not drawn ({why})" if bad == n else
                        f"{name}: {bad} of {n} values not drawn ({why})")
    if not said:
        return ""
    return _text(LEFT + 8, TOP + 16, _e("; ".join(said), 90), "plot-note", "start")


def _bars(plot: Plot) -> str:
    series = [(str(name), [str(x) for x in s.get("x", range(len(s["y"])))],
               [float(v) for v in s["y"]]) for name, s in plot.series.items()]
    cats = max((labels for _, labels, _ in series), key=len, default=[])
    values = [v for _, _, vs in series for v in vs if math.isfinite(v)]
    if not cats or not values:
        return _note(plot.title, "no finite values to plot")
    y0, y1 = _span(values + [0.0], 0.05)
    sy = lambda y: H - BOTTOM - (y - y0) / (y1 - y0) * (H - TOP - BOTTOM)
    slot = (W - LEFT - RIGHT) / len(cats)
    bar = slot * 0.8 / len(series)
    sx = lambda i: LEFT + slot * (i + 0.5)
    labels = [(i, c) for i, c in enumerate(cats)][::math.ceil(len(cats) / 12)]
    out = [_open(plot.title)] + _frame(plot, labels, _y_ticks(y0, y1, False), sx, sy)
    for k, (_, _, vs) in enumerate(series):
        for i, v in enumerate(vs[:len(cats)]):
            if math.isfinite(v):
                x, top = LEFT + slot * (i + 0.1) + bar * k, min(sy(v), sy(0))
                out.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{bar:.1f}" height="'
                           f'{abs(sy(v) - sy(0)):.1f}" fill="{PALETTE[k % len(PALETTE)]}"/>')
    if len(series) > 1:
        out.append(_legend([name for name, _, _ in series], [False] * len(series)))
    return "".join(out) + "</svg>"


def _blend(t: float) -> str:
    lo, hi = (239, 246, 255), (30, 64, 175)    # pale blue to deep blue
    return "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in zip(lo, hi))


def _matrix(plot: Plot) -> str:
    most = current().plot_max_images  # classes of a matrix: bounds the file size
    m = [[float(v) for v in row[:most]] for row in plot.series["matrix"][:most]]
    if not m or not m[0]:
        return _note(plot.title, "empty matrix")
    rows, cols = len(m), max(len(r) for r in m)
    labels = [_e(x, 8) for x in plot.series.get("labels", [])]
    cell = max(12, min(44, 400 // max(rows, cols)))
    left, top = 90, 60
    w, h = max(left + cell * cols + 20, 300), top + cell * rows + 20
    hi = max((v for r in m for v in r if math.isfinite(v)), default=1.0) or 1.0
    out = [_open(plot.title, w, h),
           _text(left + cell * cols / 2, top - 24, _e(plot.xlabel or "predicted", 40), "label"),
           _vtext(16, top + cell * rows / 2, _e(plot.ylabel or "true", 20))]
    name = lambda k: labels[k] if k < len(labels) else str(k)
    out += [_text(left + cell * (j + 0.5), top - 6, name(j), "tick") for j in range(cols)]
    for i, row in enumerate(m):
        out.append(_text(left - 6, top + cell * (i + 0.5) + 4, name(i), "tick", "end"))
        for j, v in enumerate(row):
            t = min(max(v / hi, 0.0), 1.0) if math.isfinite(v) else 0.0
            x, y = left + cell * j, top + cell * i
            out.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" '
                       f'fill="{_blend(t)}" class="cell"/>')
            if cell >= 22:    # smaller cells have no room for a readable number
                num = _fmt(v) if math.isfinite(v) else "?"
                out.append(_text(x + cell / 2, y + cell / 2 + 4, _e(num), "cell-num",
                                 fill="#fff" if t > 0.5 else "#1f2937"))
    return "".join(out) + "</svg>"


def png_gray(pixels: list[list[Any]]) -> bytes:
    """A minimal 8-bit grayscale PNG: signature, IHDR, one zlib IDAT, IEND."""
    h, w = len(pixels), len(pixels[0])
    if h == 0 or w == 0 or any(len(row) != w for row in pixels):
        raise ValueError("image rows must be non-empty and of equal length")
    clamp = lambda v: min(255, max(0, int(v))) if math.isfinite(float(v)) else 0
    raw = b"".join(b"\x00" + bytes(clamp(v) for v in row) for row in pixels)  # filter 0 per row

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _image_grid(plot: Plot) -> str:
    images = list(plot.series["images"])[:current().plot_max_images]
    captions = [str(c) for c in plot.series.get("captions", [])]
    if not images:
        return _note(plot.title, "no images")
    size, gap, per_row = 64, 14, min(8, len(images))
    w = max(per_row * (size + gap) + gap, 240)
    h = 34 + math.ceil(len(images) / per_row) * (size + 30)
    out = [_open(plot.title, w, h)]
    for k, img in enumerate(images):
        x, y = gap + (k % per_row) * (size + gap), 34 + (k // per_row) * (size + 30)
        data = base64.b64encode(png_gray(img)).decode("ascii")
        out.append(f'<image x="{x}" y="{y}" width="{size}" height="{size}" '
                   f'href="data:image/png;base64,{data}" style="image-rendering:pixelated"/>'
                   f'<rect x="{x}" y="{y}" width="{size}" height="{size}" class="image-frame"/>')
        if k < len(captions):
            out.append(_text(x + size / 2, y + size + 14, _e(captions[k], 14), "caption"))
    return "".join(out) + "</svg>"


_DRAWERS: dict[str, Callable[[Plot], str]] = {
    "line": _xy, "scatter+line": _xy, "bars": _bars, "matrix": _matrix, "image-grid": _image_grid,
}
