"""Grading from inside Jupyter or Colab:

    %load_ext grader
    %grade ex02                  # grades ./ex02.ipynb as last saved (else ./ex02.py)
    %grade ex02 work/my.ipynb    # any notebook or .py file

The magic shells out to `grade` (`python -m grader.cli check EX FILE --public-only`), so the
submission runs in the same sandbox as on the command line, never in the kernel: the kernel
gets the finished report only, as HTML shown inline (in an iframe, so the report's styles stay
its own), never a Result it could change. Hidden checks stay hidden: the run is public-only.
The notebook is graded as saved on disk: save it first (Ctrl-S).
"""
from __future__ import annotations

import html
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

from grader.core.settings import current


class Inline:
    """What the magic returns: Jupyter shows `_repr_html_`, a plain console shows `text`."""

    def __init__(self, page: str, text: str):
        self.page, self.text = page, text

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self.page, quote=True)}" '
                f'style="width:100%;height:640px;border:1px solid #ddd" '
                f'sandbox="allow-same-origin"></iframe>')

    def __repr__(self) -> str:
        return self.text


def grade_magic(line: str, cwd: Path | None = None,
                run: Callable[..., Any] = subprocess.run) -> Inline:
    """`%grade EXERCISE [FILE] [--seed N]`: grade the saved file in a separate process."""
    args = shlex.split(line)
    if not args or args[0].startswith("-"):
        return Inline("<p>usage: <code>%grade ex02 [file]</code></p>", "usage: %grade ex02 [file]")
    cwd = Path(cwd or Path.cwd())
    exercise, rest = args[0], args[1:]
    if not rest or rest[0].startswith("-"):
        found = _default_file(exercise, cwd)
        if found is not None:
            rest = [str(found), *rest]
    with tempfile.TemporaryDirectory(prefix="grade-") as out:
        cmd = [sys.executable, "-m", "grader.cli", "check", exercise, *rest, "--public-only",
               "--quiet", "--out", out]
        proc = run(cmd, cwd=str(cwd), capture_output=True, text=True, timeout=current().jupyter_timeout_s)
        pages = sorted(Path(out).glob("*.html"))
        text = (proc.stdout or "").strip()
        if not pages:
            why = (proc.stderr or proc.stdout or "the grader failed").strip().splitlines()
            message = why[-1] if why else "the grader failed"
            return Inline(f"<pre>{html.escape(message)}</pre>", message)
        return Inline(pages[0].read_text(encoding="utf-8"), text)


def _default_file(exercise: str, cwd: Path) -> Path | None:
    """In a notebook, the notebook: ./exNN.ipynb first, then ./exNN.py."""
    ex = exercise if exercise.startswith("ex") else f"ex{int(exercise):02d}" \
        if exercise.isdigit() else exercise
    for suffix in (".ipynb", ".py"):
        if (cwd / f"{ex}{suffix}").is_file():
            return cwd / f"{ex}{suffix}"
    return None


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext grader` registers the `%grade` line magic."""
    ipython.register_magic_function(lambda line: grade_magic(line), magic_kind="line",
                                    magic_name="grade")
