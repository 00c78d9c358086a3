"""The messages between the grader and child.py, each a typed shape, encoded and decoded here.

child.py cannot import this (the grader is not visible in the sandbox): it writes the same
shapes itself, and this module is the grader's one place that builds and reads them. Every
frame is wire.py's (length-prefixed JSON); whatever comes back is untrusted and checked here
before anything reads it.

    grader -> child                                 child -> grader
    Load(source?, cells, wall_left_s,               {"event": "ready"} (a forked child, first)
         cpu_left_s)                                {"ok": true, "event": "loaded", "seconds",
                                                     "usage", "failed_cells": [FailedCell]}
    LoadProbes(id, code)                            {"id", "ok": true}
    Call(id, op, name, args, kwargs,                {"id", "ok": true, "value", "seconds",
         wall_left_s, cpu_left_s)                    "usage"}, or for any of these a
    EXIT_REQUEST                                    {("id",) "ok": false, "phase", "error":
                                                     ChildError, "usage"}
    ("usage": Usage, the child's own word)

A request's `wall_left_s` and `cpu_left_s` are what is left of its budgets when it is sent
(limits.py): the child dumps its stack just before either is spent.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from grader.core.text import cut


LOAD, CALL, PROBE, PROBES, EXIT = "load", "call", "probe", "probes", "exit"


def new_id() -> str:
    """A request's id: a frame forged in advance cannot echo it."""
    return secrets.token_hex(8)


@dataclass(frozen=True)
class Load:
    """Import the submission: its source travels here for a forked child (cold runs find it
    in their folder), with the time left for the import."""
    wall_left_s: float
    cpu_left_s: float
    source: str | None = None
    cells: tuple[tuple[int, int], ...] = ()  # a notebook's (first line, number) per cell

    def encode(self) -> dict:
        msg = {"op": LOAD, "wall_left_s": round(self.wall_left_s, 3),
               "cpu_left_s": round(self.cpu_left_s, 3), "cells": [list(c) for c in self.cells]}
        if self.source is not None:
            msg["source"] = self.source
        return msg


@dataclass(frozen=True)
class Call:
    """Call the submission's function (CALL) or the exercise's probe (PROBE) `name`."""
    op: str
    name: str
    args: tuple
    kwargs: dict
    wall_left_s: float
    cpu_left_s: float
    id: str = field(default_factory=new_id)

    def encode(self) -> dict:
        return {"op": self.op, "name": self.name, "args": self.args, "kwargs": self.kwargs,
                "id": self.id, "wall_left_s": round(self.wall_left_s, 3),
                "cpu_left_s": round(self.cpu_left_s, 3)}


@dataclass(frozen=True)
class LoadProbes:
    code: str                    # probe_source.compiled
    id: str = field(default_factory=new_id)

    def encode(self) -> dict:
        return {"op": PROBES, "code": self.code, "id": self.id}


EXIT_REQUEST = {"op": EXIT}


@dataclass(frozen=True)
class ChildError:
    """What the child says went wrong: `phase` "load", "call", "probes", "setup", "return"
    (the value could not be sent) or "tamper" (the run changed what the grader reads)."""
    phase: str
    type: str
    message: str
    line: int | None = None
    traceback: str = ""

    @classmethod
    def decode(cls, reply: dict) -> "ChildError":
        err = reply.get("error") if isinstance(reply.get("error"), dict) else {}
        return cls(phase=cut(str(reply.get("phase", "")), 20),
                   type=cut(str(err.get("type", "")), 100),
                   message=cut(str(err.get("message", "an error")), 2000),
                   line=_line(err.get("line")),
                   traceback=cut(str(err.get("traceback", "")), 6000))


@dataclass(frozen=True)
class Usage:
    """The child's own word on its time and memory: informational only, bounded."""
    seconds: float = 0.0         # inside the submission's code
    cpu_s: float | None = None
    peak_mb: float = 0.0

    @classmethod
    def decode(cls, reply: dict, seconds_high: float, cpu_high: float) -> "Usage":
        u = reply.get("usage")
        seconds = bounded(reply.get("seconds"), seconds_high)
        if isinstance(u, list) and len(u) == 2:
            return cls(seconds, bounded(u[0], cpu_high), bounded(u[1], 1 << 30))
        return cls(seconds)


@dataclass(frozen=True)
class FailedCell:
    """A notebook cell that raised while the submission was imported (Jupyter runs on past
    it): its number, the exception's type and message, and the line in the cell."""
    cell: int
    type: str
    message: str
    line: int | None

    @classmethod
    def decode_all(cls, value: Any) -> tuple["FailedCell", ...]:
        if not isinstance(value, list):
            return ()
        out = []
        for item in value[:100]:
            if isinstance(item, dict) and _line(item.get("cell")) is not None:
                out.append(cls(_line(item["cell"]), cut(str(item.get("type", "")), 100),
                               cut(str(item.get("message", "")), 300),
                               _line(item.get("line"))))
        return tuple(out)


def is_reply(reply: Any) -> bool:
    """A dict with a boolean "ok": the shape of every answer; anything else is garbage."""
    return isinstance(reply, dict) and isinstance(reply.get("ok"), bool)


def is_loaded(reply: Any) -> bool:
    return is_reply(reply) and reply["ok"] is True and reply.get("event") == "loaded"


def is_ready(reply: Any) -> bool:
    return isinstance(reply, dict) and reply.get("event") == "ready"


def bounded(value: Any, high: float) -> float:
    """A number reported from inside the sandbox, if it is one and within [0, high]; else 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    v = float(value)
    return v if 0.0 <= v <= high else 0.0  # NaN fails both comparisons


def _line(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and \
        0 < value < 10_000_000 else None
