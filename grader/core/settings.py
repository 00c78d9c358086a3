"""Every number the grader decides for itself, in one table: name, default, unit, meaning, layer.

An exercise's own limits (its time limit, memory, reply size) live in its exercise.yaml; this
table holds the grader's policy around them: the wall-clock ceiling above a CPU limit, output
and intake caps, similarity's k-grams, plot sizes, timeouts of the grader's own waits.

An instructor sets a value in one of two ways (the later wins):
  1. `grader.yaml` in the exercises folder (or the file $GRADER_SETTINGS names), e.g.
         wall_factor: 4
         similarity_threshold: 0.6
  2. the environment: GRADER_WALL_FACTOR=4 grade batch ...
`grade settings` lists every value and where it was set. A value out of its range, of the wrong
type, or an unknown name in the file stops the grader with one line (exit 2).

The values are read-only while the grader runs: read once per process (`current()`). Code reads a setting by the table's name, `current().wall_factor`, when it uses it.
A row whose reader is "pending: ..." is not wired yet: the module named there still holds its own
constant of the same value (its module is being rewritten); a row read inside the sandbox's
child (standard library only) must travel there over the wire.

`python -m grader.core.settings --markdown` writes docs/settings.md (a test keeps them equal).
"""
from __future__ import annotations

import dataclasses
import functools
import math
import os
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from grader.core import machine
from grader.core.errors import GraderError

FILE_NAME = "grader.yaml"
FILE_ENV = "GRADER_SETTINGS"
BESIDE_ENV = "GRADER_SETTINGS_BESIDE"   # set by the command line's edge: --exercises DIR
PREFIX = "GRADER_"
LAYERS = ("sandbox", "grading", "rendering", "classroom", "bank", "commands")


class SettingError(GraderError):
    """A setting the instructor gave cannot be used: one line naming it and its range."""


def knob(default: int | float, unit: str, low: float, high: float, layer: str, meaning: str,
         read_by: str) -> Any:
    """One row of the table, as a field of `Settings`. `read_by` names the module that reads it
    ("pending: module CONSTANT" where that module still holds its own copy)."""
    assert layer in LAYERS and low <= default <= high, (layer, default)
    return field(default=default, metadata={"unit": unit, "low": low, "high": high,
                                             "layer": layer, "meaning": meaning,
                                             "read_by": read_by})


