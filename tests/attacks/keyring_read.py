# ATTACK: looks for a key a previous run planted (keyring_plant.py): request_key, and keyctl
# to read the user keyring.
# VERDICT: load_error "attack finished"; request_key and keyctl are refused (EPERM).
import ctypes
import platform

libc = ctypes.CDLL(None, use_errno=True)
SYS = {"x86_64": (249, 250), "aarch64": (218, 219)}[platform.machine()]
key = libc.syscall(SYS[0], b"user", b"grader-attack-key", None, 0)
print("REQUEST_KEY", "FOUND" if key >= 0 else f"refused errno {ctypes.get_errno()}")
buf = ctypes.create_string_buffer(4096)
n = libc.syscall(SYS[1], 11, -4, buf, 4096)  # KEYCTL_READ of the user keyring
print("KEYCTL", "READ" if n >= 0 else f"refused errno {ctypes.get_errno()}")
raise RuntimeError("attack finished")
