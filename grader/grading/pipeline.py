"""One submission, end to end: load -> static checks -> sandboxed run + checks -> Result.

This is the only module that composes the stages; the CLI (student) and batch grading
(instructor) both call `grade()`, so "passes for the student, fails for the instructor" cannot
happen: the same checks run the same way, only the hidden file is added.
"""
from __future__ import annotations

import datetime as _dt
import functools
import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import __version__
from grader.grading.feedback import next_step
from grader.grading.loader import (Submission, cell_raised_note, load_submission, locate,
                                   syntax_error)
from grader.core.result import (ERROR, FAILED, FORBIDDEN, GRADED, GRADER_ERROR, LOAD_ERROR, PASSED,
                     SYNTAX_ERROR, CheckResult, Result, RunInfo)
from grader.sandbox import zygote
from grader.sandbox.isolation import Layers, detect_layers
from grader.sandbox.limits import limits_for
from grader.sandbox.session import LoadFailed, Session, SessionConfig
from grader.core.errors import ChecksBroken, GraderError
from grader.core.spec import Exercise
from grader.grading.static_checks import forbidden_import

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GradeOptions:
    hidden: bool = True              # run the hidden checks too (the instructor's run)
    device: str | None = None        # "cpu" | "cuda" | None: cuda when allowed and present
    seed: int = 0
    layers: Layers | None = None     # None: use every isolation layer this machine has
    data_dir: Path | None = None     # where data sets live (None: the default places)
    slot: int = 0                    # sandbox slot (uid); runs in parallel need distinct slots
    gpu: int | None = None           # with cuda: the GPU this run may see (batch GPU slots)
    gpu_memory_fraction: float | None = None  # with cuda: cap on its share of GPU memory
    # Told of each check as it starts and ends (grader.rendering.terminal.Progress); None: silent.
    progress: Any = field(default=None, compare=False, repr=False)
    audit_causes: bool = False       # check-bank's reference run: every diagnosis asked


def grade(exercise: Exercise, path: Path, opts: GradeOptions = GradeOptions()) -> Result:
    """Grade one submission file. Student faults become a Result; SubmissionError (the file
    cannot be read at all) and GraderError propagate."""
    sub = load_submission(path)
    started = time.monotonic()
    hidden = opts.hidden and any(c.hidden for c in exercise.checks)
    checks = [c for c in exercise.checks if hidden or not c.hidden]
    syntax = syntax_error(sub)
    if syntax:
        return _unrunnable(exercise, sub, checks, SYNTAX_ERROR, syntax, hidden)
    banned = forbidden_import(sub.source, exercise.forbidden_imports)
    if banned:
        return _unrunnable(exercise, sub, checks, FORBIDDEN,
                           f"{banned}, which {exercise.id} forbids", hidden)
    device = resolve_device(exercise, opts.device)
    layers = opts.layers or detect_layers()
    datasets, files = load_datasets(exercise, opts.data_dir)
    session = Session(_session_config(exercise, sub, device, layers, opts, files))
    try:
        session.ensure_loaded()
        outcomes = _run_checks(exercise, session, hidden, opts.seed, datasets, opts.progress,
                               audit=opts.audit_causes)
        status, message, fault = GRADED, "", ""
    except LoadFailed as e:
        outcomes, status, message, fault = {}, LOAD_ERROR, str(e), e.kind
        log.debug("%s: %s did not load: %s", exercise.id, path, e)
    finally:
        session.close()
    results = tuple(_check_result(c, outcomes.get(c.name), message, sub, exercise.id)
                    for c in checks)
    output, truncated = session.output
    u = session.usage
    run = RunInfo(seed=opts.seed, device=device, sandbox=layers.describe(),
                  python=(u.versions or {}).get("python", ""),
                  torch=(u.versions or {}).get("torch", ""),
                  numpy=(u.versions or {}).get("numpy", ""),
                  wall_s=round(time.monotonic() - started, 3), cpu_s=round(u.cpu_s, 3),
                  peak_mem_mb=round(u.peak_mem_mb, 1), student_s=round(u.student_s, 3),
                  starts=u.starts, ended=u.ended, time_limit_s=exercise.time_limit_s,
                  limit_hit=u.limit_hit, wall_ceiling_s=session.cfg.limits.wall_ceiling_s)
    log.info("%s %s: %s in %.1f s (%s, sandbox: %s, %d start%s, %s)", exercise.id, path, status,
             run.wall_s, device, run.sandbox, run.starts, "" if run.starts == 1 else "s",
             run.ended or "ended normally")
    return _result(exercise, sub, results, status, message, hidden, output=output,
                   truncated=truncated, run=run, fault=fault,
                   notes=sub.notes + _cell_notes(u.failed_cells) + _stopped_notes(u, output))


