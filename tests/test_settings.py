"""The settings table (grader.core.settings): its defaults, how an instructor sets a value (a
grader.yaml beside the exercises, GRADER_<NAME>), a bad value as one line and exit 2, the page
docs/settings.md kept equal to the table, `grade settings`, and modules reading the table."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from conftest import REPO
from grader.cli import main
from grader.core import settings
from grader.core.settings import Settings, SettingError, current, env_name, load, rows

DOC = REPO / "docs" / "settings.md"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No setting from the machine running the tests; no settings file unless a test writes
    one (main() sets GRADER_SETTINGS_BESIDE: monkeypatch puts it back)."""
    for name in [env_name(f.name) for f in rows()] + [settings.BESIDE_ENV]:
        monkeypatch.delenv(name, raising=False)
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    monkeypatch.setenv(settings.FILE_ENV, str(empty))
    settings.reload()
    yield
    settings.loaded.cache_clear()   # the next test file reads its own environment's table


def use(monkeypatch, **env: str) -> None:
    """Set GRADER_<NAME>=value for the test and read the table again, as a new process would."""
    for name, value in env.items():
        monkeypatch.setenv(env_name(name), value)
    settings.reload()


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---- the table -------------------------------------------------------------------------------

def test_every_row_has_a_default_in_its_range_a_unit_a_meaning_and_a_reader():
    names = [f.name for f in rows()]
    assert len(names) == len(set(names)) >= 50
    for f in rows():
        m = f.metadata
        assert isinstance(f.default, int if f.type == "int" else float), f.name
        assert m["low"] <= f.default <= m["high"], f.name
        assert m["unit"] and m["meaning"] and m["read_by"] and m["layer"] in settings.LAYERS
        assert f.name == f.name.lower() and f.name.isidentifier()


def test_defaults_are_todays_values():
    """The values every module held before the table: behaviour unchanged."""
    s = load({}, None).values
    assert s == Settings()
    assert (s.wall_factor, s.rlimit_cpu_factor, s.output_cap_bytes, s.submission_max_bytes,
            s.similarity_k, s.similarity_w, s.plot_max_points, s.gpu_memory_fraction,
            s.gradescope_limit_s, s.jobs) == (3.0, 2.0, 65536, 2_000_000, 12, 4, 2000, 0.9,
                                              900.0, 0)
    assert all(o == "default" for o in load({}, None).origin.values())


def test_the_table_cannot_be_changed_while_the_grader_runs():
    with pytest.raises(AttributeError):
        current().wall_factor = 9  # type: ignore[misc]


# Values read inside the sandbox's child (standard library only: it cannot read the table), and
# the slot uid tests patch: their module still holds its own copy, whose source still says the
# table's value; a change there without the table shows up here.
PENDING = {
    "rlimit_cpu_grace_s": ("sandbox/procs.py", "(cpu, cpu + 5)"),
    "wire_max_message_bytes": ("sandbox/wire.py", "MAX_MESSAGE = 256 * 1024 * 1024"),
    "wire_max_containers": ("sandbox/wire.py", "MAX_CONTAINERS = 200_000"),
    "error_message_chars": ("sandbox/child.py", '"message": text[-2000:]'),
    "error_traceback_chars": ("sandbox/child.py", '"traceback": tb[-6000:]'),
    "slot_uid": ("sandbox/isolation.py", "SLOT_UID = 61000"),
}


@pytest.mark.parametrize("name", sorted(PENDING))
def test_a_pending_setting_still_has_its_default_where_it_is_read(name):
    path, text = PENDING[name]
    assert "pending" in {f.name: f for f in rows()}[name].metadata["read_by"]
    assert text in (REPO / "grader" / path).read_text(encoding="utf-8"), \
        f"grader/{path} changed: wire `{name}` there (and drop it from PENDING)"


def test_every_pending_row_is_checked_above():
    pending = {f.name for f in rows() if "pending" in f.metadata["read_by"]}
    assert pending == set(PENDING)


# ---- setting a value -------------------------------------------------------------------------

def test_the_environment_sets_a_value():
    got = load({"GRADER_WALL_FACTOR": "4", "GRADER_PLOT_MAX_POINTS": " 1_000 ",
                "GRADER_DATA": "/elsewhere"}, None)   # GRADER_DATA: not a setting, not ours
    assert got.values.wall_factor == 4.0 and got.values.plot_max_points == 1000
    assert got.origin["wall_factor"] == "$GRADER_WALL_FACTOR"
    assert got.origin["idle_s"] == "default"


def test_the_file_sets_a_value_and_the_environment_wins(tmp_path):
    f = tmp_path / "grader.yaml"
    f.write_text("wall_factor: 5\nsimilarity_k: 10\nsimilarity_threshold: 0.6\n")
    got = load({"GRADER_SIMILARITY_K": "8"}, f)
    assert (got.values.wall_factor, got.values.similarity_k,
            got.values.similarity_threshold) == (5.0, 8, 0.6)
    assert got.origin["wall_factor"] == str(f) and got.origin["similarity_k"] == "$GRADER_SIMILARITY_K"
    assert got.file == f
    assert load({}, tmp_path / "absent.yaml").values == Settings()


