"""grader/sandbox/uids.py: slot uids leased machine-wide."""
from __future__ import annotations

import os

import pytest

from grader.sandbox import holdings, uids
from grader.sandbox.holdings import Holdings


def test_a_lease_is_the_slots_uid_and_held_for_the_process():
    base = 64000 + os.getpid() % 500
    first = uids.lease(0, base)
    assert first == base and uids.lease(0, base) == first
    assert uids.lease(1, base) == base + 1


def test_a_uid_held_elsewhere_is_skipped(tmp_path):
    import fcntl
    base = 64600 + os.getpid() % 300
    fd = os.open(uids.lock_dir() / f"{base}.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another open file: as another grader's lease
    try:
        assert uids.lease(0, base) == base + 1
    finally:
        os.close(fd)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX")
def test_a_forked_worker_adopts_its_slots_lease_and_lets_go_of_the_others():
    base = 65000 + os.getpid() % 400
    uids.lease(0, base), uids.lease(1, base)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        parent = holdings.inherited()
        me = holdings.install(Holdings())
        uids.adopt(me, parent, 1)
        mine = sorted({slot for slot, _ in me.leases})
        os.write(w, repr(mine).encode())
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(r, 100) == b"[1]"
