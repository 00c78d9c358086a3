# ATTACK: kills its parent with SIGKILL at import, hoping to take the grader down; inside a
# fresh pid namespace (pid < 10) also pid 1 and every process it may signal (kill(-1)).
# Then defines a correct GD.
# VERDICT: the grader survives and grades it, full marks: every kill is refused (the run's own
# seccomp filter lets it signal only its own descendants: not the warm zygote, bwrap's init or
# the keeper), in both sandboxes.
import os
import signal

import torch

for target in ([os.getppid()] + ([1, -1] if os.getpid() < 10 else [])):
    try:
        os.kill(target, signal.SIGKILL)
        print(f"KILLED {target}")
    except OSError as e:
        print(f"could not kill {target}: {e}")


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(loop_max):
        loss = loss_fn(params)
        loss.backward()
        with torch.no_grad():
            for x in params:
                x -= learning_rate * x.grad
                x.grad = None
