"""Every route to what an exercise asks the student to write, closed before the submission runs.

Loaded by child.py inside the sandbox (standard library and torch only, like guard.py), for an
exercise with `disabled_in_sandbox` (ex10: torch.optim's algorithms). Refusing the names is not
enough: the same algorithm is reachable as

1. *other references to the same objects*: torch's decorator files each `_single_tensor_adam`
   in torch.optim.optimizer's globals, torch.optim._functional re-exports `adam`, the
   distributed functional optimizers call them through their own `F`, a class's subclasses
   list reaches the class. `close` replaces every reference in every loaded torch module, by
   identity, and the `step` of every class (and subclass) defined in a refused module;
2. *compiled kernels* (aten's `_fused_adam_`, `_fused_sgd_`, ...) under any name (torch._VF,
   torch.ops.aten, torch._C._VariableFunctions): their CPU and CUDA kernels are overridden in
   the dispatcher, which every name goes through;
3. *the files themselves*, loaded or run again (importlib, runpy, exec of their text, their
   pyc, a link to them, `importlib.reload`): an audit hook refuses opening a refused module's
   source or bytecode, and compiling or running code that says it came from one;
4. *another program* that reads them for the submission (`cat adam.py`): starting programs is
   refused while something is disabled (forking stays: the child keeps the hook).

What stays outside (docs/security.md says so): a copy of the algorithm's text the student wrote or
pasted into the submission is the student's code, for the similarity report to judge; and
code that starts a program without any of Python's audited calls needs the kernel's help
(seccomp refusing execve for these exercises).

The refusers raise ImportError and are built in a namespace of their own: no function the
submission can reach has this module's globals (the kernels' handle, the hook's state).
"""
import os
import sys

# Python's audited ways to start another program (os.fork is not one: the child keeps the hook)
_PROGRAM_EVENTS = frozenset(("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn",
                             "os.spawn", "pty.spawn", "os.startfile"))
_PROGRAM_SYMBOLS = frozenset((b"system", b"popen", b"execv", b"execve", b"execvp", b"execvpe",
                              b"execl", b"execle", b"execlp", b"fexecve", b"posix_spawn",
                              b"posix_spawnp", b"syscall"))
_KEEP = []  # the dispatcher handles of the kernel overrides: alive as long as the run


def close(paths, exercise):
    """Refuse each dotted `paths` entry (a module: everything defined in it; or one attribute,
    such as torch.optim.Adam or torch._fused_adam_) by every route above."""
    if not paths:
        return
    import warnings
    message = (f"may not be used in {exercise}: this exercise is about writing it yourself")
    refused, files, kernels = _forbidden(paths)
    _sweep(refused, message)
    with warnings.catch_warnings():  # "overriding a previously registered kernel"
        warnings.simplefilter("ignore")
        _override_kernels(kernels, message)
    _forget_source(files)
    _close_fork_exec(f"another program (_posixsubprocess.fork_exec) may not be started in "
                     f"{exercise}: this exercise is about writing it yourself")
    _install_hook(files, exercise)


def _forbidden(paths):
    """{id: (object, label)} of everything refused, the refused modules' files, and the names of
    the aten kernels to refuse."""
    refused, files, kernels = {}, set(), set()
    for path in paths:
        module = sys.modules.get(path)
        if module is not None:
            files.update(_module_files(module))
            for key, value in list(vars(module).items()):
                if callable(value) and getattr(value, "__module__", None) == path:
                    _add(refused, value, f"{path}.{key}")
            continue
        owner_name, _, attr = path.rpartition(".")
        owner = sys.modules.get(owner_name)
        value = getattr(owner, attr, None) if owner is not None else None
        if value is None:
            continue
        _add(refused, value, path)
        if owner_name == "torch" and attr.startswith("_fused_"):
            kernels.update((attr, attr.rstrip("_")))  # in place and functional twins
    return refused, files, kernels


def _add(refused, value, label):
    """The object, what it wraps (functools.wraps' __wrapped__), and for a class every subclass
    (torch's own derived optimizers, and copies such as torch.optim._multi_tensor's)."""
    seen = 0
    while value is not None and id(value) not in refused and seen < 8:
        refused[id(value)] = (value, label)
        if isinstance(value, type):
            for sub in type.__subclasses__(value):
                _add(refused, sub, f"{label} (via {sub.__qualname__})")
        value, seen = getattr(value, "__wrapped__", None), seen + 1


def _module_files(module):
    """The module's source and every bytecode file of it, as real paths."""
    out = set()
    source = getattr(module, "__file__", None)
    if not source:
        return out
    source = os.path.realpath(source)
    out.add(source)
    folder, name = os.path.split(source)
    stem = name.rpartition(".")[0]
    cache = os.path.join(folder, "__pycache__")
    try:
        out.update(os.path.join(cache, f) for f in os.listdir(cache)
                   if f.startswith(stem + "."))
    except OSError:
        pass
    return out


def _sweep(refused, message):
    """Every loaded torch module's reference to a refused object becomes a refuser (the class
    name torch.optim.Adam too, as a refusing function); the class itself, still reachable as
    a subclass of torch.optim.Optimizer, keeps only a refusing `step`."""
    made = {}

    def refuser(label):
        if label not in made:
            made[label] = _refuser(f"{label} {message}")
        return made[label]

    for obj, label in refused.values():
        if isinstance(obj, type) and "step" in vars(obj):
            type.__setattr__(obj, "step", refuser(f"{label}.step"))
    ids = refused.keys()
    for name, module in list(sys.modules.items()):
        if not (name == "torch" or name.startswith(("torch.", "functorch"))):
            continue
        namespace = getattr(module, "__dict__", None)
        if type(namespace) is not dict:
            continue
        if ids.isdisjoint(map(id, namespace.values())):  # most modules: at C speed
            continue
        for key in [k for k, v in namespace.items() if id(v) in refused]:
            obj, label = refused[id(namespace[key])]
            if obj is namespace[key]:
                namespace[key] = refuser(label)