@dataclass(frozen=True)
class Settings:
    # ---- sandbox: a run's time, memory and output (modules being rewritten: pending) ----
    wall_factor: float = knob(
        3.0, "x time limit", 1.0, 100.0, "sandbox",
        "a run's wall-clock ceiling, as a multiple of its CPU time limit",
        "grader/sandbox/limits.py wall_ceiling_s; grader/sandbox/clock.py Budget")
    rlimit_cpu_factor: float = knob(
        2.0, "x time limit", 1.0, 100.0, "sandbox",
        "RLIMIT_CPU of each process of a run (a backstop under the CPU count), as a multiple "
        "of the time limit", "grader/sandbox/limits.py limits_for")
    rlimit_cpu_grace_s: int = knob(
        5, "s", 1, 3600, "sandbox",
        "from RLIMIT_CPU's soft limit (SIGXCPU) to its hard one (SIGKILL)",
        "pending, child-side (over the wire): sandbox/procs.py apply_rlimits `cpu + 5`")
    cpu_poll_s: float = knob(
        0.25, "s", 0.01, 5.0, "sandbox",
        "how often a waiting grader reads a run's CPU counter (the most it overshoots a limit)",
        "grader/sandbox/clock.py Deadline")
    idle_s: float = knob(
        10.0, "s", 0.5, 3600.0, "sandbox",
        "a run that spends (next to) no CPU this long while the grader waits is stopped as idle",
        "grader/sandbox/clock.py Deadline")
    idle_cpu_s: float = knob(
        0.05, "s", 0.0, 10.0, "sandbox",
        "CPU seconds within idle_s below which a run counts as idle",
        "grader/sandbox/clock.py Deadline")
    file_mb: int = knob(
        64, "MB", 1, 1 << 20, "sandbox", "the largest file a run may write (RLIMIT_FSIZE)",
        "grader/sandbox/isolation.py Limits.file_mb")
    nproc: int = knob(
        64, "processes", 1, 1 << 16, "sandbox",
        "processes and threads a run may start, on top of what its user already has",
        "grader/sandbox/isolation.py Limits.nproc")
    scratch_mb: int = knob(
        256, "MB", 1, 1 << 20, "sandbox", "each of /work and /tmp inside bubblewrap (in memory)",
        "grader/sandbox/isolation.py Limits.scratch_mb")
    group_memory_headroom: float = knob(
        1.25, "x memory limit", 1.0, 10.0, "sandbox",
        "a run's cgroup memory limit, as a multiple of its address-space limit",
        "grader/sandbox/runs.py group_memory_mb")
    sandbox_tasks: int = knob(
        8, "tasks", 0, 1024, "sandbox",
        "tasks a cold sandbox adds to a run's own (bubblewrap's init and setpriv)",
        "grader/sandbox/runs.py ColdRun")
    output_cap_bytes: int = knob(
        64 * 1024, "bytes", 1024, 1 << 30, "sandbox",
        "what a run prints that the grader keeps (the rest is dropped, the report says so)",
        "grader/sandbox/session.py")
    handshake_bytes: int = knob(
        64 * 1024, "bytes", 1024, 1 << 30, "sandbox",
        "the child's first message (\"loaded\", or a traceback) at most",
        "grader/sandbox/session.py")
    stack_wait_s: float = knob(
        0.2, "s", 0.0, 10.0, "sandbox",
        "wait for the stack a run dumps at its deadline to reach its output",
        "grader/sandbox/session.py")
    wire_max_message_bytes: int = knob(
        256 << 20, "bytes", 1 << 20, 1 << 31, "sandbox",
        "the largest message either side of the wire accepts",
        "pending, child-side (over the wire): sandbox/wire.py MAX_MESSAGE")
    wire_max_containers: int = knob(
        200_000, "lists and dicts", 1000, 100_000_000, "sandbox",
        "lists and dicts in one message at most (decoding cost grows with them, not with bytes)",
        "pending, child-side (over the wire): sandbox/wire.py MAX_CONTAINERS")
    error_message_chars: int = knob(
        2000, "characters", 100, 1_000_000, "sandbox",
        "the end of a submission's exception message the child sends back",
        "pending, child-side (over the wire): sandbox/child.py error `text[-2000:]`")
    error_traceback_chars: int = knob(
        6000, "characters", 100, 1_000_000, "sandbox",
        "the end of a submission's traceback the child sends back",
        "pending, child-side (over the wire): sandbox/child.py error `tb[-6000:]`")
    zygote_start_s: float = knob(
        120.0, "s", 1.0, 3600.0, "sandbox",
        "a warm sandbox's start (importing torch on a busy machine) at most",
        "grader/sandbox/zygote.py")
    zygote_answer_s: float = knob(
        10.0, "s", 0.1, 600.0, "sandbox",
        "a warm sandbox's answer to a fork or a clean-up at most (slower: stuck or stopped)",
        "grader/sandbox/zygote.py, runs.py")
    slot_uid: int = knob(
        61000, "uid", 1000, 4_000_000_000, "sandbox",
        "a grader running as root drops slot N's runs to this uid + N",
        "pending: sandbox/isolation.py SLOT_UID (tests patch it)")
    uid_span: int = knob(
        1000, "uids", 1, 1_000_000, "sandbox", "slot uids leased above slot_uid at most",
        "grader/sandbox/uids.py")
    # ---- grading: one submission ----
    submission_max_bytes: int = knob(
        2_000_000, "bytes", 1000, 1 << 31, "grading",
        "the largest .py submission read (a batch reports a larger file as not gradable)",
        "grader/grading/loader.py load_submission; grader/classroom/intake")
    notebook_bytes_factor: int = knob(
        25, "x submission_max_bytes", 1, 1000, "grading",
        "a notebook may be this many times larger (its outputs and images are dropped)",
        "grader/grading/loader.py load_submission")
    jupyter_timeout_s: float = knob(
        1800.0, "s", 1.0, 86400.0, "grading", "`%grade` in a notebook waits this long for grade",
        "grader/grading/jupyter.py")
    diverged_growth: float = knob(
        10.0, "x first loss", 1.0, 1e12, "grading",
        "a loss that ends this many times above its first is diagnosed as diverged",
        "grader/grading/trajectory.py")
    still_falling: float = knob(
        0.02, "fraction", 0.0, 1.0, "grading",
        "a loss whose last tenth of the run fell by at least this share of the last loss is "
        "still falling",
        "grader/grading/trajectory.py")
    more_causes: int = knob(
        3, "causes", 0, 100, "grading", "other causes named after the first in the next step",
        "grader/grading/feedback.py next_step")
    mnist_download_s: float = knob(
        300.0, "s", 1.0, 86400.0, "grading", "`grade data mnist`'s download at most",
        "grader/grading/data.py install_mnist")
    # ---- rendering: the report, the terminal ----
    message_width: int = knob(
        100, "characters", 20, 10_000, "rendering", "a check's message in the terminal's table",
        "grader/rendering/terminal.py")
    terminal_output_lines: int = knob(
        200, "lines", 0, 1_000_000, "rendering",
        "lines of a run's output shown live (then the rest is in the report)",
        "grader/rendering/terminal.py Progress")
    plot_max_points: int = knob(
        2000, "points", 10, 1_000_000, "rendering",
        "points per series of a plot (longer ones are thinned, first and last kept)",
        "grader/rendering/plots.py")
    plot_max_images: int = knob(
        64, "images", 1, 10_000, "rendering", "images of a plot, and rows and columns of a matrix",
        "grader/rendering/plots.py")
    # ---- classroom: intake, batch, similarity, the gradebook ----
    intake_max_depth: int = knob(
        12, "folders", 1, 1000, "classroom", "a deeper tree in a submissions zip or folder is "
        "reported, not walked", "grader/classroom/intake/members.py")
    intake_max_members: int = knob(
        200_000, "members", 1, 100_000_000, "classroom", "members of a submissions zip at most",
        "grader/classroom/intake/members.py")
    inner_zip_bytes: int = knob(
        50_000_000, "bytes", 1000, 1 << 40, "classroom",
        "a student's own .zip upload is unpacked (one level) up to this size",
        "grader/classroom/intake/members.py")
    inner_zip_members: int = knob(
        10_000, "members", 1, 100_000_000, "classroom",
        "a student's own .zip upload is unpacked up to this many files",
        "grader/classroom/intake/members.py")
    jobs: int = knob(
        0, "processes", 0, 4096, "classroom",
        "default --jobs of batch, release and check-bank (0: the usable cores)",
        "grader/commands/batch.py, release.py, check_bank.py")
    gpu_memory_fraction: float = knob(
        0.9, "fraction", 0.01, 1.0, "classroom",
        "a batch's CUDA run may use this share of its GPU's memory",
        "grader/classroom/batch/executors.py")
    dask_slots: int = knob(
        64, "slots", 1, 65_536, "classroom", "gradings at once on one dask worker's machine",
        "grader/classroom/batch/dask_executor.py hold_slot")
    dask_slot_wait_s: float = knob(
        3600.0, "s", 1.0, 86400.0, "classroom", "a dask grading waits this long for a free slot",
        "grader/classroom/batch/dask_executor.py hold_slot")
    dask_connect_s: float = knob(
        20.0, "s", 1.0, 3600.0, "classroom", "connecting to a dask scheduler at most",
        "grader/classroom/batch/dask_executor.py DaskExecutor")
    gradebook_busy_s: float = knob(
        5.0, "s", 0.0, 3600.0, "classroom",
        "a gradebook write waits this long for another writer's lock (SQLite's busy timeout)",
        "grader/classroom/gradebook.py")
    gradescope_limit_s: float = knob(
        900.0, "s", 1.0, 86400.0, "classroom",
        "a Gradescope autograder's whole grading at most (it stops a stuck one)",
        "grader/commands/autograder.py time_limit_s")
    overview_slowest: int = knob(
        10, "submissions", 0, 10_000, "classroom", "slowest gradings named in a batch's overview",
        "grader/classroom/overview.py")
    similarity_k: int = knob(
        12, "tokens", 2, 1000, "classroom",
        "tokens in a k-gram: shorter shared runs are noise, never seen",
        "grader/classroom/similarity/fingerprint.py")
    similarity_w: int = knob(
        4, "k-grams", 1, 1000, "classroom",
        "k-grams in a winnowing window: any shared run of k + w - 1 tokens is seen",
        "grader/classroom/similarity/fingerprint.py")
    similarity_gap: int = knob(
        8, "k-grams", 0, 1000, "classroom",
        "k-gram positions a matched fragment may skip in either file",
        "grader/classroom/similarity/matches.py")
    similarity_evidence: float = knob(
        2.0, "fingerprints", 0.01, 1000.0, "classroom",
        "shared rare fingerprints at which the evidence factor is 1 - 1/e",
        "grader/classroom/similarity/rank.py")
    similarity_threshold: float = knob(
        0.5, "similarity", 0.0, 1.0, "classroom",
        "pairs at or above it are flagged and join clusters", "grader/classroom/similarity")
    similarity_listed: float = knob(
        0.2, "similarity", 0.0, 1.0, "classroom",
        "pairs below it are not listed (nor given a page)",
        "grader/classroom/similarity/analyse.py")
    similarity_most: int = knob(
        100, "pairs", 1, 1_000_000, "classroom", "pairs listed per exercise at most",
        "grader/classroom/similarity/analyse.py")
    similarity_max_share: int = knob(
        10, "documents", 2, 1_000_000, "classroom",
        "a fingerprint in more documents than this (or a tenth of a larger class) is common, "
        "not evidence", "grader/classroom/similarity/index.py")
    similarity_top: int = knob(
        10, "pairs", 0, 10_000, "classroom", "pairs per exercise in the batch overview",
        "grader/classroom/similarity/overview.py")
    # ---- bank, commands ----
    mutant_time_factor: float = knob(
        3.0, "x reference time", 1.0, 1000.0, "bank",
        "a mutant's run may take this many times the reference's (check-bank --mutants)",
        "grader/bank/check.py")
    watch_poll_s: float = knob(
        0.1, "s", 0.01, 60.0, "commands", "`grade --watch` looks at the file this often",
        "grader/commands/watch.py")
    watch_settle_s: float = knob(
        0.05, "s", 0.0, 60.0, "commands",
        "`grade --watch` waits for a file that changed to hold still this long",
        "grader/commands/watch.py")
    grading_uid: int = knob(
        60990, "uid", 1000, 4_000_000_000, "commands",
        "the uid a root grader drops to while grading apart (Gradescope)",
        "grader/commands/apart.py")
    grading_nproc: int = knob(
        256, "processes", 16, 1 << 20, "commands",
        "processes and threads of the grading uid (RLIMIT_NPROC)", "grader/commands/apart.py")


