"""grader/sandbox/wire.py: the only format between the sandbox and the grader. Values round-trip
with their shapes; anything malformed is a WireError, never a crash or an unpickled object."""
from __future__ import annotations

import base64
import os
import time

import numpy as np
import pytest
import torch

from grader.sandbox import wire


@pytest.mark.parametrize("value", [
    np.array(3.0), np.arange(6).reshape(2, 3).T, np.zeros((0, 3)), np.arange(5, dtype=np.uint8),
    np.array([True, False]), torch.tensor(2.5), torch.arange(6.0).reshape(3, 2)[:, 1],
], ids=["0-d", "transposed", "empty", "uint8", "bool", "0-d tensor", "strided tensor"])
def test_arrays_and_tensors_round_trip_with_their_shape(value):
    out = wire.loads(wire.dumps({"v": value}))["v"]
    expected = value.numpy() if isinstance(value, torch.Tensor) else value
    assert isinstance(out, np.ndarray) and out.shape == expected.shape
    assert np.array_equal(out, expected)


def test_plain_values_round_trip():
    value = {"a": [1, 2.5, None, True, "x"], "b": {"c": float("inf")}, "n": np.float32(0.5)}
    assert wire.loads(wire.dumps(value)) == {"a": [1, 2.5, None, True, "x"],
                                             "b": {"c": float("inf")}, "n": 0.5}


@pytest.mark.parametrize("spec, why", [
    ({"dtype": "object", "shape": [1], "b64": ""}, "malformed array"),
    ({"dtype": "float64", "shape": [-1], "b64": ""}, "malformed array shape"),
    ({"dtype": "float64", "shape": [2], "b64": base64.b64encode(b"12345678").decode()},
     "does not match its shape"),
    ({"dtype": "float64", "shape": [1], "b64": "!!"}, "malformed array data"),
    ({"dtype": "float64", "shape": [1]}, "malformed array"),
])
def test_forged_arrays_are_refused(spec, why):
    with pytest.raises(wire.WireError, match=why):
        wire.decode({wire.ARRAY_TAG: spec})


def test_objects_that_are_not_data_cannot_be_sent():
    class Gadget:
        def __reduce__(self):
            return (os.system, ("echo pwned",))
    with pytest.raises(wire.WireError, match="cannot be sent back"):
        wire.dumps(Gadget())
    with pytest.raises(wire.WireError, match="keys must be strings"):
        wire.dumps({(1, 2): 3})
    assert wire.loads(wire.dumps({1: 2})) == {"1": 2}  # as json.dumps writes it


def test_cyclic_too_deep_and_unreadable_messages_are_wire_errors():
    cyclic: list = []
    cyclic.append(cyclic)
    with pytest.raises(wire.WireError, match="cannot be sent"):
        wire.dumps(cyclic)
    with pytest.raises(wire.WireError, match="unreadable"):
        wire.loads(b"[" * 200_000 + b"]" * 200_000)
    with pytest.raises(wire.WireError, match="unreadable"):
        wire.loads(b"{not json")


def test_arrays_nested_in_lists_and_dicts_are_decoded():
    value = {"layers": [{"w": np.eye(2)}, {"w": np.ones(3)}], "t": (np.arange(2), 1)}
    out = wire.loads(wire.dumps(value))
    assert np.array_equal(out["layers"][0]["w"], np.eye(2)) and out["t"][1] == 1
    assert isinstance(out["t"][0], np.ndarray)


def test_recv_times_out_and_sees_eof():
    r, w = os.pipe()
    try:
        with pytest.raises(TimeoutError):
            wire.recv(r, time.monotonic() + 0.05)
        wire.send(w, {"ok": True})
        assert wire.recv(r, time.monotonic() + 1) == {"ok": True}
        os.close(w)
        w = -1
        with pytest.raises(EOFError):
            wire.recv(r, time.monotonic() + 1)
    finally:
        os.close(r)
        if w >= 0:
            os.close(w)
