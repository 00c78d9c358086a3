"""Inside the sandbox: no hook the submission installs runs grader code, or sees its frames.

Loaded by child.py (standard library only). Grader code runs in the child around and between
the submission's calls: the serving loop, the probes, guard.py's checks. A hook the submission
installs may run while it does, and a hook handed a frame reaches every frame below it (this
Python audits neither `f_back` nor `f_locals`): the channel, the request ids, guard's state.

- Trace and profile functions and audit hooks of its own are refused (guard.install_hook).
- Signal handlers: `signal.signal` installs the submission's handler as before, but behind a
  wrapper that calls it with no frame. The raw installer is held by a generator's frame alone
  (guard refuses `gi_frame` to the submission), and `_imp.create_builtin` no longer makes a
  fresh `_signal` module; a Python handler found that did not come through the wrapper voids
  the run (`foreign_handlers`).
- excepthook, unraisablehook, displayhook, breakpointhook, threading.excepthook,
  warnings.showwarning and gc.callbacks are the submission's while its code runs and the
  grader's defaults in between (`quarantine`); the cyclic collector is off in between, so a
  finalizer of the submission's runs inside its calls, or when the grader drops a value it
  returned, which the serving loop does before guard's check.
- Import hooks (meta_path, path_hooks, the importer cache, sys.path): the probes are loaded
  under the grader's own (`quarantine`'s `as_grader`).
"""
import sys

_CODE = {}                       # source -> its code: compiled once (in the zygote), run per run


def _code(source, name):
    code = _CODE.get(source)
    if code is None:
        code = _CODE[source] = compile(source, f"<grader {name}>", "exec")
    return code


def sealed(source, name, **names):
    """`name` from `source`, run in globals of its own holding `names` only: a function of it
    that the submission reaches leads to nothing of this module."""
    ns = dict(names)
    exec(_code(source, name), ns)
    return ns[name]


_FRAMELESS = '''
def frameless(handler):
    def call(signum, frame, _handler=handler):
        return _handler(signum, None)
    return call
'''

_SERVICE = '''
def service(raw_set, raw_get, frameless, default_int, callable, id):
    made = {}                    # id(wrapper) -> (wrapper, the submission's handler)
    answer = None
    while True:
        op, a, b = yield answer
        try:
            if op == "set":
                handler = b
                if callable(handler):
                    handler = frameless(b)
                    made[id(handler)] = (handler, b)
                old = raw_set(a, handler)
                answer = (True, made.get(id(old), (old, old))[1])
            elif op == "get":
                old = raw_get(a)
                answer = (True, made.get(id(old), (old, old))[1])
            else:                # "foreign": signals whose Python handler is not a wrapper
                out = []
                for n in a:
                    h = raw_get(n)
                    if callable(h) and h is not default_int and made.get(id(h), (None,))[0] is not h:
                        out.append(n)
                answer = (True, out)
        except BaseException as e:
            answer = (False, e)
'''

_WRAPPERS = '''
def signal(signalnum, handler, _send=send, _int=int, _callable=callable, _enum=to_enum,
           _handlers=Handlers):
    ok, value = _send(("set", _int(signalnum), handler if _callable(handler) else _int(handler)))
    if not ok:
        raise value
    return _enum(value, _handlers)


def getsignal(signalnum, _send=send, _int=int, _enum=to_enum, _handlers=Handlers):
    ok, value = _send(("get", _int(signalnum), None))
    if not ok:
        raise value
    return _enum(value, _handlers)


def create_builtin(spec, _send=create, _type=type, _str=str):
    name = spec.name
    if _type(name) is not _str:
        raise ImportError("a module name must be a str")
    ok, value = _send(name)
    if not ok:
        raise value
    return value
'''

_CREATE = '''
def creator(raw, spec_for, refused):
    answer = None
    while True:
        name = yield answer
        if name in refused:
            answer = (False, ImportError(f"the grader's sandbox does not load a second {name}"))
            continue
        try:
            answer = (True, raw(spec_for(name)))
        except BaseException as e:
            answer = (False, e)
'''


