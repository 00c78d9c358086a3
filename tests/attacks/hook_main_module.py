# ATTACK (ex02, class "hooks that see the grader's frames"): reach the child's own module by
# name or through an object of the grader's within reach: `import __main__` (the child.py
# that serves the calls), the forbidden-imports finder in sys.meta_path, the signal wrappers,
# the probes' readers and a probe callback's globals and builtins, looking for the guard, the
# wire codec or the serving loop.
# VERDICT: graded, 0 points; none of them leads to a name of the grader's child (none says
# REACHED).
import signal
import sys

import __main__

GRADER = ("_ZYGOTE_GUARD", "_ZYGOTE_WIRE", "_ZYGOTE_HELPERS", "_serve", "_confine", "Surface",
          "install_hook", "_load_wire", "recv", "quarantine", "install_signal_wrappers")


def look(where, namespace):
    found = [n for n in GRADER if n in namespace]
    print(f"REACHED {where}: {found}" if found else f"nothing in {where}")


look("__main__", vars(__main__))
for finder in sys.meta_path:
    for name in ("find_spec",):
        fn = getattr(type(finder), name, None)
        if fn is not None and hasattr(fn, "__globals__"):
            look(f"{type(finder).__name__}.{name}", fn.__globals__)
look("signal.signal", signal.signal.__globals__)


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    look("loss_fn.__globals__", loss_fn.__globals__)
    for name in ("__attr__", "__read_float__", "__read_int__"):
        fn = loss_fn.__builtins__.get(name)
        if hasattr(fn, "__globals__"):
            look(f"probes' {name}", fn.__globals__)
            for d in fn.__defaults__ or ():
                if hasattr(d, "__globals__"):
                    look(f"probes' {name} default {d!r:.40}", d.__globals__)
    loss_fn(params)
