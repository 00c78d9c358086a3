# ATTACK: SysV shared memory outlives a run in the zygote's IPC namespace: this plants a
# segment (IPC_PRIVATE and a fixed key) holding a secret, and looks for segments left by others
# (shmget of the key, /proc/sysvipc/shm).
# VERDICT: load_error "attack finished"; every shmget is refused (EPERM) and none is listed.
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
for key in (0, 0x5EC12E7):
    seg = libc.shmget(key, 1 << 20, 0o1666)
    print("SHMGET", key, "OK" if seg >= 0 else f"refused errno {ctypes.get_errno()}")
with open("/proc/sysvipc/shm") as f:
    print("LISTED", len(f.read().splitlines()) - 1)
raise RuntimeError("attack finished")
