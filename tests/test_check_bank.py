"""`grade check-bank`: the bank proves itself, and a broken one is told exactly what is wrong.

The gradings here are of ex07 (numpy only, under a second each) and of tiny exercises written
in a temporary bank, with a small mutant budget: the whole bank runs in CI as
`grade check-bank` itself (.ci/run)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXERCISES, REPO, SOLUTIONS, SUBMISSIONS
from grader.bank.layout import Bank
from grader.bank.mutants import KINDS, mutants, select
from grader.bank.static import static_problems


def grade_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def make_bank(tmp: Path, ex: str = "ex07_activations") -> Bank:
    """A copy of one exercise of this repository's bank: exercises/, solutions/, submissions."""
    ex_id = ex.split("_")[0]
    shutil.copytree(EXERCISES / ex, tmp / "exercises" / ex)
    (tmp / "solutions").mkdir()
    shutil.copy(SOLUTIONS / f"{ex_id}.py", tmp / "solutions" / f"{ex_id}.py")
    shutil.copytree(SUBMISSIONS / ex_id, tmp / "tests" / "submissions" / ex_id)
    return Bank(tmp)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ---- static ---------------------------------------------------------------------------------
def test_static_finds_every_authoring_mistake_by_name(tmp_path):
    bank = make_bank(tmp_path, "ex02_gd")
    folder = bank.exercises / "ex02_gd"
    edit(folder / "test_public.py", 'student.probe("notes_loss", start=-1.5, loop_max=5000)\n'
         '    return run', 'student.probe("notes_los", start=-1.5, loop_max=5000)\n'
         '    return run')
    edit(folder / "test_hidden.py", 'exercise.thresholds["x_tol"]', 'exercise.thresholds["x_toll"]')
    edit(folder / "test_hidden.py", "def test_runs_loop_max_steps(student, rng)",
         "def test_runs_loop_max_steps(student, rgn)")
    edit(folder / "test_hidden.py", "def test_updates_params_in_place(",
         "def test_updates_params_inplace(")
    (folder / "README.md").write_text("# ex02\n\n| Check | Points |\n|---|---|\n| one | 3 |\n")
    problems = "\n".join(static_problems(bank, folder))
    assert "probe 'notes_los' is not defined in probes.py (did you mean 'notes_loss'?)" in problems
    assert "threshold 'x_toll' is not under 'thresholds'" in problems and "'x_tol'" in problems
    assert "takes fixture 'rgn', which does not exist (did you mean 'rng'?)" in problems
    assert "check 'test_updates_params_in_place' has no test function" in problems
    assert "test function 'test_updates_params_inplace' has no entry under 'checks'" in problems
    assert "README.md: its points table adds up to 3; exercise.yaml's checks are worth 10" \
        in problems


def test_this_repository_bank_is_statically_sound():
    bank = Bank(REPO)
    for folder in sorted(EXERCISES.iterdir()):
        if (folder / "exercise.yaml").exists():
            assert static_problems(bank, folder) == [], folder.name


# ---- gradings -------------------------------------------------------------------------------
@pytest.mark.slow
def test_check_bank_json_seeds_and_mutants_on_ex07():
    r = grade_cli("check-bank", "ex07", "--json", "--seeds", "2", "--mutants",
                  "--max-mutants", "6", "--jobs", "2")
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert doc["ok"] is True and [e["exercise"] for e in doc["exercises"]] == ["ex07"]
    ex = doc["exercises"][0]
    assert ex["ok"] is True and ex["problems"] == []
    m = ex["mutants"]
    assert m["total"] == 6 and 0 <= m["killed"] <= 6 and m["candidates"] > 6
    assert len(m["survived"]) == m["total"] - m["killed"]
    assert all(set(s) == {"where", "change"} for s in m["survived"])
    assert {s["rate"] for s in ex["seeds"]} == {1.0} and {s["seeds"] for s in ex["seeds"]} == {2}
    assert "graded" in r.stderr  # progress goes to stderr, the report alone to stdout


@pytest.mark.slow
def test_a_bank_that_does_not_hold_says_why_and_exits_1(tmp_path):
    bank = make_bank(tmp_path)
    subs = bank.root / "tests" / "submissions" / "ex07"
    # a known-wrong file whose header names a check that does not catch it
    shutil.copy(bank.root / "solutions" / "ex07.py", subs / "not_wrong.py")
    edit(subs / "not_wrong.py", '"""', '# expect-fail: test_activations_on_notes_grid\n"""')
    # a stub that already passes a check
    stub = bank.exercises / "ex07_activations" / "ex07.py"
    stub.write_text((bank.root / "solutions" / "ex07.py").read_text())
    r = grade_cli("--exercises", str(bank.exercises), "check-bank", "--jobs", "1")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "ex07: FAILS" in r.stdout
    assert "tests/submissions/ex07/not_wrong.py: expected test_activations_on_notes_grid to " \
           "fail; it passed" in r.stdout
    assert "the stub ex07.py: expected 0 points; these checks passed on it" in r.stdout
    assert "bank: FAILS: ex07" in r.stdout


