"""What a submission may not do to the interpreter it shares with the exercise's probes.

Loaded by child.py inside the sandbox (standard library only, like wire.py). The probes read the
student's objects with torch, numpy and builtins; a submission that replaces one of those can
make a probe hand the grader a forged number. Three layers, all set up before the submission's
first line runs:

1. `Surface`: the attributes of the libraries the probes read through (builtins, math, numpy,
   torch and its Tensor, Module, Optimizer, ...) and the sys.modules entries, by identity. After
   the import and after every call, anything replaced or deleted (or added to a class) is named:
   "your code replaced torch.Tensor.__float__", and the run's answers are void.
2. `trusted_builtins()`: the probes' own builtins, copied before the import: a patched `float`,
   `sum` or `isinstance` in the student's builtins never reaches a probe, not even while the
   student's code is running.
3. `install_hook()`: a PEP 578 audit hook (it cannot be removed) that ends the run the moment
   the submission's own code reaches for the grader's frames (sys._getframe, a traceback's
   frame, inspect), walks the heap (gc.get_objects, get_referrers), lists every thread's frames,
   or reads or writes raw memory through ctypes. Those are how code reaches data it was not
   given: the request ids, the channel, the probes' namespace. Libraries that call them for
   their own purposes (collections.namedtuple, typing, logging, traceback.print_exc) are not
   the submission's code, and go on working.
"""
import builtins
import os
import sys

WATCHED_MODULES = ("builtins", "math", "numpy", "numpy.linalg", "numpy.random", "torch",
                   "torch.nn", "torch.nn.functional", "torch.optim", "torch.autograd",
                   "torch.linalg", "torch.optim.optimizer")
WATCHED_CLASSES = (("torch", "Tensor"), ("torch.nn", "Module"), ("torch.nn", "Parameter"),
                   ("torch.optim", "Optimizer"), ("torch.autograd", "Function"))
# Exit codes of a run the hook ended; the grader names each (session.py).
EXIT_FRAMES, EXIT_HEAP, EXIT_MEMORY, EXIT_FUNCTIONS = 73, 74, 75, 76

_MISSING = object()
_len = len
# immutable types' own getters, read-only: a check never looks up what the submission can change
_GET = __import__("types").MappingProxyType({dict: dict.get,
                                             type(type.__dict__): type(type.__dict__).get})
# What the interpreter itself caches on a class (copyreg, when torch.save pickles).
_CACHES = frozenset(("__slotnames__",))
_FUNCTION = type(lambda: 0)
_TORCH_DIR = None


def _library_wrapper(new, old):
    """torch wraps some of its own functions the first time a part of it is imported
    (torch._dynamo: torch.manual_seed = torch._disable_dynamo(torch.manual_seed)): a function
    of torch's own files whose __wrapped__ is the original is torch's doing, not the student's."""
    global _TORCH_DIR
    if type(new) is not _FUNCTION or new.__dict__.get("__wrapped__") is not old:
        return False
    if _TORCH_DIR is None:
        torch = sys.modules.get("torch")
        _TORCH_DIR = os.path.dirname(getattr(torch, "__file__", "") or "/nonexistent") + "/"
    return new.__code__.co_filename.startswith(_TORCH_DIR)


