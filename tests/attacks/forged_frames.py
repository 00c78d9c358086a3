# ATTACK: writes well-formed protocol frames (4-byte length + JSON, the format of
# grader/sandbox/wire.py) to every writable pipe in /proc/self/fd at import: a "loaded" event
# and answers claiming a perfect descent (x = 2, losses falling to 0), hoping the grader reads
# them as the answers to its calls. Its GD never moves the parameters.
# VERDICT: 0 points: every request carries a fresh id that a frame written in advance cannot
# echo, so the forged answers are rejected ("not the answer to the grader's request").
import fcntl
import json
import os
import struct


def frame(doc):
    body = json.dumps(doc).encode()
    return struct.pack(">I", len(body)) + body


GOOD = {"x": 2.0, "losses": [6.25 * 0.5 ** i for i in range(40)]}  # small: fits in a pipe
FRAMES = frame({"ok": True, "event": "loaded", "versions": {}}) + b"".join(
    frame({"ok": True, "value": GOOD}) for _ in range(8))

for name in os.listdir("/proc/self/fd"):
    fd = int(name)
    try:
        writable = fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE != os.O_RDONLY
        if fd > 2 and writable and os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:"):
            print(f"FORGED frames on fd {fd}")
            os.write(fd, FRAMES)
    except OSError:
        pass


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    loss_fn(params)  # one step's loss, and no step