def install_signal_wrappers():
    """Route every signal handler the submission installs through a frameless wrapper; return
    `foreign_handlers()`, which lists the signals whose Python handler came another way."""
    import _imp
    import _signal
    import builtins
    import signal
    from importlib.machinery import BuiltinImporter, ModuleSpec

    frameless = sealed(_FRAMELESS, "frameless")
    service = sealed(_SERVICE, "service")(_signal.signal, _signal.getsignal, frameless,
                                           _signal.default_int_handler, builtins.callable,
                                           builtins.id)
    next(service)
    creator = sealed(_CREATE, "creator")(_imp.create_builtin,
                                          lambda name: ModuleSpec(name, BuiltinImporter),
                                          frozenset(("_signal",)))
    next(creator)
    ns = dict(send=service.send, create=creator.send, Handlers=signal.Handlers,
              to_enum=signal._int_to_enum)
    exec(_code(_WRAPPERS, "signal"), ns)
    for module in (signal, _signal):
        module.signal, module.getsignal = ns["signal"], ns["getsignal"]
    _imp.create_builtin = ns["create_builtin"]
    numbers = tuple(range(1, getattr(signal, "NSIG", 65)))
    send = service.send

    def foreign_handlers():
        ok, value = send(("foreign", numbers, None))
        return value if ok else []
    return foreign_handlers


HOOKS = (("sys", "excepthook"), ("sys", "unraisablehook"), ("sys", "displayhook"),
         ("sys", "breakpointhook"), ("threading", "excepthook"), ("warnings", "showwarning"))


def quarantine():
    """(enter, leave, as_grader): `leave()` when the submission's code has returned (its hooks
    put aside, the grader's defaults back, the cyclic collector off), `enter()` before it runs
    again (its hooks back); `as_grader(fn)` runs fn under the grader's own import hooks."""
    import gc
    import threading  # noqa: F401  (its excepthook is one of the hooks)
    import warnings  # noqa: F401
    modules = {m: sys.modules[m] for m, _ in HOOKS}
    ours = {(m, a): getattr(modules[m], a) for m, a in HOOKS}
    theirs = dict(ours)
    callbacks, their_callbacks = gc.callbacks, []   # gc calls this very list, whatever gc.callbacks is
    collecting = [gc.isenabled()]
    imports = (list(sys.meta_path), list(sys.path_hooks), dict(sys.path_importer_cache),
               list(sys.path))

    # gc's functions, getattr and setattr as they are now: the submission may replace them later
    def leave(_getattr=getattr, _setattr=setattr, _items=tuple(ours.items()),
              _isenabled=gc.isenabled, _disable=gc.disable):
        for (m, a), value in _items:
            theirs[(m, a)] = _getattr(modules[m], a, value)
            _setattr(modules[m], a, value)
        their_callbacks[:] = callbacks
        callbacks[:] = []
        collecting[0] = _isenabled()
        _disable()

    def enter(_setattr=setattr, _enable=gc.enable):
        for (m, a), value in theirs.items():
            _setattr(modules[m], a, value)
        callbacks[:] = their_callbacks
        if collecting[0]:
            _enable()

    def as_grader(fn):
        now = (sys.meta_path[:], sys.path_hooks[:], dict(sys.path_importer_cache), sys.path[:])
        _put(imports)
        try:
            return fn()
        finally:
            _put(now)
    return enter, leave, as_grader


def _put(state):
    meta_path, path_hooks, cache, path = state
    sys.meta_path[:], sys.path_hooks[:], sys.path[:] = meta_path, path_hooks, path
    sys.path_importer_cache.clear()
    sys.path_importer_cache.update(cache)


for _source, _name in ((_FRAMELESS, "frameless"), (_SERVICE, "service"), (_WRAPPERS, "signal"),
                       (_CREATE, "creator")):
    _code(_source, _name)
