"""Drive a headless Chromium over the DevTools protocol, with the standard library alone.

Chromium is started with `--remote-debugging-pipe`: it reads protocol messages (JSON, each
ended by a NUL byte) from its fd 3 and writes answers and events to its fd 4. A pipe needs no
port (nothing to race for, nothing another process can connect to) and no websocket client, so
the browser tests need only Debian's `chromium` package, which setup.sh installs.

Also here: `pdf_text`, enough of a PDF reader to get the text of each page of a PDF that
Chromium printed (Type0 fonts with Identity-H encoding and a ToUnicode map), and `png_info` /
`png_pixels`, enough of a PNG reader to check a screenshot.
"""
from __future__ import annotations

import base64
import json
import os
import re
import select
import shutil
import signal
import struct
import subprocess
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def find_chromium() -> str | None:
    """$CHROMIUM if set, else the first Chromium or Chrome on PATH."""
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    return next((path for path in map(shutil.which, NAMES) if path), None)


class BrowserError(RuntimeError):
    pass


class Browser:
    def __init__(self, executable: str, workdir: Path, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log = self.workdir / "chromium.log"
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--mute-audio", "--hide-scrollbars",
                "--force-device-scale-factor=1", "--remote-debugging-pipe",
                f"--user-data-dir={self.workdir / 'profile'}", "about:blank"]
        # bash puts our pipe ends on fds 3 and 4 and then becomes the browser (exec): no
        # preexec_fn, which is unsafe in a process with threads (torch starts some); and bash,
        # not sh: dash redirects only fds 0 to 9, and ours may be higher.
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                ["bash", "-c", 'exec "$0" "$@" 3<&"$CDP_IN" 4>&"$CDP_OUT"', executable, *args],
                env={**os.environ, "CDP_IN": str(to_browser_r), "CDP_OUT": str(from_browser_w)},
                pass_fds=(to_browser_r, from_browser_w), stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        os.close(to_browser_r)
        os.close(from_browser_w)
        try:
            self.version = self.send("Browser.getVersion")["product"]
        except BaseException:
            self.close()
            raise

    # --- the protocol -------------------------------------------------------------------------

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        try:
            os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        except OSError as e:
            raise BrowserError(f"{method}: the browser is gone ({e}){self._log_tail()}") from None
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read(deadline, method)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def wait_event(self, method: str, session: str | None = None) -> dict:
        """The params of the first unseen event `method` (of `session`), waiting for it."""
        deadline = time.monotonic() + self.timeout
        while True:
            for i, event in enumerate(self._events):
                if event["method"] == method and event.get("sessionId") == session:
                    return self._events.pop(i).get("params", {})
            event = self._read(deadline, method)
            if "method" in event:
                self._events.append(event)

    def events(self, session: str) -> list[dict]:
        """Every event of `session` seen so far (kept, not consumed), after draining the pipe."""
        while select.select([self._from_browser], [], [], 0)[0]:
            self._buffer += self._chunk("events")
        while b"\0" in self._buffer:
            raw, self._buffer = self._buffer.split(b"\0", 1)
            self._events.append(json.loads(raw))
        return [e for e in self._events if e.get("sessionId") == session]

    def _read(self, deadline: float, waiting_for: str) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise BrowserError(f"no answer to {waiting_for} within {self.timeout:g} s"
                                   f"{self._log_tail()}")
            self._buffer += self._chunk(waiting_for)
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def _chunk(self, waiting_for: str) -> bytes:
        chunk = os.read(self._from_browser, 1 << 20)
        if not chunk:
            try:
                status = self.proc.wait(timeout=5)   # so that its log is complete
            except subprocess.TimeoutExpired:
                status = None
            raise BrowserError(f"the browser closed its pipe while we waited for {waiting_for} "
                               f"(exit status {status}){self._log_tail()}")
        return chunk

    def _log_tail(self) -> str:
        try:
            lines = self.log.read_text(errors="replace").splitlines()[-15:]
        except OSError:
            return ""
        return "\nchromium's last lines:\n" + "\n".join(lines) if lines else ""

    # --- pages --------------------------------------------------------------------------------

    def new_page(self, width: int = 1000, height: int = 800) -> "Page":
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True}
                            )["sessionId"]
        page = Page(self, target, session)
        for domain in ("Page", "Runtime", "Log", "Network"):
            page.send(f"{domain}.enable")
        page.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        return page

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                os.write(self._to_browser, json.dumps(
                    {"id": self._next_id + 1, "method": "Browser.close"}).encode() + b"\0")
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self.proc.poll() is None:
            # Our own child leads its own process group (start_new_session): end all of it.
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass


