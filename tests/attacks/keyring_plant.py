# ATTACK: kernel keyrings belong to a uid, not a namespace: adds a key holding a secret to its
# user keyring (and session and process keyrings), hoping a later run of the slot uid, even in
# another grader process, reads it (see keyring_read.py).
# VERDICT: load_error "attack finished"; add_key is refused (EPERM) for every keyring.
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
SYS_ADD_KEY = {"x86_64": 248, "aarch64": 217}[__import__("platform").machine()]
for ring in (-4, -3, -2):  # user, session, process keyrings
    r = libc.syscall(SYS_ADD_KEY, b"user", b"grader-attack-key", b"s3cr3t-keyring", 14, ring)
    print("ADD_KEY", ring, "OK" if r >= 0 else f"refused errno {ctypes.get_errno()}")
raise RuntimeError("attack finished")
