"""`grade check-bank`: an exercise bank proves itself with the grader's own machinery.

A bank is the folder that holds `exercises/`, `solutions/` (the references) and
`tests/submissions/exNN/` (known-wrong submissions, each naming in its header the checks it
must fail, and `ok_*` alternatives that must get full marks). One module per verb:

  layout        where a bank's files are
  expectations  the `# expect-fail:` headers of known submissions
  static        what can be proved without running anything (probe, threshold, fixture and
                check names; the README's points)
  jobs          gradings in parallel: local worker processes or a dask cluster, as batch
  verify        reference = full marks, stub = 0, known-wrong lose their checks, ok_* full
  seeds         each check's pass rate over N grading seeds (flaky checks)
  mutants       mutants of the reference, and which of them no check catches
  summary       the report: terminal and JSON
  scaffold      `grade new`: an exercise that passes its own check-bank at once
  ci            `grade init-ci`: workflows that run check-bank in a course's repository
"""
