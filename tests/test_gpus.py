"""GPU slots (grader/classroom/batch/gpus.py) and the device policy, on any machine: the locks are plain
files, so two claims on one GPU must wait for each other whether or not a GPU is there."""
from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

import pytest

from conftest import exercise
from grader.classroom.batch import gpus
from grader.core.errors import GraderError
from grader.grading.pipeline import resolve_device


def test_claims_take_free_gpus_first_and_wait_when_all_are_held(tmp_path: Path, monkeypatch):
    """No sleeps to guess with: the third claim is seen to find both GPUs held and go to wait
    (its poll's sleep), and it gets GPU 1 only once that is released, however slow the host."""
    from grader.classroom import locks
    held, waiting, order = threading.Event(), threading.Event(), []

    class Clock:  # locks' view of `time`: its poll's sleep says that it is waiting
        monotonic = staticmethod(time.monotonic)

        @staticmethod
        def sleep(s: float) -> None:
            waiting.set()
            time.sleep(s)
    monkeypatch.setattr(locks, "time", Clock)
    with gpus.claim(2, prefer=0, locks=tmp_path) as first:
        with gpus.claim(2, prefer=0, locks=tmp_path) as second:
            assert (first, second) == (0, 1)  # 0 was taken: the free one, not a wait

            def third():
                with gpus.claim(2, prefer=1, locks=tmp_path) as gpu:
                    order.append(("third got", gpu))
                held.set()
            t = threading.Thread(target=third, daemon=True)
            t.start()
            assert waiting.wait(120), "the third claim never went to wait"
            assert not held.is_set(), "a third run got a GPU while both were held"
            order.append("released 1")
        t.join(timeout=120)
    assert order == ["released 1", ("third got", 1)]


def test_no_gpu_to_claim_is_an_error(tmp_path: Path):
    with pytest.raises(ValueError):
        with gpus.claim(0, locks=tmp_path):
            pass


def test_device_policy_without_a_gpu():
    import torch
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    any_device = exercise("ex03")            # device: any
    assert resolve_device(any_device, None) == "cpu"
    with pytest.raises(GraderError, match="no CUDA device"):
        resolve_device(any_device, "cuda")
    assert resolve_device(exercise("ex01"), "cuda") == "cpu"   # cpu-only exercise
    needs = dataclasses.replace(any_device, device="cuda")
    with pytest.raises(GraderError, match="needs a CUDA GPU"):
        resolve_device(needs, None)