def _stopped_notes(usage: Any, output: str) -> tuple[str, ...]:
    """After a timeout, how far the run had got by what it printed (its epochs, its loss),
    for next_step (grader.grading.progress): only words, the output being the student's to write."""
    if not usage.limit_hit:
        return ()
    from grader.grading.progress import note
    said = note(output)
    return (said,) if said else ()


def _cell_notes(failed_cells: tuple) -> tuple[str, ...]:
    """The notebook cells that raised, as the child's load reply recorded them (never read back
    from the output: a student may print anything there), as notes: "cell 3 raised NameError:
    name 'x' is not defined (line 2); the cells after it still ran"."""
    notes = [cell_raised_note(c.cell, c.type, c.message, c.line) for c in failed_cells]
    return tuple(dict.fromkeys(n[:300] for n in notes))[:20]


def prestart(exercise: Exercise, opts: GradeOptions = GradeOptions()) -> None:
    """Start the warm sandbox that `grade(exercise, ..., opts)` will fork its run from, and
    return at once: its `import torch` (2-3 s) then runs beside the caller's own start (its
    imports of pytest and the rest, a batch's planning). Where a run would not fork from a
    warm sandbox (weak sandbox, a GPU run), this does nothing."""
    layers = opts.layers or detect_layers()
    if not (layers.strong and _cpu_only(exercise, opts.device)):
        return  # a GPU run's sandbox depends on the GPU slot it gets
    empty = Submission(path=Path(exercise.id), kind="py", source="", notes=(), sha256="")
    try:
        _, files = load_datasets(exercise, opts.data_dir)
        with Session(_session_config(exercise, empty, "cpu", layers, opts, files)) as session:
            zygote.prestart(opts.slot, *session.zygote_spec())
    except Exception:  # noqa: BLE001  grade() meets the same trouble, and says it properly
        # Not an error of its own (the grading then starts cold and reports any real fault),
        # but worth seeing with -v: a warm start that always fails costs seconds per run.
        log.info("no warm sandbox for %s (grading starts cold)", exercise.id, exc_info=True)


def resolve_device(exercise: Exercise, asked: str | None) -> str:
    """cpu-only exercises run on the CPU; `any` on a GPU when there is one (or when asked);
    `cuda` needs one: without it the exercise cannot be graded here (no silent fallback)."""
    if _cpu_only(exercise, asked):
        return "cpu"
    import torch  # only here: `grade list` and friends should not pay for it
    if torch.cuda.is_available():
        return "cuda"
    if exercise.device == "cuda":
        raise GraderError(f"{exercise.id} needs a CUDA GPU, and torch sees none on this "
                          f"machine: grade it where there is one")
    if asked == "cuda":
        raise GraderError("--device cuda was asked for, but torch sees no CUDA device here")
    return "cpu"


def _cpu_only(exercise: Exercise, asked: str | None) -> bool:
    """The run is on the CPU whatever the machine has."""
    return exercise.device == "cpu" or (asked == "cpu" and exercise.device == "any")


def load_datasets(ex: Exercise, data_dir: Path | None) -> tuple[dict, tuple]:
    """The exercise's data sets for the checks (everything, test labels included) and the
    files the sandbox may read (training data and test images only)."""
    trusted, files = {}, []
    for name in ex.data:
        if name != "mnist":
            raise GraderError(f"{ex.id}: unknown data set '{name}' in exercise.yaml")
        from grader.grading.data import load_mnist
        mnist = load_mnist(data_dir)
        trusted[name] = mnist
        files += [(f, str(mnist.paths[f])) for f in sorted(mnist.paths) if "t10k-labels" not in f]
    return trusted, tuple(files)


def _session_config(ex: Exercise, sub: Submission, device: str, layers: Layers,
                    opts: GradeOptions, data_files: tuple = ()) -> SessionConfig:
    probes = ex.folder / "probes.py"
    return SessionConfig(
        # A notebook runs cell by cell (`cells`), as Jupyter runs it: a cell that raises is a
        # record of the child's reply, and the next cells still run.
        exercise=ex.id, module=ex.id, source=sub.source, cells=sub.cell_starts, layers=layers,
        seed=opts.seed, locate=functools.partial(locate, sub),
        limits=limits_for(ex.time_limit_s, ex.call_time_limit_s, ex.memory_mb),
        device=device, forbidden=ex.forbidden_imports,
        use_torch=ex.torch_allowed,
        probes=probes.read_text(encoding="utf-8") if probes.exists() else "",
        data_files=data_files, slot=opts.slot, gpu=opts.gpu, reply_bytes=ex.reply_mb << 20,
        disabled=ex.disabled_in_sandbox,
        gpu_memory_fraction=opts.gpu_memory_fraction,
        on_output=getattr(opts.progress, "output", None))


