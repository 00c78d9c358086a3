# ATTACK: kernel interfaces no exercise needs, each a known source of exploits: io_uring, bpf,
# perf_event_open, userfaultfd, ptrace of its parent (the warm zygote), process_vm_readv of it.
# VERDICT: load_error "attack finished"; every call refused (EPERM), nothing read.
import ctypes
import os
import platform

libc = ctypes.CDLL(None, use_errno=True)
NR = {"x86_64": dict(io_uring_setup=425, bpf=321, perf_event_open=298, userfaultfd=323,
                     ptrace=101, process_vm_readv=310),
      "aarch64": dict(io_uring_setup=425, bpf=280, perf_event_open=241, userfaultfd=282,
                      ptrace=117, process_vm_readv=270)}[platform.machine()]
params = ctypes.create_string_buffer(256)
attr = ctypes.create_string_buffer(128)
calls = {"io_uring_setup": (8, params), "bpf": (0, attr, 72), "perf_event_open":
         (attr, 0, -1, -1, 0), "userfaultfd": (0,), "ptrace": (16, os.getppid(), 0, 0),
         "process_vm_readv": (os.getppid(), None, 0, None, 0, 0)}
for name, args in calls.items():
    r = libc.syscall(NR[name], *args)
    print(name.upper(), "OK" if r >= 0 else f"refused errno {ctypes.get_errno()}")
raise RuntimeError("attack finished")
