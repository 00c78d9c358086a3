# ATTACK: remount the read-only file system, mount a tmpfs over /sandbox, chroot, load a kernel
# module: what a process with capabilities could do.
# VERDICT: load_error "attack finished"; every call refused (EPERM).
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
tries = {"MOUNT_REMOUNT": lambda: libc.mount(None, b"/", None, 32 | 1 << 5, None),
         "MOUNT_TMPFS": lambda: libc.mount(b"none", b"/sandbox", b"tmpfs", 0, None),
         "CHROOT": lambda: libc.chroot(b"/tmp"),
         "DELETE_MODULE": lambda: libc.syscall(176, b"loop", 0)}
for name, call in tries.items():
    r = call()
    print(name, "OK" if r == 0 else f"refused errno {ctypes.get_errno()}")
raise RuntimeError("attack finished")
