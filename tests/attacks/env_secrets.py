# ATTACK: hunts for secrets in environment variables: its own environment, /proc/self/environ,
# and /proc/<pid>/environ of its parent, of pid 1 and of every process it can see.
# VERDICT: load_error "attack finished"; the grader's environment (the test sets a secret in it)
# appears nowhere in the output.
import os

print("ENV", dict(os.environ))
for pid in sorted({"self", str(os.getppid()), "1"} | {p for p in os.listdir("/proc")
                                                       if p.isdigit()}):
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            print(f"ENVIRON {pid}", f.read().replace(b"\0", b" ").decode(errors="replace"))
    except OSError as e:
        print(f"no environ for {pid}: {e.strerror}")
raise RuntimeError("attack finished")