def _run_checks(ex: Exercise, session: Session, hidden: bool, seed: int,
                datasets: dict, progress: Any = None, audit: bool = False) -> dict:
    from grader.grading.plugin import Job
    from grader.grading.runner import run_checks
    try:
        return run_checks(Job(ex, session, seed, datasets, progress=progress,
                              audit_causes=audit), hidden)
    except ChecksBroken as e:
        log.info("the checks of %s are broken: %s", ex.id, e)
        raise GraderError(f"the checks of {ex.id} are broken: {e}") from None


def _check_result(spec, outcome, load_message: str, sub: Submission | None = None,
                  module: str = "") -> CheckResult:
    if outcome is None:
        status = FAILED if load_message else ERROR
        message = load_message or "this check did not run"
        return CheckResult(name=spec.name, description=spec.description, status=status,
                           points=0.0, max_points=spec.points, hidden=spec.hidden,
                           message=message, hint=spec.hint)
    passed = outcome.status == PASSED
    broken = outcome.status == GRADER_ERROR  # the hint is about the student's code: not here
    # A grader error is worth 0 of 0 here, so every output built from the result agrees.
    return CheckResult(name=spec.name, description=spec.description, status=outcome.status,
                       points=spec.points if passed else 0.0,
                       max_points=0.0 if broken else spec.points,
                       hidden=spec.hidden, message=outcome.message,
                       hint="" if passed or broken else (outcome.cause_hint or spec.hint),
                       duration_s=round(outcome.duration_s, 3), plots=tuple(outcome.plots),
                       traceback=outcome.traceback, cause=outcome.cause, fault=str(outcome.fault),
                       student_traceback=student_frames(outcome.student_traceback, sub, module),
                       expected=outcome.expected, observed=outcome.observed,
                       **_fault_facts(outcome.fault_facts))


def _fault_facts(facts: tuple[str, str, str]) -> dict[str, str]:
    limit, at, error = facts
    return {"fault_limit": limit, "fault_at": at, "fault_error": error}


_FRAME = re.compile(r'^\s*File "([^"]*)", line (\d+), in (.+)$')


def student_frames(tb: str, sub: Submission | None, module: str, keep: int = 3) -> str:
    """The last `keep` frames of a traceback that are in the student's own file, in their
    terms ("ex02.py, line 14, in GD" or "cell 3, line 2, in GD"), each with its source line,
    then the exception's last line. The grader's and the libraries' frames are left out."""
    if not tb or sub is None:
        return ""
    lines = tb.splitlines()
    frames = []
    for i, line in enumerate(lines):
        m = _FRAME.match(line)
        if m and Path(m[1]).name in (f"{module}.py", Path(sub.path).name):
            where = locate(sub, int(m[2]))
            if not where.startswith("cell"):
                where = f"{Path(sub.path).name}, {where}"
            code = lines[i + 1].strip() if i + 1 < len(lines) and not \
                _FRAME.match(lines[i + 1]) else ""
            frames.append(f"{where}, in {m[3]}" + (f"\n    {code}" if code else ""))
    if not frames:
        return ""
    last = next((line.strip() for line in reversed(lines) if line.strip()), "")
    return "\n".join(frames[-keep:] + [last])


def _unrunnable(ex: Exercise, sub: Submission, checks, status: str, message: str,
                hidden: bool) -> Result:
    results = tuple(_check_result(c, None, message) for c in checks)
    return _result(ex, sub, results, status, message, hidden)


def _result(ex: Exercise, sub: Submission, results: tuple[CheckResult, ...], status: str,
            message: str, hidden: bool, output: str = "", truncated: bool = False,
            run: RunInfo | None = None, notes: tuple[str, ...] | None = None,
            fault: str = "") -> Result:
    notes = sub.notes if notes is None else notes
    return Result(
        exercise=ex.id, title=ex.title, submission=str(sub.path), status=status,
        score=sum(r.points for r in results),
        # A check the grader could not run costs nothing: its points leave the maximum too.
        max_score=sum(r.max_points for r in results if r.status != GRADER_ERROR),
        checks=results, message=message, notes=notes, fault=fault,
        output=output,
        output_truncated=truncated, public_only=not hidden and ex.hidden_count > 0,
        hidden_remaining=0 if hidden else ex.hidden_count,
        hidden_points=0.0 if hidden else ex.hidden_points, run=run,
        next_step=next_step(status, message, results, notes),
        graded_at=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        grader_version=__version__)
