"""Reading landing files as text without ever failing on their bytes.

- A file that is not a regular file (a FIFO, a socket, a device, a dangling symlink) is refused
  before it is opened: opening a FIFO blocks until something writes to it.
- A byte order mark picks the encoding (UTF-8 or UTF-16, either byte order) and is dropped;
  otherwise the text is UTF-8.
- Bytes that do not decode become lone surrogates U+DC00 + byte (as Python's surrogateescape
  does, for any byte); such text never reaches a raw table: the line is quarantined and shown
  with the bytes escaped (``caf\\xe9``).
- A gzip file is inflated as far as its bytes go: where a truncated or corrupt stream stops,
  reading ends and ``error`` says why, so the loader can account for the lines it could read.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
import zlib
from pathlib import Path

_ESCAPE = "chatperf-escape"


def _escape_undecodable(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return "".join(chr(0xDC00 + b) for b in exc.object[exc.start : exc.end]), exc.end


codecs.register_error(_ESCAPE, _escape_undecodable)

_UNDECODED = re.compile("[\udc00-\udcff]+")


def show_escaped(text: str) -> str:
    """The text with its undecodable bytes written as \\xNN."""
    return _UNDECODED.sub(lambda m: "".join(f"\\x{ord(c) - 0xDC00:02x}" for c in m.group()), text)


def undecodable_reason(text: str, encoding: str) -> str | None:
    """The quarantine reason for text holding bytes that did not decode, else None."""
    m = _UNDECODED.search(text)
    if m is None:
        return None
    return (
        f"not valid {encoding}: undecodable byte(s) {show_escaped(m.group())} at character "
        f"{m.start() + 1}; re-export the file as UTF-8"
    )


def refusal(path: Path) -> str | None:
    """Why a landing path is not read at all, or None for a regular file."""
    try:
        mode = path.stat().st_mode  # follows symlinks
    except FileNotFoundError:
        if path.is_symlink():
            return f"not read: a dangling symlink (its target {os.readlink(path)} does not exist)"
        return "not read: the file disappeared while loading"
    except OSError as exc:
        return f"not read: {exc.strerror or exc}"
    if stat.S_ISREG(mode):
        return None
    kind = (
        "a FIFO (named pipe)"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a special file"
    )
    return f"not read: {kind}, not a regular file"


class Inflated(io.RawIOBase):
    """A gzip file's bytes inflated as far as they go (several members are read in turn). At a
    truncated or corrupt stream reading ends, keeping every byte inflated up to there (gzip.open
    would raise and lose its last buffer), and ``error`` says what went wrong."""

    def __init__(self, path: Path):
        super().__init__()
        self._file = path.open("rb")
        self._z = zlib.decompressobj(wbits=31)
        self._pending = b""
        self._fed = False  # whether the current member has had any byte
        self._done = False
        self.error: str | None = None

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._file.close()
        super().close()

    def readinto(self, buf) -> int:
        while not self._pending and not self._done:
            self._step()
        n = min(len(buf), len(self._pending))
        buf[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def _step(self) -> None:
        if self._z.eof:  # a member ended; another may follow
            chunk = self._z.unused_data
            self._z, self._fed = zlib.decompressobj(wbits=31), False
            if not chunk:
                return
        else:
            chunk = self._file.read(1 << 16)
        if not chunk:
            self._done = True
            if self._fed:
                self.error = "truncated gzip (the compressed data ends before its end marker)"
            return
        if not self._fed and not chunk.strip(b"\0"):
            return  # the zero padding some tools write after the last member
        first, self._fed = not self._fed, True
        try:
            self._pending = self._z.decompress(chunk)
        except zlib.error as exc:
            self._done = True
            detail = str(exc).split(": ", 1)[-1]
            if first and "header" in detail:
                self.error = f"not a gzip file ({detail})"
            else:
                self.error = f"corrupt gzip data ({detail})"


class TextFile:
    """A landing file opened as text: ``handle`` (lines keep their endings, as csv wants),
    ``encoding`` (its name for reasons), ``note`` (set when the encoding is worth telling) and
    ``error`` (why a gzip stream ended early, once read to its end)."""

    def __init__(self, path: Path):
        self._inflated = Inflated(path) if path.name.endswith(".gz") else None
        raw = io.BufferedReader(self._inflated) if self._inflated else path.open("rb")
        head = raw.peek(4)[:4]
        self.encoding, self.note, codec = "UTF-8", None, "utf-8"
        if head.startswith(codecs.BOM_UTF8):
            codec = "utf-8-sig"
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self.encoding, codec = "UTF-16", "utf-16"
            self.note = "UTF-16 text (byte order mark), decoded"
        self.handle = io.TextIOWrapper(raw, encoding=codec, errors=_ESCAPE, newline="")

    @property
    def error(self) -> str | None:
        return self._inflated.error if self._inflated else None

    def __enter__(self) -> TextFile:
        return self

    def __exit__(self, *exc) -> None:
        self.handle.close()


def readable_lines(path: Path) -> tuple[list[tuple[int, str]], str | None]:
    """The non-blank physical lines one can read, numbered from 1, and the read error if any."""
    lines: list[tuple[int, str]] = []
    try:
        with TextFile(path) as text:
            for lineno, line in enumerate(text.handle, start=1):
                if line.strip():
                    lines.append((lineno, line.rstrip("\r\n")))
            return lines, text.error
    except OSError as exc:
        return lines, f"read error ({exc.strerror or exc})"
