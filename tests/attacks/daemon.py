# ATTACK: leaves a daemon behind: double fork + setsid, the daemon ignores SIGTERM and SIGHUP,
# closes its output and becomes `python -c 'sleep 300' grader-attack-daemon` (the last word
# lets the test find it). The import then ends with an error.
# VERDICT: load_error "attack finished", and no process of the run (the slot uid's, or one
# named grader-attack-daemon) is left once grading returns.
import os
import signal
import sys

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)",
                                  "grader-attack-daemon"])
    os._exit(0)
os.wait()
print("daemon started")
raise RuntimeError("attack finished")
