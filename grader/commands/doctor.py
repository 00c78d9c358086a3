"""`grade doctor`: which sandbox layers this machine offers, and why not the others."""
from __future__ import annotations

import argparse

NAME = "doctor"


def add(sub) -> None:
    sub.add_parser(NAME, help="show which isolation layers are active here, and why not others")


def run(args: argparse.Namespace) -> int:
    from grader.sandbox.isolation import detect_layers, diagnose, weak_warning
    layers = detect_layers()
    print(f"sandbox: {'strong' if layers.strong else 'WEAK'}: {layers.describe()}")
    for layer in diagnose():
        print(f"  [{'on ' if layer.active else 'off'}] {layer.name}: {layer.detail}")
    if not layers.strong:
        print(weak_warning(layers))
    return 0
