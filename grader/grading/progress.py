"""How far a run that was stopped had got, from what it printed: "epoch 3 of 20, loss 0.41".

A timeout says where the code was (the stack the child dumps); the student also needs how far
it got and what to cut. A training loop usually prints its epoch and loss: those lines, read
after the run was stopped, make the note that `next_step` quotes. The output is the student's own
to write, so this only ever adds words, never enters a verdict.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from grader.grading import trajectory

# "Epoch 3/20", "epoch: 3 of 20", "step 400", "iter 12"
_COUNT = re.compile(r"\b(epoch|step|iteration|iter)s?\b\s*[:=#]?\s*\[?\s*(\d+)"
                    r"(?:\s*(?:/|of)\s*(\d+))?", re.I)
# "loss 0.41", "loss: tensor(0.41", "Loss = 3.1e+02", "loss nan"
_LOSS = re.compile(r"\bloss\b[^\d\-+a-z]{0,12}(?:tensor\(\s*)?"
                   r"([-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|\.\d+(?:e[-+]?\d+)?|nan|inf))", re.I)
# The note's first words: next_step finds the note by them.
LEAD = "When it was stopped, "


@dataclass(frozen=True)
class Progress:
    unit: str                    # "epoch", "step", ... ("" when only losses were printed)
    done: int                    # the last count printed
    total: int                   # the "of N" printed with it (0: none)
    losses: tuple[float, ...]    # every loss printed, in order


def seen(output: str) -> Progress | None:
    """The progress a run printed, or None where it printed no count and no loss."""
    unit, done, total, losses = "", 0, 0, []
    for line in output.splitlines()[-5000:]:
        if line.lstrip().startswith("[grader]"):
            continue
        m = _COUNT.search(line)
        if m:
            unit, done = m[1].lower(), int(m[2])
            total = int(m[3]) if m[3] else total
        for value in _LOSS.findall(line)[:1]:
            try:
                losses.append(float(value))
            except ValueError:
                continue
    if not unit and not losses:
        return None
    return Progress(unit, done, total, tuple(losses))


def note(output: str) -> str:
    """The note for a stopped run (`LEAD` ...), or "" when it printed nothing to go by."""
    p = seen(output)
    if p is None:
        return ""
    parts = []
    if p.unit:
        of = f" of {p.total}" if p.total and p.total >= p.done else ""
        loss = f" (its loss then {_num(p.losses[-1])})" if p.losses else ""
        parts.append(f"it had printed {p.unit} {p.done}{of}{loss}")
    elif p.losses:
        parts.append(f"the last loss it printed was {_num(p.losses[-1])}")
    went = trajectory.classify(p.losses) if len(p.losses) >= 2 else None
    if went is not None and went.kind == trajectory.DIVERGED:
        parts.append(f"it was computing, not waiting: {went.summary.replace('steps', 'prints')}"
                     f", so {trajectory.advice(went)}; a loop that waits for the loss to get "
                     f"small never ends when it diverges")
    elif p.unit and p.total and 0 < p.done < p.total:
        parts.append(f"all {p.total} would take about {p.total / p.done:.0f} times as long: "
                     f"run fewer {p.unit}s (or on part of the data) in the file you submit, "
                     f"and keep longer runs out of it")
    elif p.unit:
        parts.append(f"cut the number of {p.unit}s (or the data) the file you submit runs")
    text = LEAD + "; ".join(parts) + "."
    return text


def _num(x: float) -> str:
    return f"{x:.4g}"
