# ATTACK: a POSIX message queue (mq_open), which lives in the IPC namespace like SysV objects.
# VERDICT: load_error "attack finished"; mq_open is refused (EPERM).
import ctypes
import ctypes.util
import os

lib = ctypes.CDLL(ctypes.util.find_library("rt") or None, use_errno=True)
q = lib.mq_open(b"/grader-attack-queue", os.O_CREAT | os.O_RDWR, 0o666, None)
print("MQ_OPEN", "OK" if q >= 0 else f"refused errno {ctypes.get_errno()}")
raise RuntimeError("attack finished")
