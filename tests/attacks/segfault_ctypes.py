# ATTACK: dereferences a null pointer through ctypes at import: the process dies of SIGSEGV.
# VERDICT: load_error, "crashed (segmentation fault)"; 0 points; the grader carries on.
import ctypes

ctypes.string_at(0)
