# ATTACK (ex02, class "hooks that see the grader's frames"): code that passes for a library's
# or the grader's, so that the audit hook lets it take frames: compiled under a library file's
# name, "<probes>" or "<frozen ...>" (directly, through codeop and through importlib's
# source_to_code), a code object renamed with replace(), and marshalled code loaded back.
# VERDICT: graded, 0 points; every disguise is refused (PermissionError), and no frame is
# taken (none says REACHED).
import codeop
import importlib.abc
import marshal
import os

LIB = os.path.join(os.path.dirname(os.__file__), "inspect.py")
GRAB = "import sys\nf = sys._getframe()\nprint('REACHED frames under', f.f_code.co_filename)\n"


def attempt(name, make):
    try:
        code = make()
        exec(code, {})
    except PermissionError as e:
        print(f"refused {name}: {e}")
    except SystemExit:
        raise


for fake in (LIB, "<probes>", "<frozen importlib._bootstrap>", "<grader readers>"):
    attempt(f"compile as {fake}", lambda: compile(GRAB, fake, "exec"))
attempt("codeop", lambda: codeop.compile_command(GRAB, LIB, "exec"))
attempt("source_to_code", lambda: importlib.abc.InspectLoader.source_to_code(GRAB, LIB))
own = compile(GRAB, "<attack>", "exec")
attempt("replace", lambda: own.replace(co_filename=LIB))
attempt("marshal", lambda: marshal.loads(marshal.dumps(own).replace(b"<attack>", b"<probes>")))


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    loss_fn(params)
