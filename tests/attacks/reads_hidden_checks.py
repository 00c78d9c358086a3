# ATTACK: looks for the hidden checks and the reference solution, and uses the reference GD if
# it finds one: `import grader`, every sys.path entry, the parent folders of its own file and of
# the sandbox helpers, /proc/1/cwd and /root, /proc/<ppid>/cwd, the host paths named on pid 1's
# command line (bwrap's binds), and a walk of the whole visible file system. Its own GD never
# moves the parameters.
# VERDICT: graded, 0 points; no "LEAKED" line in the output: none of it is there to be found.
import os
import re
import sys

WANTED = ("test_hidden.py", "solutions", "exercise.yaml", "probes.py", "gradebook")
found = []


def look(folder, depth=0):
    if folder == "/" or folder.startswith(("/proc", "/sys", "/dev")):
        return
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        path = os.path.join(folder, name)
        if name in WANTED or name == "ex02.py" and "solutions" in path:
            found.append(path)
        if depth < 3 and os.path.isdir(path) and not os.path.islink(path):
            look(path, depth + 1)


try:
    import grader  # noqa: F401
    found.append(f"import grader: {getattr(grader, '__path__', grader)}")
except ImportError as e:
    print("import grader failed:", e)

roots = set(sys.path) | {os.getcwd(), "/", "/sandbox", "/work", "/data", "/tmp", "/root"}
here = os.path.abspath(__file__)
while here != "/":
    here = os.path.dirname(here)
    roots.add(here)
for pid in ("1", str(os.getppid()), "self"):
    for link in ("cwd", "root"):
        try:
            roots.add(os.readlink(f"/proc/{pid}/{link}"))
            roots.add(f"/proc/{pid}/{link}")
        except OSError:
            pass
try:
    cmdline = open("/proc/1/cmdline", "rb").read().decode(errors="replace")
    for path in re.findall(r"/[\w./+-]+", cmdline):
        for up in range(4):
            roots.add(path)
            path = os.path.dirname(path)
except OSError:
    pass
for root in sorted(roots):
    look(root)
    for rel in ("solutions/ex02.py", "exercises/ex02_gd/test_hidden.py", "grader/__init__.py"):
        if os.path.isfile(os.path.join(root, rel)):
            found.append(os.path.join(root, rel))
for top in os.listdir("/"):
    if top not in ("proc", "sys", "dev", "usr"):
        look("/" + top)

solution = next((p for p in found if p.endswith(("solutions/ex02.py", "solutions"))), None)
for path in found:
    print("LEAKED:", path)


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    if solution:  # run the reference, found on the host
        path = solution if solution.endswith(".py") else os.path.join(solution, "ex02.py")
        scope = {}
        exec(open(path).read(), scope)
        return scope["GD"](params, loss_fn, loop_max, learning_rate)
    loss_fn(params)  # one step's loss, and no step