@dataclass
class Page:
    browser: Browser
    target: str
    session: str
    url: str = ""

    def send(self, method: str, params: dict | None = None) -> dict:
        return self.browser.send(method, params, self.session)

    def goto(self, url: str, settle_ms: int = 250) -> None:
        """Load `url`, wait for its load event, then `settle_ms` more for anything deferred
        (an image's onerror, a <meta refresh>, a <details ontoggle>)."""
        reply = self.send("Page.navigate", {"url": url})
        if reply.get("errorText"):
            raise BrowserError(f"cannot open {url}: {reply['errorText']}")
        self.url = url
        self.browser.wait_event("Page.loadEventFired", self.session)
        self.eval("new Promise(done => requestAnimationFrame(() => "
                  f"setTimeout(done, {settle_ms})))")

    def eval(self, expression: str) -> Any:
        reply = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                               "awaitPromise": True})
        if "exceptionDetails" in reply:
            details = reply["exceptionDetails"]
            raise BrowserError(f"{expression!r} raised: "
                               f"{details.get('exception', {}).get('description') or details}")
        return reply["result"].get("value")

    def console_errors(self) -> list[str]:
        """Errors the page logged: console.error/assert, uncaught exceptions, failed loads."""
        errors = []
        for event in self.browser.events(self.session):
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                errors.append("console: " + " ".join(
                    str(a.get("value", a.get("description", ""))) for a in params.get("args", ())))
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                errors.append("exception: " + str(
                    details.get("exception", {}).get("description") or details.get("text")))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                entry = params["entry"]
                errors.append(f"log ({entry.get('source')}): {entry.get('text')} "
                              f"{entry.get('url', '')}".rstrip())
        return errors

    def requests(self) -> list[str]:
        """The URL of every request the page made."""
        return [e["params"]["request"]["url"] for e in self.browser.events(self.session)
                if e["method"] == "Network.requestWillBeSent"]

    def emulate_media(self, media: str) -> None:
        self.send("Emulation.setEmulatedMedia", {"media": media})

    def screenshot(self, path: Path, clip: dict | None = None) -> bytes:
        """A PNG of the whole page (or of `clip`, a {x, y, width, height} box), also saved."""
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": True}
        if clip:
            params["clip"] = {**clip, "scale": 1}
        else:
            size = self.eval("[document.documentElement.scrollWidth, "
                             "document.documentElement.scrollHeight]")
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}
        data = base64.b64decode(self.send("Page.captureScreenshot", params)["data"])
        Path(path).write_bytes(data)
        return data

    def pdf(self, path: Path) -> bytes:
        """Print the page as the browser's print dialog would (A4, backgrounds as the page's
        print CSS asks), save and return the PDF."""
        data = base64.b64decode(self.send("Page.printToPDF", {
            "paperWidth": 8.27, "paperHeight": 11.69, "printBackground": False,
            "preferCSSPageSize": True})["data"])
        Path(path).write_bytes(data)
        return data

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})


# --- PNG --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PngInfo:
    width: int
    height: int
    channels: int
    pixels: bytes          # unfiltered, row after row, `channels` bytes a pixel


_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}


