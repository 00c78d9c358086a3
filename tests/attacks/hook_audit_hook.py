# ATTACK (ex02, class "hooks that see the grader's frames"): an audit hook of its own, called
# for every event the grader's code raises in the child (its compile and exec of the probes,
# its reads of the channel) with their arguments.
# VERDICT: graded, 0 points; sys.addaudithook adds nothing (Python then returns quietly), so
# the hook never runs, not for the submission's own events either (none says REACHED).
import sys


def spy(event, args):
    if event in ("exec", "marshal.loads", "compile"):
        print("REACHED", event)


sys.addaudithook(spy)
compile("1 + 1", "<attack>", "eval")


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    loss_fn(params)