class Surface:
    """The watched attributes as they were when it was made."""

    def __init__(self):
        # (label, live mapping, {name: value}, whether an added name counts: in a class and in
        # the probes' namespace it shadows what the probes read; in a module it is a lazy import)
        self.entries = []
        self.modules = {}        # sys.modules name -> module
        for name in WATCHED_MODULES:
            mod = sys.modules.get(name)
            if mod is not None:
                self.modules[name] = mod
                self.entries.append((name, mod.__dict__, dict(mod.__dict__), False))
        for owner, attr in WATCHED_CLASSES:
            cls = getattr(sys.modules.get(owner), attr, None)
            if isinstance(cls, type):
                self.entries.append((f"{owner}.{attr}", cls.__dict__, dict(cls.__dict__), True))
        torch = sys.modules.get("torch")
        self._modes = _mode_counters(torch)
        self._modes_at_start = tuple(f() for f in self._modes)

    def watch(self, label, namespace):
        """Watch `namespace` (a dict) from now on too, additions included: the probes' own,
        once loaded (a name added there would shadow a builtin the probes read through)."""
        self.entries = [e for e in self.entries if e[0] != label]
        self.entries.append((label, namespace, dict(namespace), True))

    def modules_as_they_were(self):
        """{name: (module, its dict as it was)}: what the probes' readers read modules from."""
        return {label: (self.modules[label], snap) for label, _, snap, _ in self.entries
                if label in self.modules}

    def changes(self, limit=5, _GET=_GET, _MISSING=_MISSING, _len=len, type=type, dict=dict,
                list=list, tuple=tuple, _library_wrapper=_library_wrapper, _CACHES=_CACHES,
                _sys_modules=sys.modules):
        """What was replaced, deleted or (in a class) added since; [] when nothing was. What it
        uses is bound here, as it was: nothing the submission may reach later changes it."""
        out = []
        for label, live, snap, additions in self.entries:
            get = _GET[type(live)]
            for key, value in snap.items():
                now = get(live, key, _MISSING)
                if now is not value and not _library_wrapper(now, value):
                    out.append(f"{'replaced' if key in live else 'deleted'} {label}.{key}")
                    if _len(out) >= limit:
                        return out
            if additions and _len(live) != _len(snap):
                out += [f"added {label}.{key}" for key in list(live)
                        if key not in snap and key not in _CACHES][:limit]
        for name, mod in self.modules.items():
            if dict.get(_sys_modules, name) is not mod:
                out.append(f"replaced sys.modules['{name}']")
        if tuple(f() for f in self._modes) != self._modes_at_start:
            out.append("left a torch function or dispatch mode active (it sees every tensor "
                       "operation the grader makes)")
        return out[:limit]


def _mode_counters(torch):
    c = getattr(torch, "_C", None)
    names = ("_len_torch_function_stack", "_len_torch_dispatch_stack")
    return tuple(getattr(c, n) for n in names if callable(getattr(c, n, None)))


def trusted_builtins():
    """A copy of the builtins as they are now, for the probes' own namespace."""
    return dict(builtins.__dict__)


# torch's constructors of a storage at a raw address: nothing a course needs, and a way to read
# or write any memory of the process without ctypes.
RAW_ADDRESS = (("torch._C", "_construct_storage_from_data_pointer"),
               ("torch.UntypedStorage", "_new_with_weak_ptr"))


def close_raw_memory():
    """Shut the library routes to raw memory that do not go through ctypes (which the audit
    hook watches): torch's storages at an address are refused, and numpy's as_strided (which
    makes a view with any strides, over any memory past the array's end) checks that the view
    stays inside the array. What stays open (numpy's array interface over an address of the
    submission's own choosing) is in the threat model (docs/security.md)."""
    torch = sys.modules.get("torch")
    for owner, name in RAW_ADDRESS if torch is not None else ():
        holder = torch._C if owner == "torch._C" else getattr(torch, owner.split(".")[1], None)
        if holder is not None and hasattr(holder, name):
            ns = {"message": f"{owner}.{name} reaches raw memory: the grader's sandbox refuses it"}
            exec(_REFUSED, ns)
            setattr(holder, name, staticmethod(ns["refused"]) if isinstance(holder, type)
                    else ns["refused"])
    numpy = sys.modules.get("numpy")
    impl = sys.modules.get("numpy.lib._stride_tricks_impl") or \
        sys.modules.get("numpy.lib.stride_tricks")
    if numpy is None or impl is None or not hasattr(impl, "as_strided"):
        return
    checked = _bounded_as_strided(impl.as_strided, numpy.asarray)
    for name in ("numpy.lib._stride_tricks_impl", "numpy.lib.stride_tricks"):
        mod = sys.modules.get(name)
        if mod is not None and hasattr(mod, "as_strided"):
            mod.as_strided = checked


_AS_STRIDED = """
def as_strided(x, shape=None, strides=None, subok=False, writeable=True, _orig=ORIG,
               _asarray=ASARRAY, _tuple=tuple, _zip=zip, _min=min, _max=max, _sum=sum):
    a = _asarray(x)
    shape = a.shape if shape is None else _tuple(shape)
    strides = a.strides if strides is None else _tuple(strides)

    def extent(shape, strides):
        if 0 in shape:
            return 0, 0
        low = _sum(_min(0, (n - 1) * s) for n, s in _zip(shape, strides))
        return low, _sum(_max(0, (n - 1) * s) for n, s in _zip(shape, strides)) + a.itemsize
    low, high = extent(shape, strides)
    own_low, own_high = extent(a.shape, a.strides)
    if (low, high) != (0, 0) and (low < own_low or high > own_high):
        raise ValueError("as_strided: this view would reach memory outside the array (the "
                         "grader's sandbox allows views inside it only)")
    return _orig(x, shape, strides, subok, writeable)
"""


