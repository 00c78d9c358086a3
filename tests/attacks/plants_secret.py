# ATTACK (1 of 2, with scans_memory.py): a submission whose source, output and heap hold a
# secret (the test writes it over SECRET below), graded on a slot before other students.
# VERDICT: graded like any wrong GD; the secret is in nobody else's run (see scans_memory.py).
SECRET = "PLANTEDSECRET-0000000000000000"
KEEP = [SECRET * 64 for _ in range(256)]  # copies all over its heap
print(SECRET)


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    return SECRET
