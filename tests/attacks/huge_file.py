# ATTACK: writes a 1 GB file in its working folder at import.
# VERDICT: load_error, "File too large" (RLIMIT_FSIZE stops it at 64 MB); nothing on the host.
block = b"\0" * (1 << 20)
with open("huge.bin", "wb") as f:
    for _ in range(1024):
        f.write(block)
