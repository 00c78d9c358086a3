"""The only format that crosses the sandbox boundary: length-prefixed JSON with tagged arrays.

Standalone on purpose (standard library, numpy if present): the sandboxed child loads this very
file, so both sides speak one format. Nothing here can build an arbitrary object: decoding makes
only dicts, lists, strings, numbers, booleans, None and numpy arrays of a few plain dtypes.
"""
from __future__ import annotations

import base64
import builtins
import json
import os
import select
import struct
import time

try:
    import numpy as _np
except ImportError:  # a from-scratch exercise may run without numpy
    _np = None

# Bound now, when the child loads this file before any student code: a submission that later
# replaces json.dumps, os.write, numpy.ndarray or builtins such as isinstance or float changes
# nothing here. (Code that reaches into this module on purpose still could; the verdict does not
# rest on it: whatever the grader decodes is validated as data, and checks judge it.)
_b64encode, _b64decode = base64.b64encode, base64.b64decode
_write, _read, _select, _monotonic = os.write, os.read, select.select, time.monotonic
(isinstance, type, len, int, float, str, bool, dict, list, tuple, memoryview, all, min,
 getattr, hasattr, set, callable) = (
    builtins.isinstance, builtins.type, builtins.len, builtins.int, builtins.float,
    builtins.str, builtins.bool, builtins.dict, builtins.list, builtins.tuple,
    builtins.memoryview, builtins.all, builtins.min, builtins.getattr, builtins.hasattr,
    builtins.set, builtins.callable)
if _np is not None:
    _ndarray, _generic, _npdtype, _frombuffer = (
        _np.ndarray, _np.generic, _np.dtype, _np.frombuffer)
HEADER = struct.Struct(">I")
MAX_MESSAGE = 256 * 1024 * 1024
# Decoding cost grows with the number of lists and dicts, not only with bytes: 24 MB of nested
# empty lists take gigabytes and seconds to decode. Real answers are numbers, strings and a few
# containers (arrays travel as one tagged dict each).
MAX_CONTAINERS = 200_000
ARRAY_TAG = "__ndarray__"
DTYPES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "float32", "float64")


class WireError(Exception):
    """The other side sent something that is not a valid message."""


class NotTheAnswer(WireError):
    """A well-formed frame that does not start with the request's id: written in advance, or
    by something other than the code answering the request."""


def _default(value):
    """json's hook for what it cannot write itself: numpy scalars, arrays and tensors."""
    if _np is not None and isinstance(value, _generic):
        return value.item()
    if _np is not None and isinstance(value, _ndarray):
        return _encode_array(value)
    if _is_tensor(value):
        a = value.detach().cpu().numpy()
        if isinstance(a, _ndarray):
            return _encode_array(a)
    raise WireError(f"a value of type {type(value).__name__} cannot be sent back to the grader "
                    f"(send numbers, strings, lists, dicts, numpy arrays or tensors)")


def _is_tensor(value):
    module = getattr(type(value), "__module__", None)
    return _np is not None and isinstance(module, str) and module.startswith("torch") \
        and hasattr(value, "detach")


def _encode_array(a):
    if a.dtype.name not in DTYPES:
        a = a.astype("float64")
    # tobytes() writes C order whatever the layout; np.ascontiguousarray would turn a 0-d
    # array into shape (1,).
    return {ARRAY_TAG: {"dtype": a.dtype.name, "shape": [int(n) for n in a.shape],
                        "b64": _b64encode(_ndarray.tobytes(a)).decode("ascii")}}


def _object_hook(obj):
    return _decode_array(obj) if ARRAY_TAG in obj else obj


def decode(tree):
    """JSON tree -> Python value, validating every tagged array (for trees parsed elsewhere)."""
    if isinstance(tree, list):
        return [decode(v) for v in tree]
    if isinstance(tree, dict):
        return _object_hook({k: decode(v) for k, v in tree.items()})
    return tree


