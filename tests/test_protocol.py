"""grader/sandbox/protocol.py: the messages' shapes, and what the grader makes of a child's
reply whatever it holds (the child is the student's to break)."""
from __future__ import annotations

import pytest

from grader.sandbox import protocol
from grader.sandbox.faults import IMPORTING, LoadFailed, StudentFault, from_error
from grader.sandbox.protocol import ChildError, FailedCell, Usage


def test_requests_carry_what_is_left_of_their_budgets():
    call = protocol.Call(protocol.CALL, "fit", (1,), {}, wall_left_s=2.34567, cpu_left_s=1.0)
    msg = call.encode()
    assert (msg["op"], msg["name"], msg["wall_left_s"], msg["cpu_left_s"]) == \
        ("call", "fit", 2.346, 1.0)
    assert msg["id"] == call.id and len(call.id) == 16
    assert protocol.Call(protocol.CALL, "fit", (), {}, 1, 1).id != call.id
    load = protocol.Load(9.0, 3.0, cells=((2, 1), (5, 3))).encode()
    assert "source" not in load and load["cells"] == [[2, 1], [5, 3]]
    assert protocol.Load(9.0, 3.0, source="x = 1\n").encode()["source"] == "x = 1\n"


@pytest.mark.parametrize("reply", [
    {"ok": False}, {"ok": False, "error": "a string"}, {"ok": False, "error": {"line": True}},
    {"ok": False, "phase": ["x"], "error": {"type": 3, "message": "m" * 5000, "line": -1}}])
def test_a_child_error_is_read_whatever_it_holds(reply):
    err = ChildError.decode(reply)
    assert err.line is None and len(err.message) <= 2000 and isinstance(err.type, str)


def test_failed_cells_and_usage_keep_only_what_is_well_formed():
    cells = FailedCell.decode_all([{"cell": 3, "type": "NameError", "message": "x", "line": 2},
                                   {"cell": "3"}, "junk", {"cell": 0}, {"cell": 4, "line": "1"}])
    assert cells == (FailedCell(3, "NameError", "x", 2), FailedCell(4, "", "", None))
    assert FailedCell.decode_all({"cell": 1}) == ()
    assert Usage.decode({"seconds": 1e9, "usage": [float("nan"), 12.5]}, 100, 50) == \
        Usage(0.0, 0.0, 12.5)
    assert Usage.decode({"seconds": 2}, 100, 50) == Usage(2.0, None, 0.0)


def test_child_errors_become_faults_in_one_place_for_a_call_and_the_import():
    raised = ChildError("call", "NameError", "NameError: name 'lr' is not defined", 14)
    fault = from_error(raised, "fit()", 2048, lambda n: f"line {n}")
    assert type(fault) is StudentFault and str(fault) == \
        "fit() raised NameError: name 'lr' is not defined (line 14)"
    assert fault.key == ("raised", "", "line 14", "NameError: name 'lr' is not defined")
    # the same error met by another call is the same fault
    assert from_error(raised, "descend()", 2048, lambda n: f"line {n}").key == fault.key
    loading = from_error(raised, IMPORTING, 2048, lambda n: f"cell 2, line {n}")
    assert type(loading) is LoadFailed and str(loading) == \
        "importing your file raised NameError: name 'lr' is not defined (cell 2, line 14)"
    memory = from_error(ChildError("call", "MemoryError", "MemoryError", 3), "fit()", 512, str)
    assert (memory.kind, str(memory)) == ("memory", "fit() ran out of memory (limit 512 MB) (3)")
    exited = from_error(ChildError("load", "SystemExit", "SystemExit: 0"), IMPORTING, 512, str)
    assert exited.kind == "exited" and "sys.exit()" in str(exited)
    tamper = from_error(ChildError("tamper", "Tampering", "your code set x"), "fit()", 1, str)
    assert (tamper.kind, str(tamper)) == ("tamper", "your code set x")
