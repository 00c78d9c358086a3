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

from grader.result import Plot

W, H = 560, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 36, 46
MAX_POINTS = 2000        # more than the pixels across: thin longer series, keep the file small
MAX_IMAGES = 64
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


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _fmt(v: float) -> str:
    if v == int(v) and abs(v) < 1e6:
        return str(int(v))
    return f"{v:.3g}"


def _open(title: str, w: int = W, h: int = H) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" '
            f'height="{h}" role="img" class="plot"><title>{_e(title)}</title>'
            f'<text x="{w / 2}" y="20" text-anchor="middle" class="plot-title">{_e(title)}</text>')


def _note(title: str, text: str) -> str:
    return (_open(title, W, 60) + f'<text x="{W / 2}" y="44" text-anchor="middle" '
            f'class="plot-note">{_e(text)}</text></svg>')


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    step = 10 ** math.floor(math.log10((hi - lo) / n))
    step *= next(m for m in (1, 2, 5, 10) if (hi - lo) / (step * m) <= n)
    start = math.ceil(lo / step) * step
    return [start + i * step for i in range(int((hi - start) / step + 1e-9) + 1)]


def _span(values: list[float], pad: float) -> tuple[float, float]:
    lo, hi = min(values), max(values)
    if hi - lo < 1e-12:
        return lo - max(abs(lo) * 0.1, 1.0), hi + max(abs(hi) * 0.1, 1.0)
    return lo - (hi - lo) * pad, hi + (hi - lo) * pad


def _points(s: dict[str, Any], log_y: bool) -> tuple[list[float], list[float]]:
    ys = list(s["y"])
    xs = list(s.get("x", range(len(ys))))
    pts = [(float(x), float(y)) for x, y in zip(xs, ys)]
    # Non-finite values cannot be drawn, and a log axis has no place for y <= 0.
    pts = [(x, y) for x, y in pts if math.isfinite(x) and math.isfinite(y) and (y > 0 or not log_y)]
    if len(pts) > MAX_POINTS:
        pts = pts[::math.ceil(len(pts) / MAX_POINTS)] + [pts[-1]]
    return [x for x, _ in pts], [math.log10(y) if log_y else y for _, y in pts]


def _y_ticks(lo: float, hi: float, log_y: bool) -> list[tuple[float, str]]:
    decades = list(range(math.ceil(lo), math.floor(hi) + 1))
    if log_y and len(decades) >= 2:
        step = math.ceil(len(decades) / 6)
        return [(d, f"1e{d}" if abs(d) > 3 else _fmt(10.0 ** d)) for d in decades[::step]]
    return [(t, _fmt(10 ** t if log_y else t)) for t in _ticks(lo, hi)]


def _frame(plot: Plot, xt: list[tuple[float, str]], yt: list[tuple[float, str]],
           sx: Callable[[float], float], sy: Callable[[float], float]) -> list[str]:
    out = [f'<rect x="{LEFT}" y="{TOP}" width="{W - LEFT - RIGHT}" height="{H - TOP - BOTTOM}" '
           'class="plot-area"/>']
    for v, label in yt:
        y = sy(v)
        out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                   f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{_e(label)}</text>')
    for v, label in xt:
        x = sx(v)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{H - BOTTOM}" y2="{H - BOTTOM + 4}" class="axis"/>'
                   f'<text x="{x:.1f}" y="{H - BOTTOM + 16}" text-anchor="middle" class="tick">{_e(label)}</text>')
    out.append(f'<text x="{(LEFT + W - RIGHT) / 2}" y="{H - 6}" text-anchor="middle" class="label">'
               f'{_e(plot.xlabel)}</text><text transform="translate(14 {(TOP + H - BOTTOM) / 2}) '
               f'rotate(-90)" text-anchor="middle" class="label">{_e(plot.ylabel)}</text>')
    return out


def _legend(names: list[str], dots: list[bool]) -> str:
    out = []
    for i, (name, dot) in enumerate(zip(names[:8], dots)):
        x, y, c = W - RIGHT - 150, TOP + 14 + 16 * i, PALETTE[i % len(PALETTE)]
        mark = (f'<circle cx="{x + 9}" cy="{y - 4}" r="3.5" fill="{c}"/>' if dot else
                f'<line x1="{x}" x2="{x + 18}" y1="{y - 4}" y2="{y - 4}" stroke="{c}" stroke-width="2.5"/>')
        out.append(f'{mark}<text x="{x + 24}" y="{y}" class="legend">{_e(name[:22])}</text>')
    return "".join(out)


