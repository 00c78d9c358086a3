# ATTACK: tries to leave a file named grader-attack-planted in $HOME, /tmp, /var/tmp,
# /dev/shm, /, /root, /etc, the Python install and its site-packages, the grader's package and
# the repository (their host paths read from pid 1's command line, i.e. bwrap's binds), the
# submission's own folder, and the folder of the sandbox helpers.
# VERDICT: load_error "attack finished"; no such file appears anywhere on the host.
import os
import re
import sys

NAME = "grader-attack-planted"
places = {os.environ.get("HOME", "/"), os.getcwd(), "/tmp", "/var/tmp", "/dev/shm", "/", "/root",
          "/etc", "/sandbox", sys.prefix, sys.base_prefix} | set(sys.path)
try:
    cmdline = open("/proc/1/cmdline", "rb").read().decode(errors="replace")
    for path in re.findall(r"/[\w./+-]+", cmdline):
        for _ in range(4):
            places.add(path)
            path = os.path.dirname(path)
except OSError:
    pass
for place in sorted(p for p in places if p):
    try:
        with open(os.path.join(place, NAME), "w") as f:
            f.write("planted by tests/attacks/writes_everywhere.py\n")
        print("WROTE", place)
    except OSError as e:
        print("could not write", place, e.strerror)
raise RuntimeError("attack finished")
