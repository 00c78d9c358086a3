# ATTACK: answers with the right request id and numbers that break float(): 10**400 as the
# final x, a loss history of ints past 64 bits, line numbers of 10**400 in a forged error.
# VERDICT: graded, 0 points, no grader error: the numbers are judged as wrong values.
import os
import struct
import sys


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    f = sys._getframe()
    while "rid" not in f.f_locals:
        f = f.f_back
    rid, fd = f.f_locals["rid"], f.f_locals["fd_out"]
    big = "1" + "0" * 400
    body = ('{"id":"%s","ok":true,"value":{"x":%s,"losses":[%s,%s],"xs":[[%s]]},'
            '"seconds":%s,"usage":[%s,%s]}' % (rid, big, big, big, big, big, big, big)).encode()
    os.write(fd, struct.pack(">I", len(body)) + body)
    os._exit(0)
