# ATTACK: starts threads that never end until it cannot start more (threads count as tasks).
# VERDICT: load_error "attack finished"; it is refused well before 1000 threads, and nothing
# of it is left.
import threading
import time

started = 0
try:
    for _ in range(1000):
        threading.Thread(target=time.sleep, args=(300,), daemon=True).start()
        started += 1
except RuntimeError as e:
    print("REFUSED after", started, e)
print("THREADS", started)
raise RuntimeError("attack finished")
