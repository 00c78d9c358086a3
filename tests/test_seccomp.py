"""grader/sandbox/seccomp.py: the filter, as data (what it does in the sandbox is in
tests/test_sandbox_state.py)."""
from __future__ import annotations

import struct

import pytest

from grader.sandbox import seccomp


@pytest.mark.parametrize("machine", sorted(seccomp.ARCHES))
def test_every_denied_call_has_a_number_and_every_jump_lands_inside(machine):
    arch, numbers = seccomp.ARCHES[machine]
    assert set(seccomp.DENIED) <= set(numbers)
    code = seccomp.program(machine)
    assert len(code) % 8 == 0
    ins = [struct.unpack("=HBBI", code[i:i + 8]) for i in range(0, len(code), 8)]
    for pc, (op, jt, jf, _) in enumerate(ins):
        if op & 0x07 == 0x05:  # a jump
            assert pc + 1 + max(jt, jf) < len(ins)
    assert ins[-1][0] == 0x06 and ins[-3][3] == 0x7FFF0000  # ENOSYS, EPERM, ALLOW returns
    assert (0x15, 1, 0, arch) in ins  # the architecture is checked first


# The kernel's own numbering, from the headers Debian's linux-libc-dev installs: x86_64 has its
# own table; aarch64 uses the generic one.
HEADERS = {"x86_64": "/usr/include/x86_64-linux-gnu/asm/unistd_64.h",
           "aarch64": "/usr/include/asm-generic/unistd.h"}


def _kernel_numbers(machine: str) -> dict[str, int]:
    import os
    import re
    path = HEADERS[machine]
    if not os.path.exists(path):
        pytest.skip(f"no {path} here (linux-libc-dev)")
    text = open(path, encoding="utf-8").read()
    # "#define __NR_kill 62" (x86_64) or "#define __NR_kill 129" (generic); the generic
    # header also names some by another macro (__NR3264_fcntl 25 for fcntl on 64-bit)
    out = {m[0]: int(m[1]) for m in re.findall(r"#define __NR_(\w+)\s+(\d+)\b", text)}
    out.update({m[0]: int(m[1]) for m in re.findall(r"#define __NR3264_(\w+)\s+(\d+)\b", text)})
    return out


@pytest.mark.parametrize("machine", sorted(seccomp.ARCHES))
def test_syscall_numbers_are_the_kernels(machine):
    kernel = _kernel_numbers(machine)
    ours = dict(seccomp.ARCHES[machine][1], **seccomp._REACH_NR[machine])
    wrong = {name: (n, kernel.get(name)) for name, n in ours.items() if kernel.get(name) != n}
    assert not wrong, f"ours vs the kernel's: {wrong}"


@pytest.mark.parametrize("machine", sorted(seccomp.ARCHES))
def test_the_per_run_filter_names_every_reaching_call_and_its_jumps_land_inside(machine):
    assert set(seccomp.REACH_BY_PID) | set(seccomp.REACH_REFUSED) <= \
        set(seccomp._REACH_NR[machine])
    code = seccomp.reach_program(41, machine)
    ins = [struct.unpack("=HBBI", code[i:i + 8]) for i in range(0, len(code), 8)]
    for pc, (op, jt, jf, k) in enumerate(ins):
        if op == 0x05:
            assert pc + 1 + k < len(ins)
        elif op & 0x07 == 0x05:
            assert pc + 1 + max(jt, jf) < len(ins)
    assert (0x35, 0, 0, (1 << 32) - 41) in [(op, 0, 0, k) for op, _, _, k in ins]  # -41..-1
    assert (0x25, 0, 0, 41) in [(op, 0, 0, k) for op, _, _, k in ins]              # above 41
