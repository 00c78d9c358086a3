"""What the grader tells `child.py`: one typed configuration, built here and only here.

`child.py` cannot import the grader (it is not visible in the sandbox), so the configuration
crosses as JSON on its command line (cold runs, zygotes) or in the fork request (forked runs).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from .isolation import INSIDE_DATA, INSIDE_HELPERS, INSIDE_WORK, SANDBOX_DIR, python_paths


@dataclass(frozen=True)
class ChildConfig:
    wire: str                    # path of wire.py, as the child sees it
    module: str                  # the name the submission is imported as
    submission: str              # its file, as the child sees it (a forked child: its own)
    sys_path: list[str]
    seed: int
    device: str
    forbidden: list[str]
    use_torch: bool
    exercise: str
    gpu_memory_fraction: float | None
    keeper: bool                 # weak mode: a keeper process stands between grader and run
    guard: str = ""              # path of guard.py, as the child sees it
    disabled: list[str] = field(default_factory=list)  # library names the exercise refuses
    data: dict[str, str] = field(default_factory=dict)   # data file name -> path inside
    fd_in: int = -1              # the request channel (cold runs; a forked child gets its own)
    fd_out: int = -1
    # a zygote's own: it serves forks on fd_zygote and gives each child a folder under `work`
    zygote: bool = False
    fd_zygote: int = -1
    work: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    def for_fork(self) -> dict:
        """What a fork request carries: a forked child's fds and file are set by the zygote."""
        out = asdict(self)
        for key in ("fd_in", "fd_out", "zygote", "fd_zygote", "work"):
            out.pop(key)
        return out


def child_config(*, exercise: str, module: str, seed: int, device: str,
                 forbidden: tuple[str, ...], use_torch: bool, gpu_memory_fraction: float | None,
                 disabled: tuple[str, ...] = (),
                 keeper: bool, data_files: tuple[tuple[str, str], ...], inside: bool,
                 scratch: str, fds: tuple[int, int] = (-1, -1), zygote_fd: int | None = None
                 ) -> ChildConfig:
    """The configuration of a run (or, with `zygote_fd`, of the zygote that forks runs).
    `inside`: the run is in bubblewrap, where paths are the sandbox's own."""
    work = INSIDE_WORK if inside else scratch
    helpers = INSIDE_HELPERS if inside else str(SANDBOX_DIR)
    return ChildConfig(
        wire=f"{helpers}/wire.py", guard=f"{helpers}/guard.py", disabled=list(disabled),
        module=module, submission=f"{work}/{module}.py",
        # a zygote imports (and preloads) without the scratch folder on its path
        sys_path=[*([] if zygote_fd is not None else [work]), *python_paths()], seed=seed,
        device=device, forbidden=list(forbidden),
        use_torch=use_torch, exercise=exercise, gpu_memory_fraction=gpu_memory_fraction,
        keeper=keeper, data={name: f"{INSIDE_DATA}/{name}" if inside else host
                             for name, host in data_files},
        fd_in=fds[0], fd_out=fds[1],
        zygote=zygote_fd is not None,
        fd_zygote=-1 if zygote_fd is None else zygote_fd, work=INSIDE_WORK if inside else "")