def png_info(data: bytes, decode: bool = False) -> PngInfo:
    """Check a PNG's structure (signature, chunk CRCs, IHDR, IDAT inflating to the exact size
    its IHDR implies, IEND); with `decode`, also undo the row filters (small images only)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks, idat = 8, [], b""
    header = None
    while pos < len(data):
        length, tag = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(tag + body), f"bad CRC in {tag!r}"
        chunks.append(tag)
        if tag == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif tag == b"IDAT":
            idat += body
        pos += 12 + length
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND" and header, chunks
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in _CHANNELS and interlace == 0, header
    channels = _CHANNELS[colour]
    raw = zlib.decompress(idat)
    stride = width * channels
    assert len(raw) == height * (stride + 1), "IDAT does not match the image size"
    return PngInfo(width, height, channels, _unfilter(raw, stride, channels) if decode else b"")


def _unfilter(raw: bytes, stride: int, bpp: int) -> bytes:
    out = bytearray()
    prev = bytearray(stride)
    for row_start in range(0, len(raw), stride + 1):
        kind, row = raw[row_start], bytearray(raw[row_start + 1:row_start + 1 + stride])
        for i in range(stride):
            left = row[i - bpp] if i >= bpp else 0
            up, corner = prev[i], (prev[i - bpp] if i >= bpp else 0)
            if kind == 1:
                row[i] = (row[i] + left) & 255
            elif kind == 2:
                row[i] = (row[i] + up) & 255
            elif kind == 3:
                row[i] = (row[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                row[i] = (row[i] + (left if pa <= pb and pa <= pc else up if pb <= pc
                                    else corner)) & 255
        out += row
        prev = row
    return bytes(out)


# --- PDF --------------------------------------------------------------------------------------

_OBJ = re.compile(rb"(\d+) 0 obj\b")
_REF = rb"(\d+) 0 R"


def pdf_text(data: bytes) -> list[str]:
    """The text of each page of a PDF that Chromium (Skia) wrote, one string a page: the text
    of each BT..ET block on a line. Reads Skia's plain layout only (no object streams, fonts
    with a ToUnicode map); raises AssertionError on anything else."""
    assert data.startswith(b"%PDF-"), "not a PDF"
    objects = _pdf_objects(data)
    pages_root = next(n for n, (d, _) in objects.items() if re.search(rb"/Type\s*/Pages\b", d)
                      and not re.search(rb"/Parent\b", d))
    pages: list[int] = []
    _collect_pages(objects, pages_root, pages)
    texts = []
    for number in pages:
        page = objects[number][0]
        fonts_match = re.search(rb"/Font\s*<<(.*?)>>", page, re.S)
        fonts = {}
        for name, ref in re.findall(rb"/(\w+)\s+" + _REF, fonts_match[1] if fonts_match else b""):
            font = objects[int(ref)][0]
            to_unicode = re.search(rb"/ToUnicode\s+" + _REF, font)
            fonts[name.decode()] = _cmap(objects[int(to_unicode[1])][1]) if to_unicode else {}
        contents = re.search(rb"/Contents\s+(\[[^\]]*\]|\d+ 0 R)", page)
        refs = re.findall(_REF, contents[1]) if contents else []
        texts.append(_page_text(b"\n".join(objects[int(r)][1] for r in refs), fonts))
    return texts


def _pdf_objects(data: bytes) -> dict[int, tuple[bytes, bytes]]:
    """number -> (dictionary, decoded stream or b"")."""
    objects = {}
    for match in _OBJ.finditer(data):
        start = match.end()
        head_end = data.find(b"stream", start)
        end_obj = data.find(b"endobj", start)
        if head_end == -1 or head_end > end_obj:
            objects[int(match[1])] = (data[start:end_obj], b"")
            continue
        head = data[start:head_end]
        assert b"/ObjStm" not in head, "object streams are not supported"
        length = int(re.search(rb"/Length\s+(\d+)", head)[1])
        body_start = head_end + len(b"stream")
        body_start += 2 if data[body_start:body_start + 2] == b"\r\n" else 1
        body = data[body_start:body_start + length]
        if b"/FlateDecode" in head:
            body = zlib.decompress(body)
        objects[int(match[1])] = (head, body)
    return objects


def _collect_pages(objects: dict, number: int, out: list[int]) -> None:
    node = objects[number][0]
    if re.search(rb"/Type\s*/Pages\b", node):
        kids = re.search(rb"/Kids\s*\[([^\]]*)\]", node)[1]
        for ref in re.findall(_REF, kids):
            _collect_pages(objects, int(ref), out)
    else:
        out.append(number)


def _cmap(stream: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(src, 16)] = _utf16(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
        for lo, hi, dst in re.findall(
                rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])", block):
            lo_i, hi_i = int(lo, 16), int(hi, 16)
            if dst.startswith(b"["):
                for i, item in enumerate(re.findall(rb"<([0-9A-Fa-f]+)>", dst)):
                    mapping[lo_i + i] = _utf16(item)
            else:
                first = int(dst[1:-1], 16)
                for i in range(hi_i - lo_i + 1):
                    mapping[lo_i + i] = chr(first + i)
    return mapping


def _utf16(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode()).decode("utf-16-be", errors="replace")


def _page_text(content: bytes, fonts: dict[str, dict[int, str]]) -> str:
    lines = []
    for block in re.findall(rb"\bBT\b(.*?)\bET\b", content, re.S):
        font: dict[int, str] = {}
        text: list[str] = []
        actual = None   # inside /Span <</ActualText (fi)>> BDC ... EMC: the letters of a ligature
        for token in _TOKENS.finditer(block):
            if token["actual"]:
                raw = token["actual"][1:-1]
                actual = (_utf16(raw) if token["actual"].startswith(b"<")
                          else re.sub(rb"\\(.)", rb"\1", raw).decode("latin-1"))
            elif token["emc"] and actual is not None:
                text.append(actual)
                actual = None
            elif token["font"]:
                font = fonts.get(token["font"].decode(), {})
            elif token["glyphs"] is not None and actual is None:
                codes = bytes.fromhex(token["glyphs"].decode())
                text += [font.get(int.from_bytes(codes[i:i + 2], "big"), "\ufffd")
                         for i in range(0, len(codes) - 1, 2)]
        lines.append("".join(text))
    return "\n".join(lines)


_TOKENS = re.compile(
    rb"/Span\s*<<\s*/ActualText\s*(?P<actual>\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f]*>)\s*>>\s*BDC"
    rb"|(?P<emc>\bEMC\b)"
    rb"|/(?P<font>\w+)\s+[\d.]+\s+Tf"
    rb"|<(?P<glyphs>[0-9A-Fa-f]*)>")
