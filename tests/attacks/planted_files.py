# ATTACK: at import, plants files that would run its code in a later process or in the checks:
# conftest.py (a pytest hook passing every test), sitecustomize.py, usercustomize.py, a .pth
# file, and numpy.py / torch.py / json.py shadows, in its working folder and $HOME. Its GD
# then kills its own process, so that the grader starts a fresh one for the next check, which
# is where the planted files would act.
# VERDICT: every check fails (the process ended while running your code), 0 points; no
# "PLANTED-RAN" line in the output: none of the planted files ever runs.
import os

RUN = "import os; os.write(1, b'PLANTED-RAN\\n')\n"
HOOK = RUN + """
import pytest

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    rep.outcome = "passed"
"""
for folder in (".", os.environ.get("HOME", ".")):
    for name, text in (("conftest.py", HOOK), ("sitecustomize.py", RUN),
                       ("usercustomize.py", RUN), ("evil.pth", RUN), ("numpy.py", RUN),
                       ("torch.py", RUN), ("json.py", RUN)):
        try:
            with open(os.path.join(folder, name), "w") as f:
                f.write(text)
        except OSError as e:
            print("could not plant", folder, name, e)


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    os._exit(3)
