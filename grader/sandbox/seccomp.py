"""The system calls a submission may not make: a seccomp filter that bubblewrap installs
(`bwrap --seccomp FD`) on the sandboxed process just before it runs the interpreter.

Namespaces do not cover everything a process can reach: kernel keyrings belong to a uid, not a
namespace, so a key added in one run is there for the next run of that uid; SysV and POSIX
IPC objects live as long as their IPC namespace, which a warm zygote keeps for a whole batch.
No exercise needs them, nor ptrace, new namespaces (a user namespace would hand back every
capability), mounts, io_uring, BPF or kernel modules. They fail with EPERM, as a denied call
would on a locked-down machine, so a library that probes for them carries on.

Written as classic BPF by hand (about 70 instructions): the rules are a flat deny list, and
libseccomp is not installable from PyPI on every machine this runs on.
"""
from __future__ import annotations

import errno
import os
import platform
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
    return platform.machine() in ARCHES


def program(machine: str | None = None) -> bytes:
    """The filter for `machine` (this one by default) as struct sock_filter[]."""
    machine = machine or platform.machine()
    arch, nr = ARCHES[machine]
    deny = sorted({nr[name] for name in DENIED})
    n = len(deny)
    code = [(_LD_W_ABS, 0, 0, _ARCH),
            (_JEQ, 1, 0, arch),
            (_RET, 0, 0, _KILL),                  # another ABI (i386 on x86_64): not ours
            (_LD_W_ABS, 0, 0, _NR)]
    if machine == "x86_64":
        code.append((_JGE, n + 5, 0, 0x40000000))  # the x32 ABI: EPERM
    # Jumps are relative (pc + 1 + offset); each denied number jumps to the EPERM return.
    code += [(_JEQ, n - i + 4, 0, number) for i, number in enumerate(deny)]
    code += [(_JEQ, 5, 0, nr["clone3"]),          # ENOSYS: glibc falls back to clone(),
             (_JEQ, 0, 2, nr["clone"]),           # whose flags a filter can read
             (_LD_W_ABS, 0, 0, _ARG0),            # the low word of clone's flags
             (_JSET, 1, 0, CLONE_NEW),
             (_RET, 0, 0, _ALLOW),
             (_RET, 0, 0, _errno(errno.EPERM)),
             (_RET, 0, 0, _errno(errno.ENOSYS))]
    return b"".join(struct.pack("=HBBI", *ins) for ins in code)


def memfd() -> int:
    """A file descriptor holding this machine's filter, at offset 0, for `bwrap --seccomp`."""
    fd = os.memfd_create("grader-seccomp", 0) if hasattr(os, "memfd_create") else None
    if fd is None:
        raise OSError("no memfd_create here")
    os.write(fd, program())
    os.lseek(fd, 0, os.SEEK_SET)
    return fd