@pytest.mark.slow
def test_unusable_input_exits_2(tmp_path):
    r = grade_cli("check-bank", "ex99")
    assert r.returncode == 2 and "unknown exercise 'ex99'" in r.stderr
    r = grade_cli("--exercises", str(tmp_path / "nowhere"), "check-bank")
    assert r.returncode == 2


TINY_YAML = """\
title: Seeds
time_limit_s: 30
memory_mb: 1024
device: cpu
forbidden_imports: [torch]
checks:
  test_steady: {points: 1}
  test_depends_on_the_seed: {points: 1}
"""
TINY_CHECKS = '''\
from grader.grading.checks import fail

def test_steady(student):
    """one() is 1"""
    if student.probe("one") != 1:
        fail("one() is not 1")

def test_depends_on_the_seed(student, seed):
    """passes at even seeds only"""
    if student.probe("one") != 1 or seed % 2:
        fail(f"odd seed {seed}")
'''


@pytest.mark.slow
def test_seeds_find_a_flaky_check(tmp_path):
    folder = tmp_path / "exercises" / "ex98_seeds"
    folder.mkdir(parents=True)
    (folder / "exercise.yaml").write_text(TINY_YAML)
    (folder / "probes.py").write_text("def one(sub):\n    return sub.one()\n")
    (folder / "test_public.py").write_text(TINY_CHECKS)
    (folder / "ex98.py").write_text("def one():\n    raise NotImplementedError\n")
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "ex98.py").write_text("def one():\n    return 1\n")
    r = grade_cli("--exercises", str(tmp_path / "exercises"), "check-bank", "--seeds", "3",
                  "--json", "--jobs", "1")
    doc = json.loads(r.stdout)
    assert r.returncode == 1, r.stdout + r.stderr
    problems = doc["exercises"][0]["problems"]
    assert any("flaky: test_depends_on_the_seed passes on solutions/ex98.py at 2 of 3 seeds "
               "(fails at seed 1" in p for p in problems), problems
    rates = {s["check"]: s["rate"] for s in doc["exercises"][0]["seeds"]}
    assert rates == {"test_steady": 1.0, "test_depends_on_the_seed": pytest.approx(2 / 3, 1e-3)}


# ---- mutants --------------------------------------------------------------------------------
SOURCE = '''\
def fit(x, steps=10):
    """docstring"""
    w = 0.0
    for _ in range(steps):
        w -= 0.5 * (w - x)
    return max(w, x) if w > 0 and x > 0 else -w


def keep(x):
    return x + 1  # no-mutate


if __name__ == "__main__":
    print(fit(3))
'''


def test_mutants_cover_every_kind_and_stay_valid():
    ms = mutants(SOURCE)
    assert {m.kind for m in ms} == set(KINDS)
    changes = {m.change for m in ms}
    assert "`w -= 0.5 * (w - x)` -> `w += 0.5 * (w - x)`" in changes
    assert "`range(steps)` -> `range(steps - 1)`" in changes
    assert "`max(w, x)` -> `max(x, w)`" in changes
    assert "`w -= 0.5 * (w - x)` -> `(dropped)`" in changes
    assert any(m.kind == "return" and m.function == "fit" for m in ms)
    assert not any(m.function == "keep" for m in ms)          # `# no-mutate`
    assert not any("print" in m.change for m in ms)           # the __main__ block
    assert len({m.source for m in ms}) == len(ms)
    for m in ms:
        compile(m.source, "mutant", "exec")


def test_select_bounds_and_spreads_over_kinds():
    ms = mutants(SOURCE)
    few = select(ms, len(KINDS))
    assert len(few) == len(KINDS) and {m.kind for m in few} == set(KINDS)
    assert select(ms, None) == ms