_REFUSED = compile("def refused(*args, **kwargs):\n    raise PermissionError(message)\n",
                   "<grader refused>", "exec")
_AS_STRIDED_CODE = compile(_AS_STRIDED, "<grader as_strided>", "exec")


def _bounded_as_strided(orig, asarray):
    ns = {"ORIG": orig, "ASARRAY": asarray}
    exec(_AS_STRIDED_CODE, ns)
    ns["as_strided"].__doc__ = orig.__doc__
    return ns["as_strided"]


def install_hook(student_prefixes, own_files, libraries=()):
    """End the run (exit code EXIT_*) when the submission's code reaches for frames, the heap or
    raw memory. `student_prefixes`: where the submission's files live; code compiled from a
    string counts as the submission's, except our `own_files` (the probes); `libraries`: the
    package folders, never the submission's even when they sit below its folder (a venv
    inside the scratch folder's path)."""
    exit_now, write = os._exit, os.write
    getframe = sys._getframe
    prefixes, own = tuple(student_prefixes), frozenset(own_files)
    libraries = tuple(p.rstrip("/") + "/" for p in libraries if p)
    # inspect and traceback helpers that hand frames (not summaries) to their caller
    helpers = frozenset(("currentframe", "stack", "getouterframes", "getinnerframes", "trace",
                         "walk_stack", "walk_tb", "getgeneratorlocals", "getcoroutinelocals"))
    heap = frozenset(("gc.get_objects", "gc.get_referrers", "gc.get_referents",
                      "sys._current_frames", "sys._current_exceptions"))
    memory = frozenset(("ctypes.cdata", "ctypes.string_at", "ctypes.wstring_at",
                        "ctypes.PyObj_FromPtr"))
    raw_copies = _memory_functions()
    frame_attrs = frozenset(("tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_back"))
    # Hooks that would run the submission's code with the grader's frames (hooks.py), refused
    # from now on whoever asks: nothing of the grader's sets them once the submission runs.
    refused = frozenset(("sys.settrace", "sys.setprofile", "sys.addaudithook"))
    protected = _protected_types()
    disguised = _disguises(own, libraries)
    disguise_events = frozenset(("compile", "code.__new__", "marshal.loads", "marshal.load"))
    busy = []

    def student(code):
        name = code.co_filename
        if name in own or name.startswith(libraries):
            return False
        return name.startswith(prefixes) or (name.startswith("<") and name != "<frozen>"
                                             and not name.startswith("<frozen "))

    def caller_is_student():
        """The code that raised the event (or the inspect/traceback helper it called) is the
        submission's own."""
        try:
            f1 = getframe(2)     # 0: here, 1: hook, 2: the code that raised the event
        except ValueError:
            return False
        if student(f1.f_code):
            return True
        f2 = f1.f_back
        return f2 is not None and f1.f_code.co_name in helpers and student(f2.f_code) and \
            f1.f_code.co_filename.endswith(("inspect.py", "traceback.py"))

    def end(code, why):
        try:
            f = getframe(3)  # 0 here, 1 the hook's branch... the code that raised the event
            where = f"{f.f_code.co_filename}:{f.f_lineno} in {f.f_code.co_name}"
        except Exception:  # noqa: BLE001
            where = "?"
        try:
            write(2, f"\n[grader] {why} ({where}): the run was stopped\n".encode())
        finally:
            exit_now(code)

    def hook(event, args):
        if event in refused:
            raise PermissionError(f"{event}() is not available in the grader's sandbox: it "
                                  f"would run your code inside the grader's own")
        if event == "object.__setattr__" and len(args) > 2 and args[1] == "__class__" and \
                isinstance(args[0], protected) and _deep_student(getframe(1), student):
            raise PermissionError(f"your code may not change the class of a "
                                  f"{type(args[0]).__module__}.{type(args[0]).__qualname__}: "
                                  f"the grader reads tensors and arrays through their own class")
        if busy:
            return
        busy.append(1)
        try:
            if event == "sys._getframe" or (event == "object.__getattr__" and
                                             len(args) > 1 and args[1] in frame_attrs):
                if caller_is_student():
                    end(EXIT_FRAMES, f"{event} {args[1] if len(args) > 1 else ''}".strip())
            elif event == "object.__setattr__" and len(args) > 1 and \
                    type(args[0]) is _FUNCTION and args[1] in ("__code__", "__defaults__",
                                                               "__kwdefaults__"):
                # another function's code or defaults rewritten: a probe's, or a library's
                if caller_is_student() and not student(args[0].__code__):
                    end(EXIT_FUNCTIONS, f"{event} {args[1]}")
            elif event in heap:
                if caller_is_student() or _deep_student(getframe(2), student):
                    end(EXIT_HEAP, event)
            elif event in disguise_events and _deep_student(getframe(1), student):
                why = disguised(event, args, getframe(1))  # the grader's own: never asked
                if why:
                    raise PermissionError(why)
            elif event in memory or (event == "ctypes.call_function" and args and
                                     args[0] in raw_copies):
                if _deep_student(getframe(2), student):
                    end(EXIT_MEMORY, event)
        finally:
            busy.clear()

    sys.addaudithook(hook)


