# ATTACK: a new user namespace hands back every capability inside it (mount, new network,
# ...): tries unshare(CLONE_NEWUSER), then clone() with CLONE_NEWUSER | CLONE_NEWNS, and setns.
# VERDICT: load_error "attack finished"; all refused (EPERM).
import ctypes
import platform

libc = ctypes.CDLL(None, use_errno=True)
r = libc.unshare(0x10000000)
print("UNSHARE", "OK" if r == 0 else f"refused errno {ctypes.get_errno()}")
SYS_CLONE = {"x86_64": 56, "aarch64": 220}[platform.machine()]
pid = libc.syscall(SYS_CLONE, 0x10000000 | 0x00020000 | 17, None, None, None, None)
if pid == 0:
    libc._exit(0)
print("CLONE_NEWUSER", "OK" if pid > 0 else f"refused errno {ctypes.get_errno()}")
r = libc.setns(-1, 0)
print("SETNS", "OK" if r == 0 else f"refused errno {ctypes.get_errno()}")
raise RuntimeError("attack finished")