# ---- grade new ------------------------------------------------------------------------------
@pytest.mark.slow
def test_new_exercise_starts_green(tmp_path):
    r = grade_cli("new", "ex12_scale_demo", "--title", "Scale a list", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    folder = tmp_path / "exercises" / "ex12_scale_demo"
    for name in ("exercise.yaml", "README.md", "ex12.py", "probes.py", "test_public.py",
                 "test_hidden.py"):
        assert (folder / name).is_file(), name
    assert (tmp_path / "solutions" / "ex12.py").is_file()
    assert list((tmp_path / "tests" / "submissions" / "ex12").glob("*.py"))
    assert "# " in (folder / "exercise.yaml").read_text()  # commented for the author
    r = grade_cli("check-bank", "--json", "--mutants", "--jobs", "1", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    ex = json.loads(r.stdout)["exercises"][0]
    assert ex["ok"] and ex["mutants"]["total"] >= 1 and ex["mutants"]["survived"] == []
    again = grade_cli("new", "ex12_other", cwd=tmp_path)
    assert again.returncode == 2 and "ex12 exists already" in again.stderr
    bad = grade_cli("new", "twelve", cwd=tmp_path)
    assert bad.returncode == 2 and "exNN_slug" in bad.stderr


# ---- grade init-ci --------------------------------------------------------------------------
@pytest.mark.slow
def test_init_ci_writes_workflows_that_run_check_bank(tmp_path):
    import yaml
    assert grade_cli("init-ci", cwd=tmp_path).returncode == 2  # not a course repository
    assert grade_cli("new", "ex12_demo", cwd=tmp_path).returncode == 0
    r = grade_cli("init-ci", "--grader", "git+https://example.org/nn-grader.git", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    gh = yaml.safe_load((tmp_path / ".github" / "workflows" / "check-bank.yml").read_text())
    steps = " ".join(str(s.get("run", "")) for s in gh["jobs"]["check-bank"]["steps"])
    assert "grade check-bank" in steps and "bubblewrap" in steps
    assert "pip install git+https://example.org/nn-grader.git" in steps
    gl = yaml.safe_load((tmp_path / ".gitlab-ci.yml").read_text())
    assert any("grade check-bank" in s for s in gl["check-bank"]["script"])
    again = grade_cli("init-ci", cwd=tmp_path)
    assert again.returncode == 2 and "exists already" in again.stderr
    assert grade_cli("init-ci", "--force", cwd=tmp_path).returncode == 0


@pytest.mark.slow
def test_a_mutant_that_loops_is_caught_by_a_time_limit_from_the_reference(tmp_path):
    import time
    from grader.bank.check import BankOptions, check_bank
    from grader.bank.jobs import Runner
    folder = tmp_path / "exercises" / "ex98_loop"
    folder.mkdir(parents=True)
    (folder / "exercise.yaml").write_text(TINY_YAML.replace("time_limit_s: 30",
                                                            "time_limit_s: 300")
                                          .replace("  test_depends_on_the_seed: {points: 1}\n", ""))
    (folder / "probes.py").write_text("def one(sub):\n    return sub.one()\n")
    (folder / "test_public.py").write_text(TINY_CHECKS.split("def test_depends")[0])
    (folder / "ex98.py").write_text("def one():\n    raise NotImplementedError\n")
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "ex98.py").write_text(
        # n = 1 would be no bug (the loop is skipped, one() is still 1): marked as such
        "def one():\n    n = 0  # no-mutate\n    while n < 1:\n        n += 1\n    return n\n")
    started = time.monotonic()
    [rep] = check_bank(Bank(tmp_path), [folder],
                       BankOptions(mutants=True, mutant_min_s=2.0, runner=Runner(jobs=2)))
    assert rep.ok, rep.problems
    m = rep.mutants
    assert m.total >= 3 and m.killed == m.total, m.survived  # `n -= 1` loops: caught at 2 s
    assert time.monotonic() - started < 60  # not the yaml's 300 s per looping mutant


# ---- on a dask cluster, as grade batch ------------------------------------------------------
from test_batch import dask_cluster  # noqa: E402,F401  (the fixture: a scheduler, two workers)


@pytest.mark.slow
def test_check_bank_on_dask_gives_the_local_verdict(dask_cluster):  # noqa: F811
    r = grade_cli("check-bank", "ex07", "--json", "--seeds", "2", "--executor", "dask",
                  "--scheduler", dask_cluster)
    assert r.returncode == 0, r.stdout + r.stderr
    ex = json.loads(r.stdout)["exercises"][0]
    assert ex["ok"] and ex["problems"] == []
    assert {s["passed"] for s in ex["seeds"]} == {2}


def test_a_named_exercise_whose_yaml_is_broken_is_reported_not_refused(tmp_path):
    bank = make_bank(tmp_path)
    edit(bank.exercises / "ex07_activations" / "exercise.yaml", "test_activations_on_notes_grid:",
         "test_activations_on_notes_gird:")
    r = grade_cli("--exercises", str(bank.exercises), "check-bank", "ex07", "--jobs", "1")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "check 'test_activations_on_notes_gird' has no test function" in r.stdout
    assert "(did you mean 'test_activations_on_notes_grid'?)" in r.stdout


@pytest.mark.slow
def test_a_check_that_crashes_on_a_mutant_is_a_problem_of_the_bank(tmp_path):
    """A mutant is a wrong answer a student could hand in: a check whose own code breaks on it
    would end as a grader error for that student too."""
    from grader.bank.check import BankOptions, check_bank
    from grader.bank.jobs import Runner
    folder = tmp_path / "exercises" / "ex97_pair"
    folder.mkdir(parents=True)
    (folder / "exercise.yaml").write_text(
        "title: Pair\ntime_limit_s: 30\nmemory_mb: 1024\ndevice: cpu\n"
        "forbidden_imports: [torch]\nchecks:\n  test_pair_sums_to_one: {points: 1}\n")
    (folder / "probes.py").write_text("def pair(sub):\n    return sub.pair()\n")
    (folder / "test_public.py").write_text(
        "from grader.grading.checks import fail\n\n"
        "def test_pair_sums_to_one(student):\n"
        "    '''pair() is two numbers that sum to 1'''\n"
        "    got = student.probe('pair')\n"
        "    if got[0] + got[1] != 1:  # got[1] on a one-item list: the check's own fault\n"
        "        fail('pair() does not sum to 1')\n")
    (folder / "ex97.py").write_text("def pair():\n    raise NotImplementedError\n")
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "ex97.py").write_text("def pair():\n    return list(range(2))\n")
    [rep] = check_bank(Bank(tmp_path), [folder], BankOptions(mutants=True, runner=Runner()))
    assert any("test_pair_sums_to_one could not run on mutant solutions/ex97.py:2 (pair) "
               "(`range(2)` -> `range(2 - 1)`): grader error: IndexError" in p
               for p in rep.problems), rep.problems
    assert not rep.ok


# ---- an exercise that cannot be loaded is unusable input: exit 2, one line -------------------
def test_a_check_file_with_a_syntax_error_is_one_line_and_exit_2(tmp_path):
    bank = make_bank(tmp_path)
    folder = bank.exercises / "ex07_activations"
    edit(folder / "test_public.py", "def judge(run, names, x, exercise, warnings_too=False):",
         "def judge(run, names, x, exercise, warnings_too=False:")
    r = grade_cli("--exercises", str(bank.exercises), "check-bank", "ex07", "--jobs", "1")
    assert r.returncode == 2, r.stdout + r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    at = (folder / "test_public.py").read_text().splitlines().index(
        "def judge(run, names, x, exercise, warnings_too=False:") + 1
    assert lines[0].startswith(f"grade: {folder / 'test_public.py'}, line {at}: SyntaxError:"), \
        lines
    assert "ex07: FAILS" in r.stdout  # the report still says it, among the others
    # and `grade ex07` meets the same line, with the same exit code
    r = grade_cli("--exercises", str(bank.exercises), "ex07", str(SOLUTIONS / "ex07.py"))
    assert r.returncode == 2 and r.stderr.strip() == lines[0], r.stderr


@pytest.mark.parametrize("old, new, said", [
    ("memory_mb:", "memory_mbs:", "unknown key 'memory_mbs' (did you mean 'memory_mb'?)"),
    ("device: cpu", "device: [cpu", "not valid YAML"),
])
def test_a_broken_exercise_yaml_is_exit_2_and_the_others_still_checked(tmp_path, old, new,
                                                                       said):
    bank = make_bank(tmp_path)
    shutil.copytree(EXERCISES / "ex02_gd", bank.exercises / "ex02_gd")
    edit(bank.exercises / "ex07_activations" / "exercise.yaml", old, new)
    edit(bank.exercises / "ex02_gd" / "test_public.py", "def test_", "def test_x")
    r = grade_cli("--exercises", str(bank.exercises), "check-bank", "--json", "--jobs", "1")
    assert r.returncode == 2, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    by_id = {e["exercise"]: e for e in doc["exercises"]}
    assert said in by_id["ex07"]["unusable"] and said in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    # ex02 was still looked at: its own mismatch is a problem of the bank, not unusable input
    assert "unusable" not in by_id["ex02"] and any(
        "has no entry under 'checks'" in p for p in by_id["ex02"]["problems"])


# ---- diagnoses ------------------------------------------------------------------------------
DIAGNOSED_CHECKS = '''\
from grader.grading.checks import cause, diagnosed, expect_close

@cause("You return the sum, not the mean")
def returns_the_sum(run):
    return run["value"] == sum(run["xs"])

@cause("You divide by one too few")
def off_by_one(run):
    return run["value"] == sum(run["xs"]) / (len(run["xs"]) - 1)

@cause("This diagnosis reads a key the data never has")
def reads_a_missing_key(run):
    return run["values"][0] > 1

def test_mean(student):
    """mean() of a list"""
    run = student.probe("mean")
    with diagnosed(run, returns_the_sum, off_by_one, reads_a_missing_key):
        expect_close("mean([1, 2, 3, 4])", run["value"], 2.5, tol=1e-9)
'''


def _diagnosed_exercise(tmp_path: Path) -> Path:
    folder = tmp_path / "exercises" / "ex96_mean"
    folder.mkdir(parents=True)
    (folder / "exercise.yaml").write_text(
        "title: Mean\ntime_limit_s: 30\nmemory_mb: 1024\ndevice: cpu\n"
        "forbidden_imports: [torch]\nchecks:\n  test_mean: {points: 1}\n")
    (folder / "probes.py").write_text(
        "def mean(sub):\n    xs = [1, 2, 3, 4]\n    return {'xs': xs, 'value': sub.mean(xs)}\n")
    (folder / "test_public.py").write_text(DIAGNOSED_CHECKS)
    (folder / "ex96.py").write_text("def mean(xs):\n    raise NotImplementedError\n")
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "ex96.py").write_text("def mean(xs):\n    return sum(xs) / len(xs)\n")
    return folder


