# ATTACK: fills /dev/shm, a tmpfs whose pages are memory, not disk and not address space.
# VERDICT: load_error; it is stopped (out of memory, or the file system is full) before 4 GB,
# and no file of it stays on the host's /dev/shm.
import os

path = "/dev/shm/grader-attack-fill"
chunk = b"\xcd" * (64 << 20)
with open(path, "wb") as f:
    for i in range(64):
        f.write(chunk)
        f.flush()
        print("WROTE", (i + 1) * 64, "MB", flush=True)
raise RuntimeError("attack finished: wrote 4 GB")
