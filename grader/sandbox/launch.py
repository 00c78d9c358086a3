"""How a session's runs are started: the child's configuration, its command line (cold, or a
warm zygote's), its environment, and what a warm zygote is keyed by and preloads."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from . import cgroups
from .config import ChildConfig, child_config
from .isolation import INSIDE_HELPERS, SANDBOX_DIR, bwrap_argv, is_root, sandbox_env, slot_uid
from .runs import Launch

if TYPE_CHECKING:
    from .session import SessionConfig

# Imported by a warm zygote before it forks a submission whose source names it (where installed
# and not forbidden): notebooks often import it for plots, and its first import costs 1.5 s.
# Once imported, the zygote keeps it for every later submission; a zygote that never meets it
# never pays for it.
PRELOAD = ("matplotlib.pyplot",)


class Launcher:
    """The command lines and configurations of one session's runs."""

    def __init__(self, cfg: "SessionConfig", scratch: Path):
        self.cfg, self.scratch = cfg, scratch
        self.uid = slot_uid(cfg.slot) if cfg.layers.strong else None

    def group(self) -> cgroups.Group | None:
        """The slot's cgroup, where the sandbox is strong and the grader may make one."""
        return cgroups.for_slot(self.cfg.slot) if self.cfg.layers.strong and is_root() \
            else None

    def launch(self, inside: bool, group: cgroups.Group | None) -> Launch:
        return Launch(child=self.child_config(inside), limits=self.cfg.limits,
                      scratch=self.scratch, env=self.env(), uid=self.uid, group=group,
                      strong=self.cfg.layers.strong, keeper=self.cfg.layers.keeper)

    def child_config(self, inside: bool, fds: tuple[int, int] = (-1, -1),
                     zygote_fd: int | None = None) -> ChildConfig:
        c = self.cfg
        return child_config(exercise=c.exercise, module=c.module, seed=c.seed, device=c.device,
                            forbidden=c.forbidden, use_torch=c.use_torch, disabled=c.disabled,
                            gpu_memory_fraction=c.gpu_memory_fraction, keeper=c.layers.keeper,
                            data_files=c.data_files, inside=inside, scratch=str(self.scratch),
                            fds=fds, zygote_fd=zygote_fd)

    def preload(self) -> list[str]:
        return [m for m in PRELOAD if m.partition(".")[0] not in self.cfg.forbidden
                and m.partition(".")[0] in self.cfg.source]

    def zygote_spec(self) -> tuple[tuple, Callable[..., list[str]], dict[str, str]]:
        """What `zygote.obtain` needs for this session's warm sandbox: key, argv, environment."""
        return self.zygote_key(), self.zygote_argv, self.env()

    def zygote_key(self) -> tuple:
        """What makes two sandboxes differ; limits do not: each child sets its own."""
        c = self.cfg
        return (c.layers.bwrap, c.device, c.gpu, c.forbidden, c.use_torch, c.data_files,
                c.limits.scratch_mb, self.uid)

    def zygote_argv(self, zygote_fd: int, seccomp_fd: int | None, scratch: Path) -> list[str]:
        cfg = self.child_config(inside=True, zygote_fd=zygote_fd)
        return self._sandboxed(cfg, scratch, seccomp_fd)

    def cold_argv(self, r_child: int, w_child: int, seccomp_fd: int | None) -> list[str]:
        cfg = self.child_config(self.cfg.layers.strong, fds=(r_child, w_child))
        if not self.cfg.layers.strong:
            return [os.path.realpath(sys.executable), "-I", "-S", f"{SANDBOX_DIR}/child.py",
                    cfg.to_json()]
        return self._sandboxed(cfg, self.scratch, seccomp_fd)

    def _sandboxed(self, cfg: ChildConfig, scratch: Path, seccomp_fd: int | None) -> list[str]:
        # The real interpreter, not a venv's symlink: only the base install is mounted inside.
        inner = [os.path.realpath(sys.executable), "-I", "-S", f"{INSIDE_HELPERS}/child.py",
                 cfg.to_json()]
        return bwrap_argv(self.cfg.layers.bwrap, scratch, inner, self.cfg.device,
                          self.cfg.data_files, self.cfg.forbidden, self.uid,
                          self.cfg.limits.scratch_mb, seccomp_fd=seccomp_fd)

    def env(self) -> dict[str, str]:
        env = sandbox_env(str(self.scratch))
        if self.cfg.device != "cuda":
            env["CUDA_VISIBLE_DEVICES"] = ""
        elif self.cfg.gpu is not None:
            env["CUDA_VISIBLE_DEVICES"] = str(self.cfg.gpu)
        return env


def write_new(path: Path, text: str) -> None:
    """Write `path` afresh: whatever the last run left there (a symlink to a host file, say)
    is removed, never followed."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
