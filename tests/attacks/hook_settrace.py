# ATTACK (ex02, class "hooks that see the grader's frames"): install a trace function and a
# profile function (sys.settrace, sys.setprofile) at import. Once a call returns, they would be
# handed the child's own serving frames: the guard's snapshot (emptied there, a patched
# torch.Tensor.__float__ then goes unseen), the channel, the request ids.
# VERDICT: graded, 0 points (its GD does nothing); both are refused with PermissionError, and
# no hook ever sees a frame of the grader's (none says REACHED).
import sys

import torch


def spy(frame, event, arg):
    if "/sandbox/" in frame.f_code.co_filename or "surface" in frame.f_locals:
        print("REACHED a grader frame", frame.f_code.co_filename)
        for value in list(frame.f_locals.values()):
            if hasattr(value, "entries"):
                value.entries.clear()
                torch.Tensor.__float__ = lambda self: 2.0
    return spy


for install in (sys.settrace, sys.setprofile):
    try:
        install(spy)
        print(f"REACHED {install.__name__} installed")
    except PermissionError as e:
        print(f"refused {install.__name__}: {e}")


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    loss_fn(params)
