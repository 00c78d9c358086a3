"""The system calls a submission may not make: a seccomp filter that bubblewrap installs
(`bwrap --seccomp FD`) on the sandboxed process just before it runs the interpreter.

Namespaces do not cover everything a process can reach: kernel keyrings belong to a uid, not a
namespace, so a key added in one run is there for the next run of that uid; SysV and POSIX
IPC objects live as long as their IPC namespace, which a warm zygote keeps for a whole batch.
No exercise needs them, nor ptrace, new namespaces (a user namespace would hand back every
capability), mounts, io_uring, BPF or kernel modules. They fail with EPERM, as a denied call
would on a locked-down machine, so a library that probes for them carries on.

Written as classic BPF by hand (about 70 instructions, through `_assemble`: labels instead of
counted jumps): the rules are a flat deny list, and libseccomp is not installable from PyPI on
every machine this runs on.

A second, per-run filter (`reach_program`) is installed by the run itself (child.py, before the
submission's first line; `install`): a run may act on no process but its own descendants. A
forked run shares its uid and pid namespace with the warm zygote it came from, so without it
the run could lower the zygote's rlimits, set its priority, scheduling class or CPU affinity
(which every later run would inherit), or signal it. The calls that name another process by
pid (signals, rlimits, priority, scheduling, affinity, I/O priority, page migration, an
F_SETOWN that routes SIGIO) may name only the caller (0) or a pid above `floor`: the run's own
pid less one. Every process of the namespace that is not the run's (bwrap's init, the zygote)
started before it and has a lower pid; whatever the run starts gets a higher one. The calls
that would name a process some other way (a whole uid, a pidfd, tkill's bare thread id) are
refused, and so is making the process dumpable again (`/proc/self/mem`).

Standard library only: the sandboxed child loads this very file.
"""
from __future__ import annotations

import errno
import os
import struct

# seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6]
_NR, _ARCH, _ARG0 = 0, 4, 16
_LD_W_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_ALLOW, _KILL = 0x7FFF0000, 0x80000000


def _errno(n: int) -> int:
    return 0x00050000 | n


# The namespaces a clone() may not create (CLONE_NEWNS, CGROUP, UTS, IPC, USER, PID, NET).
CLONE_NEW = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 \
    | 0x40000000

DENIED = ("shmget", "shmat", "shmctl", "shmdt", "semget", "semop", "semctl", "semtimedop",
          "msgget", "msgsnd", "msgrcv", "msgctl", "mq_open", "mq_unlink", "mq_timedsend",
          "mq_timedreceive", "mq_notify", "mq_getsetattr", "add_key", "request_key", "keyctl",
          "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "unshare", "setns",
          "mount", "umount2", "pivot_root", "chroot", "open_tree", "move_mount", "fsopen",
          "fsconfig", "fsmount", "fspick", "mount_setattr", "bpf", "perf_event_open",
          "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register", "kexec_load",
          "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot", "swapon",
          "swapoff", "acct", "quotactl", "syslog", "open_by_handle_at", "name_to_handle_at")

_X86_64 = dict(shmget=29, shmat=30, shmctl=31, shmdt=67, semget=64, semop=65, semctl=66,
               semtimedop=220, msgget=68, msgsnd=69, msgrcv=70, msgctl=71, mq_open=240,
               mq_unlink=241, mq_timedsend=242, mq_timedreceive=243, mq_notify=244,
               mq_getsetattr=245, add_key=248, request_key=249, keyctl=250, ptrace=101,
               process_vm_readv=310, process_vm_writev=311, pidfd_getfd=438, unshare=272,
               setns=308, mount=165, umount2=166, pivot_root=155, chroot=161, open_tree=428,
               move_mount=429, fsopen=430, fsconfig=431, fsmount=432, fspick=433,
               mount_setattr=442, bpf=321, perf_event_open=298, userfaultfd=323,
               io_uring_setup=425, io_uring_enter=426, io_uring_register=427, kexec_load=246,
               kexec_file_load=320, init_module=175, finit_module=313, delete_module=176,
               reboot=169, swapon=167, swapoff=168, acct=163, quotactl=179, syslog=103,
               open_by_handle_at=304, name_to_handle_at=303, clone=56, clone3=435)
