"""A run's stdout and stderr, drained in a thread and kept up to a cap."""
from __future__ import annotations

import threading
from typing import Callable


class Output:
    """Drain the child's stdout+stderr in a thread, keeping the first `cap` bytes; with
    `on_line`, hand each complete line of what is kept to it as it arrives (`grade exNN`
    shows the student's prints live)."""

    def __init__(self, cap: int, on_line: Callable[[str], None] | None = None):
        self.cap, self.buf, self.dropped = cap, bytearray(), 0
        self._threads: list[threading.Thread] = []
        self._on_line, self._told = on_line, 0

    def drain(self, stream) -> None:
        t = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        t.start()
        self._threads.append(t)

    def _pump(self, stream) -> None:
        while chunk := stream.read1(1 << 16):
            room = self.cap - len(self.buf)
            self.buf += chunk[:max(room, 0)]
            self.dropped += max(len(chunk) - max(room, 0), 0)
            self._tell()
        stream.close()

    def _tell(self) -> None:
        if self._on_line is None:
            return
        end = self.buf.rfind(b"\n") + 1
        if end <= self._told:
            return
        lines = bytes(self.buf[self._told:end]).decode("utf-8", errors="replace").splitlines()
        self._told = end
        for line in lines:
            try:
                self._on_line(line)
            except Exception:  # noqa: BLE001  a display fault never stops the grading
                self._on_line = None
                return

    def join(self) -> None:
        for t in self._threads:
            t.join(timeout=2)

    @property
    def truncated(self) -> bool:
        return self.dropped > 0

    def text(self) -> str:
        s = self.buf.decode("utf-8", errors="replace")
        if self.dropped:
            s += f"\n[... {self.dropped} more bytes of output not kept]"
        return s
