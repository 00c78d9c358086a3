"""One module per `grade` subcommand, one pattern: `NAME` (the word on the command line),
`add(subparsers)` (its parser: arguments, help, epilog) and `run(args) -> int` (the exit code).
A command turns arguments into a library call of its package (bank, classroom, grading) and the
result into a few lines; the work stays there. grader/cli.py lists them in `grade --help`'s
order. Two modules here are not subcommands: `watch` (`grade EX --watch`'s loop) and `apart`
(the Gradescope driver's separate-uid grading, run as `python -m`)."""
