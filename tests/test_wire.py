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


# ---- what the grader reads is bounded before it is decoded ------------------------------------

def _frame(body: bytes) -> bytes:
    return wire.HEADER.pack(len(body)) + body


def _pipe_with(data: bytes) -> int:
    """A readable fd holding `data` (a file: a pipe would not hold a large frame)."""
    import tempfile
    f = tempfile.TemporaryFile()
    f.write(data)
    f.flush()
    fd = os.dup(f.fileno())
    f.close()
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def test_an_answer_over_the_size_cap_is_refused_before_it_is_read():
    body = b'{"id":"ab","ok":true,"value":[' + b"[]," * 100_000 + b"[]]}"
    r = _pipe_with(_frame(body)[:64])  # only the header and a little: nothing more is read
    with pytest.raises(wire.WireError, match="over this exercise's limit"):
        wire.recv(r, max_bytes=1024)
    os.close(r)


def test_an_answer_to_another_request_is_refused_undecoded():
    r = _pipe_with(_frame(b'{"id":"forged","ok":true,"value":1}'))
    with pytest.raises(wire.WireError, match="not the answer"):
        wire.recv(r, prefix=wire.reply_prefix("0123456789abcdef"))
    os.close(r)
    ok = _pipe_with(_frame(wire.dumps({"id": "77", "ok": True})))
    assert wire.recv(ok, prefix=wire.reply_prefix("77")) == {"id": "77", "ok": True}
    os.close(ok)


def test_an_answer_with_too_many_containers_is_not_decoded():
    body = b'{"id":"1","value":' + b"[]," * 10 + b"[" * 3 + b"[]," * (wire.MAX_CONTAINERS + 1) + \
        b"[]]]]}"
    r = _pipe_with(_frame(body))
    started = time.process_time()
    with pytest.raises(wire.WireError, match="lists and dicts"):
        wire.recv(r)
    assert time.process_time() - started < 1.0
    os.close(r)


def test_integers_past_64_bits_arrive_as_floats():
    got = wire.loads(b'{"small": 12, "big": ' + b"1" + b"0" * 400 + b', "neg": -9223372036}')
    assert got["small"] == 12 and type(got["small"]) is int
    assert got["big"] == float("inf") and got["neg"] == -9223372036


def test_a_write_to_a_reader_that_stopped_reading_gives_up_at_its_deadline():
    r, w = os.pipe()
    os.set_blocking(w, False)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        wire.send(w, {"blob": "x" * (1 << 20)}, time.monotonic() + 0.5)
    assert time.monotonic() - started < 5
    os.close(r), os.close(w)
