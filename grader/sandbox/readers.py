"""Inside the sandbox: how the probes read what the submission hands them.

Loaded by child.py (standard library only). A probe reads the student's tensors and arrays:
`float(t.detach())`, `out.argmax(1).tolist()`. Read naively, that goes through whatever class
the object has and whatever its instance holds, so a submission could answer for the probe: a
torch.Tensor subclass with its own `__float__`, a `detach` put on one tensor, a class swapped
under the probe's own tensors (guard.install_hook refuses that last one outright).

So the probes read through this module, made before the submission ran:
- `__attr__(obj, name)`: every attribute a probe reads (grader/sandbox/probe_source.py rewrites
  `x.name` into it when it compiles the probes). On a torch.Tensor or nn.Parameter of exactly
  that type, the attribute comes from the class as it was before the submission ran (a
  snapshot), never from the instance; on a module the probes read through (numpy, torch, ...),
  from the module as it was. On anything that is a subclass of a tensor or an array, the read
  is refused and the run's answer voided: "your code handed the grader a Evil, a subclass of
  torch.Tensor".
- `float(x)`, `int(x)` and `getattr(x, name)` in a probe do the same (probe_source.py makes
  them calls of `__read_float__`, `__read_int__`, `__attr__`); a number subclass is read as the
  number it holds.
Operators (`a - b`, `a < b`) still go through the class: guard.py's check after every call sees
any change to it.

Every function here keeps its state in positional defaults (a tuple the submission cannot change
in place) and runs in globals of its own: the probes' namespace, which the submission can reach
through a probe's callback, leads to nothing mutable.
"""

_READERS = '''
def attr(obj, name, default=MISSING, _type=type, _snaps=SNAPS, _modules=MODULES,
         _plain=PLAIN, _bases=BASES, _issubclass=issubclass, _getattr=getattr, _id=id,
         _get_attribute=GET_ATTRIBUTE, _missing=MISSING, _refuse=REFUSE):
    t = _type(obj)
    snap = _snaps.get(t)
    if snap is not None:
        v = snap.get(name, _missing)
        if v is _missing:
            if default is _missing:
                return _get_attribute(obj, name)
            return _getattr(obj, name, default)
        bind = _getattr(_type(v), "__get__", None)
        return v if bind is None else bind(v, obj, t)
    module = _modules.get(_id(obj))
    if module is not None and module[0] is obj:
        v = module[1].get(name, _missing)
        if v is not _missing:
            return v
    elif t not in _plain and _bases and _issubclass(t, _bases):
        _refuse(t)
    return _getattr(obj, name) if default is _missing else _getattr(obj, name, default)


def as_float(x=0.0, _type=type, _float=float, _tensors=TENSORS, _item=ITEM, _plain=NUMBERS,
             _issubclass=issubclass, _int=int, _float_of=FLOAT_OF, _int_float=INT_FLOAT,
             _refuse=REFUSE):
    t = _type(x)
    if t in _tensors:
        return _float(_item(x))
    if t in _plain:
        return _float(x)
    if _issubclass(t, _float):
        return _float_of(x)
    if _issubclass(t, _int):
        return _int_float(x)
    _refuse(t)


def as_int(x=0, base=MISSING, _type=type, _int=int, _tensors=TENSORS, _item=ITEM,
           _plain=NUMBERS, _issubclass=issubclass, _float=float, _float_of=FLOAT_OF,
           _index=INDEX, _missing=MISSING, _refuse=REFUSE):
    t = _type(x)
    if base is not _missing:
        return _int(x, base)
    if t in _plain:
        return _int(x)
    if t in _tensors:
        return _int(_item(x))
    if _issubclass(t, _int):
        return _index(x)
    if _issubclass(t, _float):
        return _int(_float_of(x))
    _refuse(t)
'''


