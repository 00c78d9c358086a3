"""Probes for ex01: they run inside the sandbox (no torch here), build a graph through the
student's Net from a spec and record what it computed, as plain numbers.

A spec is a list of ops, one per node in creation order: ["var", 1.5], ["add", i, j] or
["mul", i, j], where i and j are indices of earlier nodes (i == j is allowed: mul(x, x)).
No expected values live here: the checks compute those in the grader, with torch.
"""
import contextlib
import io
import re

PRINT_CAP = 256 * 1024   # characters of gradient_descendent's printout that are kept
LINE = re.compile(r"(\d{1,9})\s*=>\s*(\S+)")


def backprop(sub, spec, rounds=("fb",)):
    """Build `spec`, then for each round ("fb": forward() then backward(); "b": backward()
    alone) record forward()'s result and every node's v and g."""
    net = sub.Net()
    nodes = _build(net, spec)
    seen = []
    for calls in rounds:
        out = None
        for c in calls:
            if c == "f":
                out = _num(net.forward())
            else:
                net.backward()
        seen.append({"forward": out, "v": [_num(getattr(n, "v", None)) for n in nodes],
                     "g": [_num(getattr(n, "g", None)) for n in nodes]})
    return seen


def descend(sub, spec, **kwargs):
    """Build `spec`, run gradient_descendent(**kwargs) and return what it printed, parsed into
    [loop, value] pairs, and every node's v afterwards."""
    net = sub.Net()
    nodes = _build(net, spec)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        net.gradient_descendent(**kwargs)
    text = out.getvalue()[:PRINT_CAP]
    printed = []
    for line in text.splitlines():
        m = LINE.search(line)
        if m:
            printed.append([int(m.group(1)), _printed_number(m.group(2))])
    return {"printed": printed, "text": text[:300], "v": [_num(getattr(n, "v", None))
                                                            for n in nodes]}


def _build(net, spec):
    nodes = []
    for op in spec:
        if op[0] == "var":
            nodes.append(net.variable(op[1]))
        elif op[0] == "add":
            nodes.append(net.add(nodes[op[1]], nodes[op[2]]))
        else:
            nodes.append(net.mul(nodes[op[1]], nodes[op[2]]))
    return nodes


def _printed_number(word):
    try:
        return float(word)
    except ValueError:
        return word[:40]


def _num(x):
    """A float where the value is a number, else a short description the check can show."""
    if x is None or isinstance(x, bool):
        return None if x is None else repr(x)
    try:
        return float(x)
    except (TypeError, ValueError, OverflowError):
        return repr(x)[:60]
