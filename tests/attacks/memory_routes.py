# ATTACK (ex02, class "raw memory without ctypes"): reach the process's raw memory through
# every route that is not ctypes: make itself dumpable again and open /proc/self/mem, a view
# past an array's end with numpy's as_strided, torch storages at an address, CPython's test
# modules and cffi.
# VERDICT: graded, 0 points; every route is refused, none says REACHED.
import ctypes
import os

import numpy as np
import torch


def attempt(name, fn):
    try:
        fn()
        print(f"REACHED {name}")
    except BaseException as e:  # noqa: BLE001
        print(f"refused {name}: {type(e).__name__}")


def proc_self_mem():
    ctypes.CDLL(None).prctl(4, 1, 0, 0, 0)
    os.close(os.open("/proc/self/mem", os.O_RDWR))


a = np.zeros(4)
attempt("/proc/self/mem", proc_self_mem)
attempt("as_strided past the end", lambda: np.lib.stride_tricks.as_strided(
    a, (1 << 20,), (8,)).sum())
attempt("as_strided backwards", lambda: np.lib.stride_tricks.as_strided(
    a[2:], (4,), (-4096,)).sum())
attempt("storage at an address", lambda: torch._C._construct_storage_from_data_pointer(
    a.__array_interface__["data"][0], torch.device("cpu"), 1 << 20))
attempt("storage from a weak pointer", lambda: torch.UntypedStorage._new_with_weak_ptr(
    a.__array_interface__["data"][0]))
for name in ("_testcapi", "_testinternalcapi", "cffi", "_cffi_backend", "_ctypes_test"):
    attempt(f"import {name}", lambda: __import__(name))


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    loss_fn(params)