_AARCH64 = dict(shmget=194, shmat=196, shmctl=195, shmdt=197, semget=190, semop=193,
                semctl=191, semtimedop=192, msgget=186, msgsnd=189, msgrcv=188, msgctl=187,
                mq_open=180, mq_unlink=181, mq_timedsend=182, mq_timedreceive=183,
                mq_notify=184, mq_getsetattr=185, add_key=217, request_key=218, keyctl=219,
                ptrace=117, process_vm_readv=270, process_vm_writev=271, pidfd_getfd=438,
                unshare=97, setns=268, mount=40, umount2=39, pivot_root=41, chroot=51,
                open_tree=428, move_mount=429, fsopen=430, fsconfig=431, fsmount=432,
                fspick=433, mount_setattr=442, bpf=280, perf_event_open=241, userfaultfd=282,
                io_uring_setup=425, io_uring_enter=426, io_uring_register=427, kexec_load=104,
                kexec_file_load=294, init_module=105, finit_module=273, delete_module=106,
                reboot=142, swapon=224, swapoff=225, acct=89, quotactl=60, syslog=116,
                open_by_handle_at=265, name_to_handle_at=264, clone=220, clone3=435)
# machine -> (AUDIT_ARCH_*, syscall numbers)
ARCHES = {"x86_64": (0xC000003E, _X86_64), "aarch64": (0xC00000B7, _AARCH64)}


def supported() -> bool:
    return os.uname().machine in ARCHES


def program(machine: str | None = None) -> bytes:
    """The filter for `machine` (this one by default) as struct sock_filter[]."""
    machine = machine or os.uname().machine
    arch, nr = ARCHES[machine]
    deny = sorted({nr[name] for name in DENIED})
    code: list[tuple] = [("ld", _ARCH),
                         ("jeq", arch, "ours", None),
                         ("ret", _KILL),                   # another ABI (i386 on x86_64)
                         ("label", "ours"), ("ld", _NR)]
    if machine == "x86_64":
        code.append(("jge", 0x40000000, "deny", None))     # the x32 ABI: EPERM
    code += [("jeq", number, "deny", None) for number in deny]
    code += [("jeq", nr["clone3"], "enosys", None),        # ENOSYS: glibc falls back to
             ("jeq", nr["clone"], None, "allow"),          # clone(), whose flags a filter
             ("ld", _ARG0),                                # can read (their low word)
             ("jset", CLONE_NEW, "deny", None),
             ("label", "allow"), ("ret", _ALLOW),
             ("label", "deny"), ("ret", _errno(errno.EPERM)),
             ("label", "enosys"), ("ret", _errno(errno.ENOSYS))]
    return _assemble(code)


def memfd() -> int:
    """A file descriptor holding this machine's filter, at offset 0, for `bwrap --seccomp`."""
    fd = os.memfd_create("grader-seccomp", 0) if hasattr(os, "memfd_create") else None
    if fd is None:
        raise OSError("no memfd_create here")
    os.write(fd, program())
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


# ---- the per-run filter: a run reaches no process but its own ---------------------------------

# The calls that name a process by a pid argument, and that argument's index. setpriority and
# ioprio_set name it in their second argument, after `which` (a uid is refused outright).
REACH_BY_PID = {"kill": 0, "tgkill": 0, "rt_sigqueueinfo": 0, "rt_tgsigqueueinfo": 0,
                "pidfd_open": 0, "prlimit64": 0, "sched_setscheduler": 0, "sched_setparam": 0,
                "sched_setattr": 0, "sched_setaffinity": 0, "migrate_pages": 0, "move_pages": 0,
                "setpriority": 1, "ioprio_set": 1}
# Refused outright: a thread id alone, a pidfd from anywhere (a /proc/PID folder is one), and
# calls that compare or advise another process's memory.
REACH_REFUSED = ("tkill", "pidfd_send_signal", "process_madvise", "kcmp")
PRIO_USER, IOPRIO_WHO_USER = 2, 3
F_SETOWN, F_SETOWN_EX = 8, 15
FIOSETOWN, SIOCSPGRP = 0x8901, 0x8902
PR_SET_DUMPABLE = 4

_REACH_NR = {
    "x86_64": dict(kill=62, tgkill=234, tkill=200, rt_sigqueueinfo=129, rt_tgsigqueueinfo=297,
                   pidfd_open=434, pidfd_send_signal=424, prlimit64=302, sched_setscheduler=144,
                   sched_setparam=142, sched_setattr=314, sched_setaffinity=203,
                   migrate_pages=256, move_pages=279, setpriority=141, ioprio_set=251,
                   process_madvise=440, kcmp=312, fcntl=72, ioctl=16, prctl=157),
    "aarch64": dict(kill=129, tgkill=131, tkill=130, rt_sigqueueinfo=138, rt_tgsigqueueinfo=240,
                    pidfd_open=434, pidfd_send_signal=424, prlimit64=261,
                    sched_setscheduler=119, sched_setparam=118, sched_setattr=274,
                    sched_setaffinity=122, migrate_pages=238, move_pages=239, setpriority=140,
                    ioprio_set=30, process_madvise=440, kcmp=272, fcntl=25, ioctl=29,
                    prctl=167),
}
_LD_ARG = [_ARG0 + 8 * i for i in range(6)]  # the low word of each argument (little-endian)
_JGT = 0x25


