"""`grade settings`: every setting of the grader (grader.core.settings), the value in force,
its default and unit, where it was set, and what it means; `--json` for scripts."""
from __future__ import annotations

import argparse
import json

from grader.core import settings

NAME = "settings"

EPILOG = """\
Set a value in grader.yaml in the exercises folder (name: value, one a line), or in the
environment as GRADER_<NAME> (which wins), e.g. GRADER_WALL_FACTOR=4. docs/settings.md has
the table with each setting's range.
"""


def add(sub) -> None:
    p = sub.add_parser("settings", help="the grader's settings: value, default, unit, "
                              "where each was set", epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", action="store_true",
                   help='as JSON: {"file": ..., "settings": [{"name", "value", "default", '
                        '"unit", "set_by", "meaning", ...}]}')


def rows() -> list[dict]:
    """One dict per setting, in the table's order."""
    now = settings.loaded()
    out = []
    for f in settings.rows():
        m = f.metadata
        out.append({"name": f.name, "value": getattr(now.values, f.name), "default": f.default,
                    "unit": m["unit"], "type": "int" if isinstance(f.default, int) else "float",
                    "low": m["low"], "high": m["high"], "layer": m["layer"],
                    "set_by": now.origin[f.name], "env": settings.env_name(f.name),
                    "meaning": m["meaning"], "read_by": m["read_by"],
                    "wired": not m["read_by"].startswith("pending")})
    return out


def run(args: argparse.Namespace) -> int:
    table = rows()
    if args.json:
        file = settings.loaded().file
        print(json.dumps({"file": str(file) if file else None, "settings": table}, indent=2))
        return 0
    head = ("name", "value", "default", "unit", "set by", "meaning")
    cells = [head] + [(r["name"], _fmt(r["value"]), _fmt(r["default"]), r["unit"], _set_by(r),
                       r["meaning"]) for r in table]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head) - 1)]
    for c in cells:
        print("  ".join(x.ljust(w) for x, w in zip(c, widths)) + "  " + c[-1])
    return 0


def _set_by(row: dict) -> str:
    """Where the value was set; a value the grader does not read yet says so (its module
    still holds the default: docs/settings.md, "pending")."""
    if row["wired"] or row["value"] == row["default"]:
        return row["set_by"]
    return f"{row['set_by']} (not read yet: {row['default']:g} in force)"


def _fmt(value: int | float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"
