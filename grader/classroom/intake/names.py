"""Names from outside (file names, student ids, names typed into an LMS profile): any byte
string is valid. Each has three forms: the raw bytes (kept in the gradebook), a text id (valid
UTF-8, so SQLite and JSON take it), and a shown form with no control or markup character left
raw (for the terminal). File names on our side come from `safe_part`, which never maps two
different ids to one folder."""
from __future__ import annotations

import hashlib
import re
import unicodedata

_SAFE = re.compile(r"[A-Za-z0-9._@+-]+")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._@+-]+")


def raw(name: str) -> bytes:
    """The original bytes of a name decoded with os.fsdecode (surrogateescape)."""
    return name.encode("utf-8", "surrogateescape")


def text(name: str) -> str:
    """Valid UTF-8 text for a name that may hold undecodable bytes: those become `\\xNN`."""
    return raw(name).decode("utf-8", "backslashreplace")


def shown(name: str) -> str:
    """A name fit for a terminal line: undecodable bytes, control and format characters
    (escape sequences, bidi overrides, newlines) escaped; `[` escaped too, so even a
    console that parses markup shows it as typed."""
    out = []
    for ch in text(name):
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(repr(ch)[1:-1] if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}")
        elif ch == "[":
            out.append("\\[")
        else:
            out.append(ch)
    return "".join(out)


def safe_part(name: str) -> str:
    """An id as one harmless path component. A name that is already safe stays as it is;
    any other gets a hash of its exact bytes, so `alice` and `alice.` (or `a b` and `a_b`)
    never share a folder."""
    if _SAFE.fullmatch(name) and not name.startswith(".") and not name.endswith(".") \
            and len(name) <= 100:
        return name
    cleaned = _UNSAFE_RUN.sub("_", name).strip("._")[:60] or "_"
    return f"{cleaned}~{hashlib.sha256(raw(name)).hexdigest()[:8]}"