def rows() -> tuple[dataclasses.Field, ...]:
    return fields(Settings)


def env_name(name: str) -> str:
    return PREFIX + name.upper()


def _kind(f: dataclasses.Field) -> type:
    return int if f.type in ("int", int) else float


@dataclass(frozen=True)
class Loaded:
    """The values in force and, for each name, where it was set ("default", a file, $VAR)."""
    values: Settings
    origin: dict[str, str]
    file: Path | None


def parse(f: dataclasses.Field, raw: Any, where: str) -> int | float:
    """`raw` (a string from the environment, a number from the file) as f's value, or
    SettingError naming the setting, where it came from, and what it may be."""
    m, kind = f.metadata, _kind(f)
    try:
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise ValueError
        number = float(raw)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and m["low"] <= number <= m["high"]
            and (kind is float or number.is_integer())):
        what = "a whole number" if kind is int else "a number"
        raise SettingError(f"{where}: {f.name} must be {what} from {_fmt(m['low'])} to "
                           f"{_fmt(m['high'])} ({m['unit']}), not {raw!r}")
    return int(number) if kind is int else number


def _read_file(path: Path) -> dict[str, Any]:
    import yaml
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise SettingError(f"{path}: cannot read the settings file ({e.strerror})") from None
    except yaml.YAMLError as e:
        line = getattr(getattr(e, "problem_mark", None), "line", None)
        at = f", line {line + 1}" if line is not None else ""
        raise SettingError(f"{path}{at}: not valid YAML") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SettingError(f"{path}: must map setting names to values (name: value)")
    names = {f.name for f in rows()}
    unknown = sorted(str(k) for k in data if k not in names)
    if unknown:
        raise SettingError(f"{path}: unknown setting {unknown[0]!r} (`grade settings` lists them)")
    return data


