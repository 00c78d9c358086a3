# ATTACK: ignores SIGTERM, SIGINT and SIGHUP (in itself and in a child it starts), then loops
# forever at import, hoping a polite kill never ends it.
# VERDICT: load_error, "did not finish within the time limit" (the grader sends SIGKILL to the
# whole sandbox); 0 points; no process of it left.
import os
import signal

for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(sig, signal.SIG_IGN)
if os.fork() == 0:
    while True:
        pass
while True:
    pass
