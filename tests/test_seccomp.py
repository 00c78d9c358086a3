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
