"""A student's install: from an empty venv to the first `grade exNN`, timed phase by phase.

    .venv/bin/python bench/first_grade.py          # a pack of ex02, torch as pip is set up
    .venv/bin/python bench/first_grade.py --torch-index https://download.pytorch.org/whl/cpu

Builds a release pack of one exercise, then, in a fresh venv each way:
  pack    `pip install torch==2.13.0`, `pip install <pack>` (the student's pyproject: no dask,
          no test tools), then `grade exNN` on the reference in the exercise's folder;
  naive   the same torch, then `pip install <the grader's own checkout>[test,dask]`: what the
          pack installed before a release had a student's pyproject (dask[distributed],
          jsonschema, ruff), with no grading (the install is what differs).
Records each phase's wall time, what was installed (count and size of site-packages), the
machine and its load. Writes bench/results/first-grade-<date>.json. A benchmark: it asserts
nothing. pip's cache is left as it is: say in a quote whether it was warm (the record does).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _timed(cmd: list[str], **kw) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)
    return round(time.perf_counter() - start, 1)


def _pip(venv: Path, *args: str) -> list[str]:
    return [str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
            "--disable-pip-version-check", *args]


def _site_size(venv: Path) -> tuple[int, float]:
    site = next((venv / "lib").glob("python*/site-packages"))
    dists = len(list(site.glob("*.dist-info")))
    size = sum(f.stat().st_size for f in site.rglob("*") if f.is_file())
    return dists, round(size / 1e6, 1)


def _one_way(tmp: Path, name: str, torch_args: list[str], target: str,
             grade_in: Path | None, exercise: str) -> dict:
    venv = tmp / f"venv-{name}"
    out: dict = {"venv_s": _timed([sys.executable, "-m", "venv", str(venv)])}
    out["torch_s"] = _timed(_pip(venv, *torch_args))
    before = _site_size(venv)
    out["grader_install_s"] = _timed(_pip(venv, target))
    after = _site_size(venv)
    out["grader_dists"], out["grader_mb"] = after[0] - before[0], round(after[1] - before[1], 1)
    if grade_in is not None:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        out["first_grade_s"] = _timed([str(venv / "bin" / "grade"), exercise, "--no-report",
                                       "--quiet"], cwd=grade_in, env=env)
    out["total_s"] = round(sum(v for k, v in out.items() if k.endswith("_s")), 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--exercise", default="ex02")
    ap.add_argument("--torch-index", help="pip's --index-url for torch (default: as configured)")
    args = ap.parse_args()
    from grader.bank.release import build_release
    from grader.core.spec import find_exercise
    ex = find_exercise(REPO / "exercises", args.exercise)
    torch_args = ["torch==2.13.0"] + (["--index-url", args.torch_index] if args.torch_index
                                      else [])
    cache = Path.home() / ".cache" / "pip"
    record: dict = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                    "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                "load_before": os.getloadavg()},
                    "pip_cache_warm": cache.is_dir() and any(cache.iterdir()),
                    "exercise": ex.id, "torch": " ".join(torch_args)}
    with tempfile.TemporaryDirectory(prefix="first-grade-") as tmp:
        tmp = Path(tmp)
        pack = build_release(REPO / "exercises", tmp / "dist", [ex.folder])
        folder = pack / "exercises" / ex.folder.name
        shutil.copy(REPO / "solutions" / f"{ex.id}.py", folder / f"{ex.id}.py")
        record["pack"] = _one_way(tmp, "pack", torch_args, str(pack), folder, ex.id)
        print("pack ", record["pack"], flush=True)
        record["naive"] = _one_way(tmp, "naive", torch_args, f"{REPO}[test,dask]", None, ex.id)
        print("naive", record["naive"], flush=True)
    record["machine"]["load_after"] = os.getloadavg()
    p, n = record["pack"], record["naive"]
    record["ratio_install"] = round(n["grader_install_s"] / p["grader_install_s"], 2)
    record["ratio_mb"] = round(n["grader_mb"] / p["grader_mb"], 2) if p["grader_mb"] else None
    day = dt.date.today().isoformat()
    path = REPO / "bench" / "results" / f"first-grade-{day}.json"
    i = 2
    while path.exists():
        path = path.with_name(f"first-grade-{day}-{i}.json")
        i += 1
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"empty venv -> first grade {ex.id}: {p['total_s']} s "
          f"(venv {p['venv_s']}, torch {p['torch_s']}, the pack {p['grader_install_s']}, "
          f"grading {p['first_grade_s']}); the grader's own install "
          f"{n['grader_install_s']} s and {n['grader_mb']} MB against the pack's "
          f"{p['grader_install_s']} s and {p['grader_mb']} MB\nwrote {path}")


if __name__ == "__main__":
    main()
