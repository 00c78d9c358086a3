"""`grade new exNN_slug`: a whole exercise, small and right, whose own `grade check-bank`
passes at once: an author starts from green and changes one piece at a time.

The example task (scale a list of numbers) is there to be replaced; each file says what it is
for, and docs/authoring.md says the rest."""
from __future__ import annotations

import re
from pathlib import Path

from grader.core.errors import GraderError

YAML = '''\
# {id}: {title}. Every key is explained in the grader's docs/authoring.md.
title: "{title}"
order: {order}
notes: ""                 # where the course notes teach this (shown to instructors)
time_limit_s: 60          # CPU seconds for the whole sandboxed run of one submission, imports included
call_time_limit_s: 20     # CPU seconds for one call into the submission (one probe)
memory_mb: 2048
device: cpu               # cpu | cuda | any (any: the GPU when there is one)
forbidden_imports: []     # e.g. [torch] for an exercise done in numpy alone
thresholds:               # the numbers checks read as exercise.thresholds["..."]: calibrate
  tol: 1.0e-9             # them with `grade check-bank {id} --seeds 20`
checks:                   # every test_* function of test_public.py and test_hidden.py
  test_scales_the_example:
    points: 2
    hint: "Multiply every number by factor and return them all, in order."
  test_scales_random_inputs:
    points: 3
    hint: "Use the factor you are given, and keep as many numbers as you got."
'''

README = '''\
# {id}: {title}

Write `scale(xs, factor)`: it takes a list of numbers and returns the list of each number
times `factor`, in the same order.

## Example

```python
>>> from {id} import scale
>>> scale([1, 2, 3], 2)
[2, 4, 6]
```

## Checks and points

| Check | Points |
|---|---|
| scale([1, 2, 3], 2) is [2, 4, 6] | 2 |
| hidden checks | 3 |

## Check your work

    grade {id}

grades `./{id}.py` (or `./{id}.ipynb`) against the public checks.
'''

STUB = '''\
"""Exercise {id}: {title}. Write the function below, then run `grade {id}` in this folder."""


def scale(xs, factor):
    """Return [x * factor for each x in xs], in order."""
    raise NotImplementedError("write scale: see the docstring")
'''

PROBES = '''\
"""Probes for {id}: instructor code that runs inside the sandbox, beside the submission.

Each probe is `name(sub, *args)`: `sub` is the student's module; the arguments come from a
check's `student.probe("name", ...)`. Return plain data (numbers, strings, lists, dicts, numpy
arrays, tensors): the checks judge it in the grader, outside the sandbox. No expected values
here: a probe only drives the student's code and records what happened. The sandbox also
puts `device` ("cpu" or "cuda") and `DATA` (the paths of the exercise's data files) in this
module's namespace.
"""


def scale(sub, xs, factor):
    """Call the student's scale on a fresh list, and report what came back."""
    return sub.scale(list(xs), factor)
'''

PUBLIC = '''\
"""Public checks for {id}: the task's own example. Students get this file in their pack.

A check is a pytest function; its docstring is what the student reads, its points and hint
live in exercise.yaml. `judge` is shared with test_hidden.py (see `sibling` there).
"""
import numpy as np

from grader.grading.checks import as_array, expect_array_close, fail

EXAMPLE = ([1.0, 2.0, 3.0], 2.0)


def judge(got, xs, factor, exercise):
    """The numbers scale returned, against xs * factor; the message names the first one off."""
    want = np.asarray(xs, dtype=float) * factor
    arr = as_array(got, "what scale returned")
    if arr.shape != want.shape:
        fail(f"scale returned {{arr.size}} numbers for {{want.size}} inputs; expected one per input")
    expect_array_close("scale(xs, factor)", arr, want, atol=exercise.thresholds["tol"],
                       rtol=exercise.thresholds["tol"])


def test_scales_the_example(student, exercise):
    """scale([1, 2, 3], 2) is [2, 4, 6]"""
    xs, factor = EXAMPLE
    judge(student.probe("scale", xs, factor), xs, factor, exercise)
'''

HIDDEN = '''\
"""Hidden checks for {id}: inputs the student has not seen. Never in the students' pack."""
from grader.grading.checks import sibling

public = sibling(__file__, "test_public")  # the public checks' helpers, shared


def test_scales_random_inputs(student, rng, exercise):
    """scale works on random lists and factors"""
    xs = rng.uniform(-10, 10, int(rng.integers(5, 50))).tolist()
    factor = float(rng.uniform(-3, 3))
    public.judge(student.probe("scale", xs, factor), xs, factor, exercise)
'''

SOLUTION = '''\
"""Reference solution for {id}: `grade check-bank` proves it gets full marks."""


def scale(xs, factor):
    return [x * factor for x in xs]
'''

WRONG = '''\
# Returns the numbers unchanged: the factor is ignored.
# expect-fail: test_scales_the_example, test_scales_random_inputs
# expect-text: expected


def scale(xs, factor):
    return list(xs)
'''


def scaffold(bank_root: Path, name: str, title: str | None = None) -> list[Path]:
    """Write the exercise `name` (exNN_slug) into the bank at `bank_root`; return the files."""
    m = re.fullmatch(r"(ex(\d\d))_([a-z0-9_]+)", name)
    if not m:
        raise GraderError(f"'{name}' is not an exercise name: use exNN_slug, e.g. ex12_dropout")
    ex_id, number, slug = m.group(1), int(m.group(2)), m.group(3)
    exercises = bank_root / "exercises"
    taken = [p.name for p in exercises.glob(f"{ex_id}_*")] if exercises.is_dir() else []
    if taken:
        raise GraderError(f"{ex_id} exists already: exercises/{taken[0]}")
    title = title or slug.replace("_", " ").capitalize()
    values = {"id": ex_id, "title": title.replace('"', "'"), "order": number}
    folder = exercises / name
    files = {folder / "exercise.yaml": YAML, folder / "README.md": README,
             folder / f"{ex_id}.py": STUB, folder / "probes.py": PROBES,
             folder / "test_public.py": PUBLIC, folder / "test_hidden.py": HIDDEN,
             bank_root / "solutions" / f"{ex_id}.py": SOLUTION,
             bank_root / "tests" / "submissions" / ex_id / "ignores_factor.py": WRONG}
    for path, template in files.items():
        if path.exists():
            raise GraderError(f"{path} exists already; not overwriting it")
    for path, template in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(**values), encoding="utf-8")
    return list(files)