def _decode_array(tree):
    if _np is None:
        raise WireError("an array was sent but numpy is not available")
    spec = tree[ARRAY_TAG]
    if not isinstance(spec, dict) or set(spec) != {"dtype", "shape", "b64"}:
        raise WireError("malformed array")
    dtype, shape, b64 = spec["dtype"], spec["shape"], spec["b64"]
    if dtype not in DTYPES or not isinstance(b64, str) or not isinstance(shape, list):
        raise WireError("malformed array")
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape):
        raise WireError("malformed array shape")
    try:
        raw = _b64decode(b64.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise WireError("malformed array data") from None
    count = 1
    for n in shape:
        count *= n
    if count * _npdtype(dtype).itemsize != len(raw):
        raise WireError("array size does not match its shape")
    return _frombuffer(raw, dtype=dtype).reshape(shape).copy()


# Made now, like the bindings above. The C encoder and decoder walk the whole message; Python
# runs only for arrays and tensors (json's `default`) and for each dict read (`object_hook`).
def _parse_int(text):
    """Integers as JSON writes them, but none past 64 bits: 10**400 becomes a float (inf),
    which checks judge as a number, instead of an int that breaks float() in the grader."""
    return int(text) if len(text) < 19 else float(text)


_encoder = json.JSONEncoder(allow_nan=True, separators=(",", ":"), default=_default)
_decoder = json.JSONDecoder(object_hook=_object_hook, parse_int=_parse_int)


def dumps(value):
    """Python value -> message bytes. Tensors and numpy arrays become tagged base64 arrays;
    tuples become lists, and int, float, bool and None dict keys become strings (as in JSON)."""
    try:
        return _encoder.encode(value).encode("utf-8")
    except TypeError as e:  # a dict key json cannot write (a tuple, say)
        raise WireError(f"dict keys must be strings: {e}") from None
    except (ValueError, RecursionError) as e:  # a list that contains itself, or too deep
        raise WireError(f"this value cannot be sent: {e}") from None


def loads(data):
    try:
        return _decoder.decode(data.decode("utf-8"))
    except (ValueError, RecursionError, KeyError, TypeError) as e:
        raise WireError(f"unreadable message: {e}") from None


def _left(deadline):
    """Seconds to wait before looking again; <= 0 once the time is spent. A deadline is a
    monotonic time, or a function that says this (the grader's CPU budgets, clock.py)."""
    return deadline() if callable(deadline) else deadline - _monotonic()


def _wait(fd, deadline, writing, why):
    """Until `fd` is ready; asks the deadline only when it is not ready yet (where the
    deadline is the grader's CPU budget, asking reads a counter)."""
    left = 0
    while True:
        ready = _select([], [fd], [], left)[1] if writing else _select([fd], [], [], left)[0]
        if ready:
            return
        left = _left(deadline)
        if left <= 0:
            raise TimeoutError(why)


def send(fd, value, deadline=None):
    """Write one message. With a `deadline`, `fd` should be non-blocking: a reader that
    stopped reading (a full pipe) makes this raise TimeoutError instead of hanging."""
    write_all(fd, frame(value), deadline)


def frame(value):
    """One message as it goes on the wire: its length, then its bytes."""
    body = dumps(value)
    if len(body) > MAX_MESSAGE:
        raise WireError(f"message of {len(body)} bytes is over the {MAX_MESSAGE}-byte limit")
    return HEADER.pack(len(body)) + body


def write_all(fd, data, deadline=None):
    view = memoryview(data)
    while view:
        if deadline is not None:
            _wait(fd, deadline, True, "the other side stopped reading")
        try:
            n = _write(fd, view)
        except BlockingIOError:
            continue
        view = view[n:]


def read_exact(fd, n, deadline=None):
    """Read n bytes; EOFError if the channel closes, TimeoutError past `deadline`."""
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            _wait(fd, deadline, False, "no answer before the deadline")
        chunk = _read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def recv(fd, deadline=None, max_bytes=MAX_MESSAGE, prefix=None):
    """Read one message. `max_bytes` caps its size before a byte of it is read; `prefix`, the
    bytes it must start with (the answer to a request starts with that request's id), is
    checked before anything is decoded: a frame forged or oversized costs no decoding."""
    (size,) = HEADER.unpack(read_exact(fd, HEADER.size, deadline))
    if size > max_bytes:
        raise WireError(f"an answer of {size} bytes is over this exercise's limit of "
                        f"{max_bytes} bytes")
    body = read_exact(fd, size, deadline)
    if prefix is not None and not body.startswith(prefix):
        raise NotTheAnswer("not the answer to the request")
    if body.count(b"[") + body.count(b"{") > MAX_CONTAINERS:
        raise WireError(f"an answer with over {MAX_CONTAINERS} lists and dicts in it")
    return loads(body)


def reply_prefix(request_id):
    """How the answer to the request `request_id` begins on the wire (see `dumps`)."""
    return ('{"id":' + json.dumps(request_id) + ",").encode("utf-8")