def test_a_file_named_by_grader_settings_must_exist(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv(settings.FILE_ENV, str(tmp_path / "gone.yaml"))
    code, out, err = run_cli(capsys, "settings")
    assert (code, out) == (2, "")
    assert err == f"grade: $GRADER_SETTINGS: no settings file {tmp_path / 'gone.yaml'}\n"
    monkeypatch.setenv(settings.FILE_ENV, str(tmp_path / "mine.yaml"))
    (tmp_path / "mine.yaml").write_text("overview_slowest: 3\n")
    assert settings.reload().values.overview_slowest == 3


def test_an_empty_file_or_value_changes_nothing(tmp_path):
    f = tmp_path / "grader.yaml"
    f.write_text("# nothing set yet\n")
    assert load({"GRADER_IDLE_S": ""}, f).values == Settings()


@pytest.mark.parametrize("name,raw,says", [
    ("GRADER_WALL_FACTOR", "abc", "wall_factor must be a number from 1 to 100"),
    ("GRADER_WALL_FACTOR", "0.5", "wall_factor must be a number from 1 to 100"),
    ("GRADER_WALL_FACTOR", "nan", "wall_factor must be a number"),
    ("GRADER_WALL_FACTOR", "inf", "wall_factor must be a number"),
    ("GRADER_NPROC", "2.5", "nproc must be a whole number from 1 to"),
    ("GRADER_NPROC", "-3", "nproc must be a whole number from 1 to"),
    ("GRADER_SIMILARITY_THRESHOLD", "1.5", "similarity_threshold must be a number from 0 to 1"),
])
def test_a_bad_value_in_the_environment_is_one_line_naming_it(name, raw, says):
    with pytest.raises(SettingError) as e:
        load({name: raw}, None)
    assert str(e.value).startswith(f"${name}: {says}") and "\n" not in str(e.value)
    assert repr(raw) in str(e.value)


@pytest.mark.parametrize("text,says", [
    ("wall_factor: true\n", "wall_factor must be a number"),
    ("wall_factor: [3]\n", "wall_factor must be a number"),
    ("nproc: 64.5\n", "nproc must be a whole number"),
    ("wall_facter: 3\n", "unknown setting 'wall_facter' (`grade settings` lists them)"),
    ("- wall_factor\n", "must map setting names to values"),
    ("wall_factor: [\n", "line 2: not valid YAML"),
])
def test_a_bad_file_is_one_line_naming_the_file_and_the_setting(tmp_path, text, says):
    f = tmp_path / "grader.yaml"
    f.write_text(text)
    with pytest.raises(SettingError) as e:
        load({}, f)
    assert str(e.value).startswith(str(f)) and says in str(e.value), str(e.value)
    assert "\n" not in str(e.value)


def test_the_table_is_read_once_per_process(monkeypatch):
    assert current().idle_s == 10.0 and current() is current()
    monkeypatch.setenv("GRADER_IDLE_S", "20")
    assert current().idle_s == 10.0      # read-only while the grader runs
    assert settings.reload().values.idle_s == 20.0 and current().idle_s == 20.0


def test_the_jobs_default_is_the_usable_cores_or_the_setting(monkeypatch):
    assert settings.cores() >= 1
    use(monkeypatch, jobs="3")
    assert settings.cores() == 3


# ---- the page --------------------------------------------------------------------------------

def test_the_page_is_the_table():
    assert DOC.read_text(encoding="utf-8") == settings.markdown(), \
        "docs/settings.md is stale: python -m grader.core.settings --markdown > docs/settings.md"


def test_the_page_names_every_setting_with_its_default():
    page = DOC.read_text(encoding="utf-8")
    for f in rows():
        assert f"| `{f.name}` | " in page


# ---- grade settings --------------------------------------------------------------------------

def test_grade_settings_lists_every_setting(capsys, monkeypatch):
    monkeypatch.setenv("GRADER_RLIMIT_CPU_GRACE_S", "7")
    monkeypatch.setenv("GRADER_PLOT_MAX_POINTS", "500")
    code, out, err = run_cli(capsys, "settings")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["name", "value", "default", "unit"]
    by_name = {line.split()[0]: line for line in lines[1:]}
    assert set(by_name) == {f.name for f in rows()}
    assert by_name["plot_max_points"].split()[:3] == ["plot_max_points", "500", "2000"]
    assert "$GRADER_PLOT_MAX_POINTS" in by_name["plot_max_points"]
    # A row the grader does not read yet says that its default is still in force.
    assert "not read yet: 5 in force" in by_name["rlimit_cpu_grace_s"]


def test_grade_settings_json_and_the_file_beside_the_exercises(capsys, monkeypatch, tmp_path):
    monkeypatch.delenv(settings.FILE_ENV)
    bank = tmp_path / "exercises"
    bank.mkdir()
    (bank / "grader.yaml").write_text("similarity_top: 5\n")
    monkeypatch.setenv("GRADER_IDLE_S", "12.5")
    code, out, err = run_cli(capsys, "--exercises", str(bank), "settings", "--json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["file"] == str((bank / "grader.yaml").resolve())
    got = {r["name"]: r for r in doc["settings"]}
    assert [r["name"] for r in doc["settings"]] == [f.name for f in rows()]
    assert got["similarity_top"]["value"] == 5 and got["similarity_top"]["default"] == 10
    assert got["similarity_top"]["set_by"] == doc["file"]
    assert got["idle_s"] == {**got["idle_s"], "value": 12.5, "set_by": "$GRADER_IDLE_S",
                             "env": "GRADER_IDLE_S", "unit": "s", "wired": True}
    assert set(got["wall_factor"]) == {"name", "value", "default", "unit", "type", "low", "high",
                                       "layer", "set_by", "env", "meaning", "read_by", "wired"}


@pytest.mark.parametrize("argv", [["settings"], ["list"], ["ex02", "nope.py"]])
def test_a_bad_setting_stops_any_command_with_one_line_and_exit_2(capsys, monkeypatch, argv):
    monkeypatch.setenv("GRADER_WALL_FACTOR", "fast")
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == ""
    assert err == ("grade: $GRADER_WALL_FACTOR: wall_factor must be a number from 1 to 100 "
                   "(x time limit), not 'fast'\n")


def test_a_bad_file_beside_the_exercises_stops_the_command(capsys, monkeypatch, tmp_path):
    monkeypatch.delenv(settings.FILE_ENV)
    (tmp_path / "grader.yaml").write_text("idle: 3\n")
    code, out, err = run_cli(capsys, "--exercises", str(tmp_path), "list")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "unknown setting 'idle'" in err


# ---- modules read the table ------------------------------------------------------------------

def test_the_plots_thin_to_the_setting(monkeypatch):
    from grader.grading.plot_series import thinned
    use(monkeypatch, plot_max_points="50")
    ys = thinned({"loss": {"y": [math.sin(i) for i in range(1000)]}})["loss"]["y"]
    assert 40 <= len(ys) <= 51


def test_the_loader_refuses_a_file_over_the_setting(monkeypatch, tmp_path):
    from grader.grading.loader import SubmissionError, load_submission
    f = tmp_path / "ex02.py"
    f.write_text("x = 1\n" * 400)
    assert load_submission(f).source
    use(monkeypatch, submission_max_bytes="1000")
    with pytest.raises(SubmissionError, match="limited to"):
        load_submission(f)


def test_a_runs_limits_take_the_settings(monkeypatch):
    from grader.sandbox.limits import Limits, limits_for
    assert (limits_for(1, 1, 3).nproc, limits_for(1, 1, 3).file_mb) == (64, 64)
    assert limits_for(10, 2, 3).rlimit_cpu_s == 20 and limits_for(10, 2, 3).wall_ceiling_s == 30
    use(monkeypatch, nproc="80", rlimit_cpu_factor="3", wall_factor="4")
    assert limits_for(1, 1, 3).nproc == 80 and Limits(1, 1, 3, 2, nproc=5).nproc == 5
    assert limits_for(10, 2, 3).rlimit_cpu_s == 30 and limits_for(10, 2, 3).wall_ceiling_s == 40


def test_similarity_reads_k_and_the_threshold(monkeypatch):
    from grader.classroom.similarity import rank
    from grader.classroom.similarity.fingerprint import fingerprints
    from grader.classroom.similarity.normalise import units
    code = "def f(x):\n    total = 0\n    for v in x:\n        total += v * v\n    return total\n"
    default = fingerprints(units(code))
    use(monkeypatch, similarity_k="3")
    assert len(fingerprints(units(code))) > len(default)
    pairs = [rank.Pair(0, 1, 0.55, 5)]
    assert rank.clusters(pairs) == [[0, 1]]
    use(monkeypatch, similarity_threshold="0.6")
    assert rank.clusters(pairs) == []


def test_the_wired_modules_hold_no_copy_of_a_default():
    """A wired setting's old module constant is gone: one name per quantity."""
    gone = {"rendering/plots.py": ("MAX_POINTS =", "MAX_IMAGES ="),
            "rendering/terminal.py": ("MESSAGE_WIDTH =", "MAX_OUTPUT_LINES ="),
            "grading/loader.py": ("_NOTEBOOK_FACTOR =", "2_000_000"),
            "classroom/intake/members.py": ("MAX_BYTES =", "MAX_DEPTH =", "MAX_INNER_ZIP ="),
            "classroom/similarity/fingerprint.py": ("K = 12", "W = 4"),
            "classroom/similarity/rank.py": ("THRESHOLD =", "EVIDENCE ="),
            "classroom/batch/executors.py": ("GPU_MEMORY_FRACTION =",),
            "commands/autograder.py": ("NN_GRADER_GRADESCOPE_LIMIT_S",),
            "commands/apart.py": ("NN_GRADER_APART_UID", "NPROC ="),
            "bank/check.py": ("MUTANT_TIME_FACTOR =",)}
    for path, texts in gone.items():
        source = (Path(REPO) / "grader" / path).read_text(encoding="utf-8")
        assert not [t for t in texts if t in source], path