@pytest.mark.slow
def test_check_bank_reports_a_diagnosis_that_raises_on_the_references_data(tmp_path):
    """A diagnosis is only asked when its check fails, and one that raises says nothing: without
    check-bank asking each on the reference's data, a broken one would never be noticed."""
    from grader.bank.check import BankOptions, check_bank
    from grader.bank.jobs import Runner
    folder = _diagnosed_exercise(tmp_path)
    [rep] = check_bank(Bank(tmp_path), [folder], BankOptions(runner=Runner()))
    said = [p for p in rep.problems if "diagnosis" in p]
    assert len(said) == 1, rep.problems
    assert said[0].startswith("solutions/ex96.py: test_mean could not run (grader error): "
                              "GraderBug: diagnosis reads_a_missing_key raised KeyError: "), said
    assert not rep.ok
    # Fixed, the bank holds: the two working diagnoses raise nothing on the same data.
    edit(folder / "test_public.py", 'run["values"][0] > 1', 'run["value"] > 10')
    [rep] = check_bank(Bank(tmp_path), [folder], BankOptions(runner=Runner()))
    assert rep.ok, rep.problems


# ---- its results, kept for the tests that would grade the same files (.ci/run) ---------------
@pytest.mark.slow  # what CI alone uses
def test_kept_results_are_read_back_only_while_the_bank_and_the_file_are_unchanged(tmp_path):
    from conftest import exercise, from_check_bank
    from grader.bank.check import KEPT, BankOptions, check_bank
    from grader.grading.pipeline import grade
    kept = tmp_path / "kept"
    [rep] = check_bank(Bank(REPO), [EXERCISES / "ex07_activations"], BankOptions(keep=kept))
    assert rep.ok, rep.problems
    records = [json.loads(line) for line in (kept / KEPT).read_text().splitlines()]
    wrong = SUBMISSIONS / "ex07" / "naive_exp.py"
    assert {Path(r["path"]) for r in records} == {
        SOLUTIONS / "ex07.py", EXERCISES / "ex07_activations" / "ex07.py",
        *(SUBMISSIONS / "ex07").glob("*.py")}
    def verdict(r):  # all but timings and dates
        return (r.status, r.score, r.message, r.next_step, r.notes,
                [(c.name, c.status, c.points, c.message, c.hint, c.fault) for c in r.checks])
    read = from_check_bank("ex07", wrong, folder=str(kept))
    assert verdict(read) == verdict(grade(exercise("ex07"), wrong))  # as a test grades it
    assert from_check_bank("ex07", wrong, seed=1, folder=str(kept)) is None
    assert from_check_bank("ex07", wrong, device="cuda", folder=str(kept)) is None
    # the file or the bank changed since (its fingerprint differs): graded again, not read
    stale = tmp_path / "stale"
    stale.mkdir()
    (stale / KEPT).write_text("".join(
        json.dumps({**r, "fingerprint": "0" * 64}) + "\n" for r in records))
    assert from_check_bank("ex07", wrong, folder=str(stale)) is None