def _xy(plot: Plot) -> str:
    series = [(str(name), *_points(s, plot.log_y)) for name, s in plot.series.items()]
    xs_all = [x for _, xs, _ in series for x in xs]
    ys_all = [y for _, _, ys in series for y in ys]
    if not xs_all:
        return _note(plot.title, "no finite values to plot")
    (x0, x1), (y0, y1) = _span(xs_all, 0.0), _span(ys_all, 0.05)
    sx = lambda x: LEFT + (x - x0) / (x1 - x0) * (W - LEFT - RIGHT)
    sy = lambda y: H - BOTTOM - (y - y0) / (y1 - y0) * (H - TOP - BOTTOM)
    out = [_open(plot.title)]
    out += _frame(plot, [(t, _fmt(t)) for t in _ticks(x0, x1)], _y_ticks(y0, y1, plot.log_y), sx, sy)
    dots = [plot.kind == "scatter+line" and name.startswith("data") for name, _, _ in series]
    for i, ((name, xs, ys), dot) in enumerate(zip(series, dots)):
        c = PALETTE[i % len(PALETTE)]
        if dot:
            out += [f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.5" fill="{c}" fill-opacity="0.7"/>'
                    for x, y in zip(xs, ys)]
        else:
            pts = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(xs, ys))
            out.append(f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="2" '
                       'stroke-linejoin="round"/>')
    out.append(_legend([name for name, _, _ in series], dots) + "</svg>")
    return "".join(out)


def _bars(plot: Plot) -> str:
    series = [(str(name), [str(x) for x in s.get("x", range(len(s["y"])))], [float(v) for v in s["y"]])
              for name, s in plot.series.items()]
    cats = max((labels for _, labels, _ in series), key=len, default=[])
    values = [v for _, _, vs in series for v in vs if math.isfinite(v)]
    if not cats or not values:
        return _note(plot.title, "no finite values to plot")
    y0, y1 = _span(values + [0.0], 0.05)
    sy = lambda y: H - BOTTOM - (y - y0) / (y1 - y0) * (H - TOP - BOTTOM)
    slot = (W - LEFT - RIGHT) / len(cats)
    bar = slot * 0.8 / len(series)
    sx = lambda i: LEFT + slot * (i + 0.5)
    labels = [(i, c[:10]) for i, c in enumerate(cats)][::math.ceil(len(cats) / 12)]
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
    m = [[float(v) for v in row] for row in plot.series["matrix"]]
    if not m or not m[0]:
        return _note(plot.title, "empty matrix")
    rows, cols = len(m), max(len(r) for r in m)
    labels = [str(x)[:8] for x in plot.series.get("labels", [])]
    cell = max(12, min(44, 400 // max(rows, cols)))
    left, top = 90, 60
    w, h = max(left + cell * cols + 20, 300), top + cell * rows + 20
    hi = max((v for r in m for v in r if math.isfinite(v)), default=1.0) or 1.0
    out = [_open(plot.title, w, h),
           f'<text x="{left + cell * cols / 2}" y="{top - 24}" text-anchor="middle" class="label">'
           f'{_e(plot.xlabel or "predicted")}</text>'
           f'<text transform="translate(16 {top + cell * rows / 2}) rotate(-90)" text-anchor="middle" '
           f'class="label">{_e(plot.ylabel or "true")}</text>']
    for j in range(cols):
        label = labels[j] if j < len(labels) else str(j)
        out.append(f'<text x="{left + cell * (j + 0.5)}" y="{top - 6}" text-anchor="middle" class="tick">{_e(label)}</text>')
    for i, row in enumerate(m):
        label = labels[i] if i < len(labels) else str(i)
        out.append(f'<text x="{left - 6}" y="{top + cell * (i + 0.5) + 4}" text-anchor="end" class="tick">{_e(label)}</text>')
        for j, v in enumerate(row):
            t = min(max(v / hi, 0.0), 1.0) if math.isfinite(v) else 0.0
            x, y = left + cell * j, top + cell * i
            out.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{_blend(t)}" class="cell"/>')
            if cell >= 22:
                colour = "#fff" if t > 0.5 else "#1f2937"
                out.append(f'<text x="{x + cell / 2}" y="{y + cell / 2 + 4}" text-anchor="middle" '
                           f'class="cell-num" fill="{colour}">{_e(_fmt(v) if math.isfinite(v) else "?")}</text>')
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
    images = list(plot.series["images"])[:MAX_IMAGES]
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
        out.append(f'<image x="{x}" y="{y}" width="{size}" height="{size}" href="data:image/png;base64,'
                   f'{data}" style="image-rendering:pixelated"/><rect x="{x}" y="{y}" width="{size}" '
                   f'height="{size}" class="image-frame"/>')
        if k < len(captions):
            out.append(f'<text x="{x + size / 2}" y="{y + size + 14}" text-anchor="middle" '
                       f'class="caption">{_e(captions[k][:14])}</text>')
    return "".join(out) + "</svg>"


_DRAWERS: dict[str, Callable[[Plot], str]] = {
    "line": _xy, "scatter+line": _xy, "bars": _bars, "matrix": _matrix, "image-grid": _image_grid,
}
