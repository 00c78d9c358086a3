# ATTACK: SysV semaphores and message queues, the other IPC objects a zygote's namespace keeps
# for a whole batch: creates one of each under a fixed key.
# VERDICT: load_error "attack finished"; semget and msgget are refused (EPERM).
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
for name in ("semget", "msgget"):
    args = (0x5EC12E8, 1, 0o1666) if name == "semget" else (0x5EC12E8, 0o1666)
    r = getattr(libc, name)(*args)
    print(name.upper(), "OK" if r >= 0 else f"refused errno {ctypes.get_errno()}")
raise RuntimeError("attack finished")