def load(environ: dict[str, str] | os._Environ, file: Path | None) -> Loaded:
    """The table's defaults, then `file`'s values (if it exists), then the environment's."""
    given = _read_file(file) if file is not None and file.is_file() else {}
    values: dict[str, int | float] = {}
    origin: dict[str, str] = {}
    for f in rows():
        values[f.name], origin[f.name] = f.default, "default"
        if f.name in given:
            values[f.name] = parse(f, given[f.name], str(file))
            origin[f.name] = str(file)
        raw = environ.get(env_name(f.name))
        if raw is not None and raw.strip() != "":
            values[f.name] = parse(f, raw.strip(), f"${env_name(f.name)}")
            origin[f.name] = f"${env_name(f.name)}"
    return Loaded(Settings(**values), origin, file if file is not None and file.is_file() else None)


def settings_file(environ: dict[str, str] | os._Environ = os.environ) -> Path | None:
    """$GRADER_SETTINGS; else grader.yaml in the exercises folder: the one --exercises named,
    or the one `grade` finds without it (none found: no file)."""
    if environ.get(FILE_ENV):
        named = Path(environ[FILE_ENV])
        if not named.is_file():  # named on purpose: missing is a mistake, not "no settings"
            raise SettingError(f"${FILE_ENV}: no settings file {named}")
        return named
    if environ.get(BESIDE_ENV):
        return Path(environ[BESIDE_ENV]) / FILE_NAME
    from grader.core.spec import SpecError, exercises_root
    try:
        return exercises_root(None) / FILE_NAME
    except SpecError:
        return None


