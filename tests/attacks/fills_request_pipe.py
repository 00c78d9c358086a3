# ATTACK: hangs the grader on a write. In its first GD call it shrinks its request pipe to one
# page, fills it through /proc/self/fd (a pipe's read end reopened for writing), lets GD
# return, then stops itself: the grader's next request finds the pipe full and nobody reading.
# VERDICT: graded, 0 points on what it cheats; the grader is not held: the checks after it
# say "did not finish", and the whole grading ends within the time limit plus a margin.
import fcntl
import os
import signal
import stat
import threading

done = []


def _fill_request_pipe():
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            st = os.fstat(fd)
            flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        except OSError:
            continue
        if stat.S_ISFIFO(st.st_mode) and flags & os.O_ACCMODE == os.O_RDONLY:
            try:
                fcntl.fcntl(fd, 1031, 4096)  # F_SETPIPE_SZ
                w = os.open(f"/proc/self/fd/{fd}", os.O_WRONLY | os.O_NONBLOCK)
                while True:
                    os.write(w, b"\0" * 4096)
            except OSError:
                pass


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    if not done:
        done.append(1)
        _fill_request_pipe()
        threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGSTOP)).start()
