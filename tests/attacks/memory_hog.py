# ATTACK: allocates (and touches) 64 MB blocks until memory runs out, at import.
# VERDICT: load_error, "ran out of memory while being imported (limit N MB)"; 0 points.
blocks = []
while True:
    blocks.append(b"\xff" * (64 << 20))
