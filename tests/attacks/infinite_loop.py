# ATTACK: loops forever while being imported (a training loop left at the top level).
# VERDICT: load_error, "did not finish within the time limit"; 0 points; nothing left running.
x = 0
while True:
    x = (x * 7 + 1) % 1000003
