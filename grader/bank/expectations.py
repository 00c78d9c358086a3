"""What a known submission says about itself, in its header:

    # expect-fail: test_a, test_b      these checks must not pass
    # expect-pass: test_c              these must still pass
    # expect-text: overflow            words the failing checks' messages or hints must contain

A file named `ok_*.py` is another right answer: every check must pass.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_LINE = re.compile(r"^#\s*expect-(fail|text|pass):\s*(.+)$", re.M)


@dataclass(frozen=True)
class Expectations:
    fail: tuple[str, ...] = ()
    passes: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    full_marks: bool = False     # an ok_* alternative


def read(path: Path) -> Expectations:
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    found: dict[str, list[str]] = {"fail": [], "text": [], "pass": []}
    for key, value in _LINE.findall(text):
        found[key] += [v.strip() for v in value.split(",") if v.strip()]
    return Expectations(fail=tuple(found["fail"]), passes=tuple(found["pass"]),
                        text=tuple(found["text"]), full_marks=Path(path).name.startswith("ok_"))
