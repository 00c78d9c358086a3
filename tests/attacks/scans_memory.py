# ATTACK (2 of 2, with plants_secret.py): graded on the same warm slot after the planter, it
# reads every readable region of its own memory with ctypes (a forked child starts as a copy of
# the zygote; /proc/self/mem is closed to it, its own address space is not) and prints every
# PLANTEDSECRET-<hex> it finds. The pattern is built at run time, so its own source does not
# contain a match.
# VERDICT: load_error: the guard stops it at its first raw read ("raw memory through ctypes");
# it prints nothing. (tests/test_sandbox_state.py also reads the warm zygote's whole memory from
# outside and finds no earlier submission's bytes there.)
import ctypes
import re

pattern = re.compile(b"PLANTED" + b"SECRET-([0-9a-f]{16})")
found = set()
with open("/proc/self/maps") as maps:
    regions = [line.split() for line in maps]
for fields in regions:
    addr, perms = fields[:2]
    name = fields[5] if len(fields) > 5 else ""
    if "r" not in perms or name in ("[vvar]", "[vvar_vclock]", "[vsyscall]") or \
            name.startswith("/dev/"):
        continue
    lo, hi = (int(x, 16) for x in addr.split("-"))
    for start in range(lo, hi, 1 << 24):
        chunk = ctypes.string_at(start, min(1 << 24, hi - start))
        found.update(m.group(1).decode() for m in pattern.finditer(chunk))
print("SCANNED", len(found), "FOUND", " ".join(sorted(found)))
raise RuntimeError("attack finished")
