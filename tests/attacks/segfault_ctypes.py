# ATTACK: calls strlen(NULL) through ctypes at import: the process dies of SIGSEGV. (Reading an
# address with ctypes.string_at is raw memory access, which the guard stops before it happens.)
# VERDICT: load_error, "crashed (segmentation fault)"; 0 points; the grader carries on.
import ctypes

ctypes.CDLL(None).strlen(ctypes.c_void_p(0))