def start(exercises: Path | None) -> Loaded:
    """At the command line's edge, once per command: the table for --exercises DIR (None: the
    folder `grade` finds), read and checked now, so that a bad value stops the command with one
    line (SettingError) before any work. The folder is kept in the environment, so that every
    process the grader starts (batch workers, a grading apart) reads the same table."""
    if exercises is not None:
        os.environ[BESIDE_ENV] = str(Path(exercises).resolve())
    else:
        os.environ.pop(BESIDE_ENV, None)
    return reload()


@functools.lru_cache(maxsize=1)
def loaded() -> Loaded:
    """The table in force in this process: read once (a worker forked from the grader keeps its
    copy), again only by `reload()`."""
    return load(os.environ, settings_file())


def reload() -> Loaded:
    """Read the table again: the command line's edge, and tests that change the environment."""
    loaded.cache_clear()
    return loaded()


def current() -> Settings:
    """The values in force: `current().wall_factor`."""
    return loaded().values


def cores() -> int:
    """The default --jobs: the `jobs` setting, or (0) the cores this process may use."""
    return current().jobs or machine.cores()


def _fmt(value: int | float) -> str:
    return f"{value:,}".replace(",", "_") if isinstance(value, int) and value >= 10_000 \
        else f"{value:g}"


def markdown() -> str:
    """docs/settings.md: the table, as generated from `Settings`."""
    out = [
        "# Settings", "",
        "<!-- generated by `python -m grader.core.settings --markdown > docs/settings.md`; "
        "tests/test_settings.py fails when this page and grader/core/settings.py differ -->", "",
        "Every number the grader decides for itself (not an exercise's own limits, which live "
        "in its `exercise.yaml`), with its default, unit, allowed range and the module that "
        "reads it.", "",
        "Set a value in `grader.yaml` in the exercises folder (`grade --exercises DIR` reads "
        "`DIR/grader.yaml`; `$GRADER_SETTINGS` may name another file), or in the environment as "
        "`GRADER_<NAME>` (which wins). `grade settings` lists the values in force and where each "
        "was set; `grade settings --json` the same as JSON. A value that is not a number, or out "
        "of its range, stops the grader with one line naming it (exit 2).", "",
        "Read by: the module that reads the value. *pending* marks a value whose module still "
        "holds its own constant (it is being rewritten); *child-side* ones must travel to the "
        "sandboxed child over the wire.", "",
    ]
    for layer in LAYERS:
        mine = [f for f in rows() if f.metadata["layer"] == layer]
        out += [f"## {layer}", "", "| name | default | unit | range | meaning | read by |",
                "|---|---|---|---|---|---|"]
        for f in mine:
            m = f.metadata
            out.append(f"| `{f.name}` | {_fmt(f.default)} | {m['unit']} | "
                       f"{_fmt(m['low'])} to {_fmt(m['high'])} ({_kind(f).__name__}) | "
                       f"{m['meaning']} | {m['read_by']} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    if sys.argv[1:] != ["--markdown"]:
        print("usage: python -m grader.core.settings --markdown", file=sys.stderr)
        sys.exit(2)
    sys.stdout.write(markdown())
