# ATTACK: fills every writable place it can find with 32 MB files (each under the file-size
# limit) until the disk is full: its working folder, $HOME, /tmp, /var/tmp, /dev/shm.
# VERDICT: load_error "attack finished"; each place takes at most the sandbox's scratch size
# (a private tmpfs of 256 MB), nothing reaches the host's disk.
import os

block = b"\1" * (32 << 20)
for place in (".", os.environ.get("HOME", "."), "/tmp", "/var/tmp", "/dev/shm"):
    wrote = 0
    try:
        for i in range(64):  # 2 GB per place, if nothing stopped it
            with open(os.path.join(place, f"fill-{os.getpid()}-{i}.bin"), "wb") as f:
                f.write(block)
            wrote += len(block)
    except OSError as e:
        print(f"FILLED {place} {wrote >> 20} MB, then {type(e).__name__}: {e.strerror}")
    else:
        print(f"FILLED {place} {wrote >> 20} MB, never stopped")
raise RuntimeError("attack finished")
