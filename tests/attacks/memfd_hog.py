# ATTACK: memory that is not address space escapes RLIMIT_AS: fills memfd files (and
# /dev/shm) with 64 MB at a time, touching every page, up to 4 GB, far over the limit.
# VERDICT: load_error, "ran out of memory"; the kernel stops it near its limit, and the run's
# peak memory is reported truly (at least half the limit).
import os

fds, held = [], 0
chunk = b"\xab" * (64 << 20)
while held < 4096:
    fd = os.memfd_create("hog")
    os.write(fd, chunk)
    fds.append(fd)
    held += 64
    print("HELD", held, "MB", flush=True)
raise RuntimeError("attack finished: held 4 GB")
