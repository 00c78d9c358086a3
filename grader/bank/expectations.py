"""What a known submission says about itself, in its header:

    # expect-fail: test_a, test_b      these checks must not pass
    # expect-pass: test_c              these must still pass
    # expect-text: overflow            words the failing checks' messages or hints must contain
    # expect-next-step: reset the gradients   words the result's next_step (the sentence the
                                              report leads with) must contain

A file named `ok_*.py` is another right answer: every check must pass. A notebook's header is
the comment lines of one of its code cells.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_LINE = re.compile(r"^#\s*expect-(fail|text|pass|next-step):\s*(.+)$", re.M)


@dataclass(frozen=True)
class Expectations:
    fail: tuple[str, ...] = ()
    passes: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    full_marks: bool = False     # an ok_* alternative
    next_step: tuple[str, ...] = ()  # words next_step must contain (one line each, commas kept)


def read(path: Path) -> Expectations:
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    if Path(path).suffix == ".ipynb":
        text = _cells(text)
    found: dict[str, list[str]] = {"fail": [], "text": [], "pass": [], "next-step": []}
    for key, value in _LINE.findall(text):
        if key == "next-step":
            found[key].append(value.strip())
            continue
        found[key] += [v.strip() for v in value.split(",") if v.strip()]
    return Expectations(fail=tuple(found["fail"]), passes=tuple(found["pass"]),
                        text=tuple(found["text"]), full_marks=Path(path).name.startswith("ok_"),
                        next_step=tuple(found["next-step"]))


def _cells(text: str) -> str:
    """A notebook's code cells, one after another: its header is the comment lines of one."""
    import json
    try:
        cells = json.loads(text).get("cells", [])
    except (ValueError, AttributeError):
        return ""
    return "\n".join("".join(c["source"]) if isinstance(c.get("source"), list)
                     else str(c.get("source", "")) for c in cells
                     if isinstance(c, dict) and c.get("cell_type") == "code")