_FAULTS = '''
def faults(take):
    said, answer = [], None
    while True:
        message = yield answer
        if message is take:                  # what was said since the last time; only the
            answer, said = said, []          # serving loop holds `take`
        else:
            said.append(str(message)[:300])
            answer = None


def refusal(say, bases, issubclass, next, getattr):
    def refuse(t, _say=say, _bases=bases, _issubclass=issubclass, _next=next, _getattr=getattr):
        what = _next((b for b in _bases if _issubclass(t, b)), None)
        name = _getattr(t, "__qualname__", "?")
        if what is None:
            message = f"handed the grader a {name} where it reads a number"
        else:
            message = (f"handed the grader a {name}, a subclass of {what.__module__}."
                       f"{what.__qualname__}: the grader reads only the library's own tensors "
                       f"and arrays")
        _say(message)
        raise TypeError(f"your code {message}")
    return refuse
'''


# compiled once, when this file is loaded (in the zygote); run for every run
_READERS_CODE = compile(_READERS, "<grader readers>", "exec")
_FAULTS_CODE = compile(_FAULTS, "<grader faults>", "exec")


def make(watched_modules: dict) -> tuple[dict, object]:
    """({name: reader} for the probes' builtins, take_faults) where `take_faults()` lists the
    reads refused since it was last asked. `watched_modules`: {name: (module, its dict as it
    was)}, from guard.Surface."""
    import sys
    from types import MappingProxyType as Frozen

    ns = {}
    exec(_FAULTS_CODE, ns)
    take = object()
    faults = ns["faults"](take)
    next(faults)
    say = faults.send
    numpy = sys.modules.get("numpy")
    tensors = _tensor_classes()
    bases = tensors[:1] + ((numpy.ndarray,) if numpy else ())
    numbers = {bool, int, float, complex, str, bytes}
    if numpy is not None:
        numbers |= {t for t in set(numpy.sctypeDict.values()) if isinstance(t, type)}
        numbers.add(numpy.ndarray)
    plain = frozenset(numbers | {type(None), list, tuple, dict, set, frozenset, range, slice})

    refuse = ns["refusal"](say, bases, issubclass, next, getattr)

    names = dict(
        MISSING=object(), PLAIN=plain, BASES=bases, TENSORS=frozenset(tensors),
        NUMBERS=frozenset(numbers), SNAPS=Frozen({t: Frozen(_merged(t)) for t in tensors}),
        MODULES=Frozen({id(m): (m, Frozen(snap)) for m, snap in watched_modules.values()}),
        GET_ATTRIBUTE=object.__getattribute__, REFUSE=refuse,
        ITEM=_merged(tensors[0])["item"] if tensors else None, FLOAT_OF=float.__float__,
        INT_FLOAT=int.__float__, INDEX=int.__index__)
    exec(_READERS_CODE, names)
    readers = {"__attr__": names["attr"], "__read_float__": names["as_float"],
               "__read_int__": names["as_int"]}

    def take_faults():
        return say(take)
    return readers, take_faults


_MERGED: dict = {}  # class -> _merged(class): made in the zygote (`warm`), before any submission


def warm() -> None:
    """In the zygote: the tensor classes' attributes as they are there, for every child."""
    for t in _tensor_classes():
        _merged(t)


def _tensor_classes() -> tuple:
    """torch.Tensor and nn.Parameter, where torch is imported: the types read through their
    class."""
    import sys
    torch = sys.modules.get("torch")
    found = (getattr(torch, "Tensor", None), getattr(getattr(torch, "nn", None), "Parameter",
                                                     None))
    return tuple(t for t in found if isinstance(t, type))


def _merged(cls: type) -> dict:
    """Every attribute a `cls` instance finds on its class, as `cls.__mro__` resolves it (as it
    was in the zygote, where no submission ever ran, or now, before this one runs)."""
    out = _MERGED.get(cls)
    if out is None:
        out = {}
        for c in reversed(cls.__mro__):
            out.update(c.__dict__)
        _MERGED[cls] = out
    return out
