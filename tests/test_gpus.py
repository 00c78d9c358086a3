"""GPU slots (grader/batch/gpus.py) and the device policy, on any machine: the locks are plain
files, so two claims on one GPU must wait for each other whether or not a GPU is there."""
from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

import pytest

from conftest import exercise
from grader.batch import gpus
from grader.pipeline import GraderError, resolve_device


def test_claims_take_free_gpus_first_and_wait_when_all_are_held(tmp_path: Path):
    held, order = threading.Event(), []
    with gpus.claim(2, prefer=0, locks=tmp_path) as first:
        with gpus.claim(2, prefer=0, locks=tmp_path) as second:
            assert (first, second) == (0, 1)  # 0 was taken: the free one, not a wait

            def third():
                with gpus.claim(2, prefer=1, locks=tmp_path) as gpu:
                    order.append(("third got", gpu))
                held.set()
            t = threading.Thread(target=third)
            t.start()
            time.sleep(0.3)
            assert not held.is_set(), "a third run got a GPU while both were held"
            order.append("released 1")
        t.join(timeout=5)
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
