# ATTACK (ex02, class "hooks that see the grader's frames"): reach the raw signal installer
# (which hands handlers their frame) around the wrapper: through a builtin's __self__, a fresh
# _signal made by _imp.create_builtin or importlib, a reload, signal.signal's own __wrapped__,
# its defaults and the generator behind them (inspect.getgeneratorlocals, gi_frame).
# VERDICT: graded, 0 points; every route is refused or gives the wrapper (a handler set through
# it gets no frame); none says REACHED.
import importlib
import importlib.util
import inspect
import os
import signal
import sys


def handler(signum, frame):
    if frame is not None:
        print("REACHED a frame through", route)


def attempt(name, get_setter):
    global route
    route = name
    try:
        setter = get_setter()
        setter(signal.SIGUSR1, handler)
        os.kill(os.getpid(), signal.SIGUSR1)
        print(f"tried {name}")
    except BaseException as e:  # noqa: BLE001
        print(f"refused {name}: {type(e).__name__}")


route = ""
attempt("builtin __self__", lambda: signal.alarm.__self__.signal)
attempt("_imp.create_builtin", lambda: __import__("_imp").create_builtin(
    importlib.util.find_spec("_signal")).signal)
attempt("sys.modules pop + import", lambda: (sys.modules.pop("_signal"),
                                             importlib.import_module("_signal"))[1].signal)
attempt("reload", lambda: importlib.reload(signal.alarm.__self__).signal)
attempt("__wrapped__", lambda: signal.signal.__wrapped__)
attempt("defaults", lambda: next(d for d in signal.signal.__defaults__ if callable(d)))
attempt("keyword defaults", lambda: next(d for d in (signal.signal.__kwdefaults__ or {}).values()
                                         if callable(d)))
attempt("generator locals", lambda: next(
    v for v in inspect.getgeneratorlocals(signal.signal.__defaults__[0].__self__).values()
    if getattr(v, "__name__", "") == "signal"))
attempt("gi_frame", lambda: signal.signal.__defaults__[0].__self__.gi_frame.f_locals["raw_set"])


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    loss_fn(params)