def _disguises(own, libraries):
    """`disguised(event, args, frame)`: why code the submission is making would pass for the
    grader's or a library's ("" when it would not). The hook tells the submission's code from
    the rest by the file a code object names; code compiled under a library's file name, the
    probes' or a frozen module's would walk the grader's frames unseen. A library's own source
    compiled by the import system (the same text as its file) and its cached bytecode (from a
    package folder) are what they say they are."""
    import marshal

    def spoofed(name):
        return isinstance(name, str) and (name in own or name.startswith(
            ("<grader", "<probes", "<frozen")) or name.startswith(libraries))

    def names(code, depth=0):
        if depth > 50:
            return
        yield code.co_filename
        for const in code.co_consts:
            if type(const) is type(code):
                yield from names(const, depth + 1)

    def same_as_file(source, path):
        try:
            with open(path, "rb") as f:
                text = f.read()
        except OSError:
            return False
        return source == (text if isinstance(source, bytes) else text.decode("utf-8", "replace"))

    def disguised(event, args, frame):
        if event == "compile" and len(args) > 1 and spoofed(args[1]):
            if isinstance(args[0], (str, bytes)) and same_as_file(args[0], args[1]):
                return ""
            return f"compiling code under the name {args[1]!r} is not allowed in the sandbox"
        if event == "code.__new__" and len(args) > 1 and spoofed(args[1]):
            return f"making code under the name {args[1]!r} is not allowed in the sandbox"
        if event == "marshal.load":
            return "marshal.load is not available in the grader's sandbox"
        if event == "marshal.loads" and args and isinstance(args[0], (bytes, bytearray)):
            cached = frame.f_locals.get("bytecode_path") if frame is not None and \
                frame.f_code.co_name == "_compile_bytecode" else None
            if isinstance(cached, str) and cached.startswith(libraries):
                return ""  # a package's own cached bytecode, read by the import system
            try:
                code = marshal.loads(args[0])
            except Exception:  # noqa: BLE001  not code, or not valid: marshal says so itself
                return ""
            if type(code) is type(disguised.__code__) and any(map(spoofed, names(code))):
                return "loading code that names the grader's or a library's files is not allowed"
        return ""
    return disguised


def _protected_types():
    """Objects whose class the submission may not swap: the probes read them."""
    out = []
    for module, name in (("torch", "Tensor"), ("numpy", "ndarray"), ("numpy", "generic")):
        cls = getattr(sys.modules.get(module), name, None)
        if isinstance(cls, type):
            out.append(cls)
    return tuple(out)


def _memory_functions():
    """The addresses of ctypes.memmove and memset: calls to them copy raw memory."""
    ctypes = sys.modules.get("ctypes")
    if ctypes is None:
        return frozenset()
    out = set()
    for fn in (ctypes.memmove, ctypes.memset):
        try:
            out.add(ctypes.cast(fn, ctypes.c_void_p).value)
        except Exception:  # noqa: BLE001  a ctypes without them: nothing to watch
            pass
    return frozenset(out)


def _deep_student(frame, student, depth=64):
    """Whether the submission's code is anywhere on the stack (it called a library that did)."""
    while frame is not None and depth:
        if student(frame.f_code):
            return True
        frame, depth = frame.f_back, depth - 1
    return False
