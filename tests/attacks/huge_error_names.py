# ATTACK: raises an exception whose class name and message are 30 MB each, from GD (and a
# traceback line number of 10**400 through a forged answer would be next): the names reach the
# check messages and the report.
# VERDICT: graded, 0 points; every message is short (under 5000 characters), the HTML report
# under 1 MB.
BIG = "A" * (30 << 20)
Huge = type(BIG, (Exception,), {})


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    raise Huge(BIG)