_CODE = []  # the refusers' code, compiled once


def _refuser(text):
    """A function that raises ImportError(text), whose globals hold nothing but that."""
    if not _CODE:
        _CODE.append(compile("def refused(*args, **kwargs):\n    raise ImportError(TEXT)\n",
                             __file__, "exec"))
    namespace = {"__builtins__": {"ImportError": ImportError}, "__name__": "_grader_skills",
                 "TEXT": text}
    exec(_CODE[0], namespace)
    return namespace["refused"]


def _override_kernels(names, message):
    """Each aten kernel in `names` (every overload) raises on CPU and CUDA. The dispatcher is
    the one road to a kernel, whatever Python name reaches it."""
    torch = sys.modules.get("torch")
    if torch is None or not names:
        return
    handle = torch._C._dispatch_library("IMPL", "aten", "", __file__, 0)
    _KEEP.append(handle)
    for name in sorted(names):
        packet = getattr(torch.ops.aten, name, None)
        if packet is None:
            continue
        refused = _refuser(f"torch.{name} {message}")
        for overload in packet.overloads():
            qualified = name if overload == "default" else f"{name}.{overload}"
            for key in ("CPU", "CUDA"):
                handle.impl(qualified, key, refused, False)


# where the standard library keeps a reference to _posixsubprocess.fork_exec
_FORK_EXEC_HOLDERS = ("_posixsubprocess", "subprocess", "multiprocessing.util",
                      "multiprocessing.popen_spawn_posix", "multiprocessing.popen_forkserver")


def _close_fork_exec(message):
    """The C function behind subprocess, which raises no audit event of its own: refused where
    the standard library holds it (a fresh import of its module is refused by the hook)."""
    try:
        import _posixsubprocess
    except ImportError:
        return
    original, refused = _posixsubprocess.fork_exec, _refuser(message)
    for name in _FORK_EXEC_HOLDERS:
        namespace = getattr(sys.modules.get(name), "__dict__", None)
        for key in [k for k, v in (namespace or {}).items() if v is original]:
            namespace[key] = refused


def _forget_source(files):
    """linecache's copies of the refused files, if anything read them before."""
    linecache = sys.modules.get("linecache")
    if linecache is not None:
        for path in list(getattr(linecache, "cache", {})):
            if os.path.realpath(path) in files:
                linecache.cache.pop(path, None)


def _install_hook(files, exercise):
    """Refuse opening, compiling or running the refused files (by path, by name, through a
    link), and starting another program."""
    # by name too (a folder opened as dir_fd, a path through /proc): never a package's
    # __init__, which every package shares; a package is held by its inode alone
    names = frozenset(os.path.basename(f) for f in files
                      if not os.path.basename(f).startswith("__init__."))
    inodes = set()
    for f in files:
        try:
            st = os.stat(f)
            inodes.add((st.st_dev, st.st_ino))
        except OSError:
            pass
    inodes = frozenset(inodes)
    stat, fspath, basename, realpath = os.stat, os.fspath, os.path.basename, os.path.realpath
    files = frozenset(files)
    busy = []

    def protected(path):
        if isinstance(path, int):
            return False
        try:
            path = fspath(path)
            text = path.decode("utf-8", "replace") if isinstance(path, bytes) else path
        except TypeError:
            return False
        if basename(text) in names:
            return True
        try:
            st = stat(path)
        except (OSError, ValueError):
            return False
        return (st.st_dev, st.st_ino) in inodes

    def refuse(what, verb="may not be read"):
        raise PermissionError(f"{what} {verb} in {exercise}: this exercise is about writing "
                              f"it yourself")

    def hook(event, args):
        if busy:
            return
        busy.append(1)
        try:
            if event == "open" and args and protected(args[0]):
                refuse(f"{args[0]}, the library's own code,")
            elif event in ("os.symlink", "os.link") and args and protected(args[0]):
                refuse(f"{args[0]}, the library's own code,", "may not be linked to")
            elif event == "exec" and args and hasattr(args[0], "co_filename") and \
                    realpath(args[0].co_filename) in files:
                refuse(f"{args[0].co_filename}, the library's own code,", "may not be run")
            elif event == "compile" and len(args) > 1 and isinstance(args[1], (str, bytes)) \
                    and args[1] and protected(args[1]):
                refuse(f"{args[1]!r}, the library's own code,", "may not be compiled")
            elif event == "import" and args and args[0] == "_posixsubprocess":
                refuse("another copy of _posixsubprocess", "may not be imported")
            elif event in _PROGRAM_EVENTS:
                refuse(f"another program ({event})", "may not be started")
            elif event == "ctypes.dlsym" and len(args) > 1 and \
                    (args[1].encode() if isinstance(args[1], str) else args[1]) \
                    in _PROGRAM_SYMBOLS:
                refuse(f"another program (ctypes {args[1]!r})", "may not be started")
        finally:
            busy.clear()

    sys.addaudithook(hook)
