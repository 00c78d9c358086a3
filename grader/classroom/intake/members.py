"""The files of an input, a folder or a zip, as `Member`s; and reading one safely.

Nothing here follows a link or trusts a size. A folder is walked with lstat (links are
members with a problem, never followed); a member is read by opening each path component
with O_NOFOLLOW relative to its parent's descriptor, so even a folder swapped for a link
after the walk cannot lead outside the input; the opened file must be a regular file; its size
is checked before reading, and at most `max_bytes` + 1 bytes are read (the loader then refuses
a larger file with its usual reason). Zip members are never extracted by their own paths.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import io
import os
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from grader.core.errors import DiscoveryError
from grader.core.settings import current



# Problems that make a file unsafe to read (refused), as against merely unreadable.
LINK = "a symbolic link (links are not followed)"
NOT_REGULAR = "not a regular file"
HARD_LINK = "a hard link to a file owned by someone else"
OUTSIDE = "its path leaves the archive"
UNSAFE = frozenset({LINK, NOT_REGULAR, HARD_LINK, OUTSIDE})


@dataclass(frozen=True)
class Member:
    parts: tuple[str, ...]       # path under the input, each part os.fsdecode'd
    size: int
    mtime: str                   # ISO time: the file's mtime (UTC), or the zip's stored time
    problem: str = ""            # why it cannot be graded at all ("a symbolic link"), or ""
    ref: object = None           # the zip member's ZipInfo (zip inputs)
    container: "Member | None" = None   # the student's own .zip this member was unpacked from

    @property
    def rel(self) -> str:
        return "/".join(self.parts)


class MemberError(Exception):
    """One member cannot be read (corrupt, vanished, not a regular file): costs its student."""


def list_members(source: Path) -> tuple[list[Member], "Reader"]:
    """Every file of `source` (folder or zip), sorted by path, and a reader for them."""
    source = Path(source)
    if source.is_dir():
        return sorted(_walk(os.fsencode(source), ()), key=lambda m: m.parts), FolderReader(source)
    if source.is_file() and zipfile.is_zipfile(source):
        try:
            zf = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError, ValueError) as e:
            raise DiscoveryError(f"{source}: not a readable zip file ({e})") from None
        return sorted(_zip_members(zf), key=lambda m: m.parts), ZipReader(zf)
    if source.exists():
        raise DiscoveryError(f"{source} is neither a folder of submissions nor a zip file")
    raise DiscoveryError(f"{source}: no such folder or zip file")


def _walk(root: bytes, prefix: tuple[str, ...]) -> Iterator[Member]:
    path = os.path.join(root, *map(os.fsencode, prefix)) if prefix else root
    try:
        entries = sorted(os.scandir(path), key=lambda e: e.name)
    except OSError as e:
        yield Member(prefix, 0, "", f"folder cannot be read: {e.strerror or e}")
        return
    for entry in entries:
        parts = prefix + (os.fsdecode(entry.name),)
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError as e:
            yield Member(parts, 0, "", f"cannot be read: {e.strerror or e}")
            continue
        if stat.S_ISDIR(st.st_mode):
            deepest = current().intake_max_depth  # deeper is hostile or a mistake: not walked
            if len(parts) >= deepest:
                yield Member(parts, 0, "", f"folder nested deeper than {deepest} levels")
            else:
                yield from _walk(root, parts)
            continue
        yield Member(parts, st.st_size, _iso(st.st_mtime), _problem(st))


def _problem(st: os.stat_result) -> str:
    if stat.S_ISLNK(st.st_mode):
        return LINK
    if not stat.S_ISREG(st.st_mode):
        return NOT_REGULAR
    return ""


def _zip_members(zf: zipfile.ZipFile) -> Iterator[Member]:
    most = current().intake_max_members
    for n, info in enumerate(zf.infolist()):
        if n >= most:
            raise DiscoveryError(f"more than {most} members in the zip")
        if info.is_dir():
            continue
        parts = tuple(p for p in info.filename.replace("\\", "/").split("/") if p not in ("", "."))
        # The ZipInfo itself, not its name: a zip may hold two members of one name.
        yield Member(parts, info.file_size, _zip_time(info), _zip_problem(info, parts), info)


def _zip_problem(info: zipfile.ZipInfo, parts: tuple[str, ...]) -> str:
    mode = info.external_attr >> 16
    if info.create_system == 3 and stat.S_ISLNK(mode):    # an archive restores links
        return LINK
    if info.create_system == 3 and stat.S_IFMT(mode) and not stat.S_ISREG(mode):
        return NOT_REGULAR
    if ".." in parts or info.filename.startswith(("/", "\\")) or not parts:
        return OUTSIDE
    if info.flag_bits & 0x1:
        return "encrypted in the zip"
    return ""


def _iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).isoformat(timespec="seconds")


def _zip_time(info: zipfile.ZipInfo) -> str:
    try:   # a zip stores local time without a zone: kept as the LMS wrote it
        return dt.datetime(*info.date_time).isoformat(timespec="seconds")
    except ValueError:
        return ""


class FolderReader:
    def __init__(self, root: Path):
        self.root = Path(root)
        st = os.stat(self.root)
        self._owner = st.st_uid

    def read(self, m: Member, max_bytes: int) -> bytes:
        """At most max_bytes + 1 bytes of a regular file inside the root, no link followed."""
        fds = []
        try:
            fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            fds.append(fd)
            for part in m.parts[:-1]:
                fd = os.open(os.fsencode(part), os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
                             | os.O_CLOEXEC, dir_fd=fd)
                fds.append(fd)
            fd = os.open(os.fsencode(m.parts[-1]), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
                         | os.O_CLOEXEC, dir_fd=fd)
            fds.append(fd)
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise MemberError(NOT_REGULAR)
            # A hard link can name a file its student could not read (as root, /etc/shadow).
            if st.st_nlink > 1 and st.st_uid != self._owner:
                raise MemberError(HARD_LINK)
            return _read_capped(fd, min(st.st_size, max_bytes) + 1)
        except OSError as e:
            # ELOOP: the file is a link; ENOTDIR: a folder on its path became a link or a file
            # after the walk. Neither is followed.
            if e.errno in (errno.ELOOP, errno.ENOTDIR):
                raise MemberError(LINK) from None
            raise MemberError(f"cannot be read: {e.strerror or e}") from None
        finally:
            for fd in fds:
                os.close(fd)

    def close(self) -> None:
        pass


def _read_capped(fd: int, limit: int) -> bytes:
    chunks, left = [], limit
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


class ZipReader:
    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf

    def read(self, m: Member, max_bytes: int) -> bytes:
        """At most max_bytes + 1 bytes of a member, whatever its header claims."""
        try:
            with self.zf.open(m.ref) as f:
                return f.read(max_bytes + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError,
                NotImplementedError, ValueError, KeyError) as e:
            raise MemberError(f"corrupt in the zip ({type(e).__name__}: "
                              f"{str(e)[:120]})") from None

    def close(self) -> None:
        self.zf.close()


def is_zip_upload(m: Member) -> bool:
    return bool(m.parts) and m.parts[-1].lower().endswith(".zip") and m.container is None


def unpack_inner_zips(members: list[Member], reader) -> tuple[list[Member], "NestedReader"]:
    """A student's own `.zip` upload (one zip inside the input) becomes its members, one
    level deep, read by the same rules as the input's (no link, no path out, sizes capped).
    A zip that cannot be unpacked stays one member, with the problem that says why."""
    nested = NestedReader(reader)
    out: list[Member] = []
    for m in members:
        if m.problem or not is_zip_upload(m):
            out.append(m)
            continue
        try:
            inner = nested.open(m)
        except MemberError as e:
            out.append(dataclasses.replace(m, problem=str(e)))
            continue
        if not inner:
            out.append(dataclasses.replace(m, problem="an empty zip"))
        out.extend(inner)
    return out, nested


class NestedReader:
    """Reads members of the input, and of the students' own zips inside it."""

    def __init__(self, base):
        self.base = base
        self.inner: dict[int, ZipReader] = {}

    def open(self, m: Member) -> list[Member]:
        limits = current()  # a student's own .zip upload, unpacked one level
        if m.size > limits.inner_zip_bytes:
            raise MemberError(f"a zip of {m.size / 1e6:.0f} MB is not unpacked (the limit is "
                              f"{limits.inner_zip_bytes // 1_000_000} MB)")
        data = self.base.read(m, limits.inner_zip_bytes)
        if len(data) > limits.inner_zip_bytes:
            raise MemberError(f"a zip over {limits.inner_zip_bytes // 1_000_000} MB is not "
                              "unpacked")
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            infos = zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as e:
            raise MemberError(f"not a readable zip ({str(e)[:80]})") from None
        if len(infos) > limits.inner_zip_members:
            raise MemberError(f"a zip of more than {limits.inner_zip_members} files is not "
                              "unpacked")
        self.inner[id(m)] = ZipReader(zf)
        return sorted((dataclasses.replace(i, parts=m.parts + i.parts, container=m)
                       for i in _zip_members(zf)), key=lambda i: i.parts)

    def read(self, m: Member, max_bytes: int) -> bytes:
        if m.container is not None:
            return self.inner[id(m.container)].read(m, max_bytes)
        return self.base.read(m, max_bytes)

    def close(self) -> None:
        for r in self.inner.values():
            r.close()
        self.base.close()


Reader = FolderReader | ZipReader | NestedReader