def reach_program(floor: int, machine: str | None = None) -> bytes:
    """The per-run filter for a run whose own pid is `floor + 1` (see the module's docstring)."""
    machine = machine or os.uname().machine
    arch, nr = ARCHES[machine][0], _REACH_NR[machine]
    code: list[tuple] = [("ld", _ARCH), ("jeq", arch, None, "allow"), ("ld", _NR)]
    for name, index in sorted(REACH_BY_PID.items()):
        if index == 0:  # setpriority and ioprio_set check `which` first, below
            code.append(("jeq", nr[name], "pid0", None))
    code += [("jeq", nr[name], "deny", None) for name in REACH_REFUSED]
    code += [("jeq", nr["setpriority"], "prio", None), ("jeq", nr["ioprio_set"], "ioprio", None),
             ("jeq", nr["fcntl"], "fcntl", None), ("jeq", nr["ioctl"], "ioctl", None),
             ("jeq", nr["prctl"], "prctl", None), ("ret", _ALLOW)]
    code += [("label", "prio"), ("ld", _LD_ARG[0]), ("jeq", PRIO_USER, "deny", "pid1"),
             ("label", "ioprio"), ("ld", _LD_ARG[0]), ("jeq", IOPRIO_WHO_USER, "deny", "pid1"),
             ("label", "fcntl"), ("ld", _LD_ARG[1]), ("jeq", F_SETOWN_EX, "deny", None),
             ("jeq", F_SETOWN, "pid2", "allow"),
             ("label", "ioctl"), ("ld", _LD_ARG[1]), ("jeq", FIOSETOWN, "deny", None),
             ("jeq", SIOCSPGRP, "deny", "allow"),
             ("label", "prctl"), ("ld", _LD_ARG[0]), ("jeq", PR_SET_DUMPABLE, None, "allow"),
             ("ld", _LD_ARG[1]), ("jeq", 0, "allow", "deny")]
    for index in (0, 1, 2):  # A = the pid argument's low word, as the kernel reads a pid_t
        code += [("label", f"pid{index}"), ("ld", _LD_ARG[index]), ("ja", "pidrule")]
    code += [("label", "pidrule"), ("jeq", 0, "allow", None),        # 0: the caller itself
             ("jge", (1 << 32) - floor, "deny", None),               # -floor..-1, and -1: all
             ("jgt", floor, "allow", "deny"),                       # above floor: its own
             ("label", "allow"), ("ret", _ALLOW),
             ("label", "deny"), ("ret", _errno(errno.EPERM))]
    return _assemble(code)


def _assemble(code: list[tuple]) -> bytes:
    """Classic BPF from (op, ...) tuples with labels; a None jump target is the next one."""
    labels, out, pc = {}, [], 0
    for ins in code:
        if ins[0] == "label":
            labels[ins[1]] = pc
        else:
            pc += 1
    pc = 0
    for ins in code:
        op = ins[0]
        if op == "label":
            continue

        def rel(target):
            return 0 if target is None else labels[target] - pc - 1
        if op == "ld":
            out.append((_LD_W_ABS, 0, 0, ins[1]))
        elif op == "ret":
            out.append((_RET, 0, 0, ins[1]))
        elif op == "ja":
            out.append((0x05, 0, 0, rel(ins[1])))
        else:
            k, jt, jf = ins[1], ins[2], ins[3] if len(ins) > 3 else None
            code_op = {"jeq": _JEQ, "jge": _JGE, "jgt": _JGT, "jset": _JSET}[op]
            out.append((code_op, rel(jt), rel(jf), k))
        pc += 1
    for _, jt, jf, _k in out:
        assert 0 <= jt <= 255 and 0 <= jf <= 255, "a jump too far for classic BPF"
    return b"".join(struct.pack("=HBBI", *ins) for ins in out)


PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2


_LIBC = []                       # (ctypes, libc, struct sock_fprog): made once per process


def _libc():
    if not _LIBC:
        import ctypes

        class Prog(ctypes.Structure):
            _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
        _LIBC.append((ctypes, ctypes.CDLL(None, use_errno=True), Prog))
    return _LIBC[0]


def install(prog: bytes) -> None:
    """Install the filter `prog` on this thread and whatever it starts (for good): Linux only;
    raises OSError where the kernel refuses it."""
    ctypes, libc, Prog = _libc()
    buf = ctypes.create_string_buffer(prog, len(prog))
    fprog = Prog(len(prog) // 8, ctypes.addressof(buf))
    for args in ((PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0),
                 (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0)):
        if libc.prctl(*args) != 0:
            e = ctypes.get_errno()
            raise OSError(e, f"prctl({args[0]}): {os.strerror(e)}")
