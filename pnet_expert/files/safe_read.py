"""Read what a user names, safely: regular files only, never past a limit, UTF-8 text.

A path may name a FIFO no one writes to (reading it would wait forever), a
device such as ``/dev/zero`` (it never ends), or a file of gigabytes. So a file
is opened without waiting (``O_NONBLOCK``: opening a FIFO returns at once),
checked on the open descriptor (a regular file, not too big: no race with a
rename), and read up to its limit and no further. Standard input is read up to
its limit too, and lines (a batch file, the REPL's input) one at a time, each up
to its own limit, split only on ``\\n``.

Plain functions over paths and streams, raising :class:`ReadProblem` (a code
and the words); each caller names the file in its own diagnostic, so that case
files, batch files, the REPL, ``--source``, the knowledge base's files and the
web app's request bodies share one policy.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic
from pnet_expert.core.limits import LIMITS, exceeded

_CHUNK = 1 << 16


class ReadProblem(Exception):
    """Why something could not be read: a diagnostic code, the words and what to do instead."""

    def __init__(self, code: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint

    def diagnostic(self, name: str) -> Diagnostic:
        """The problem as a diagnostic of the file (or stream, or line) ``name``."""
        return Diagnostic(self.code, name, self.message, hint=self.hint)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (a named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _too_big(size: int, limit_id: str) -> ReadProblem:
    return ReadProblem(codes.FILE_PAST_LIMIT, exceeded(limit_id, f"is too big ({size:,} bytes)"))


def read_bytes(path: str | Path, limit_id: str, *, follow_symlinks: bool = True) -> bytes:
    """The bytes of a regular file, at most the limit ``limit_id`` names (``case_bytes``, ...).

    Raises :class:`ReadProblem`: no such file, a folder, a FIFO or a device, a
    file past the limit, no permission (or, with ``follow_symlinks=False``, a
    symbolic link).
    """
    limit = LIMITS[limit_id].value
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        dangling = os.path.islink(path)
        message = "no such file" + (" (a symbolic link to nothing)" if dangling else "")
        raise ReadProblem(codes.FILE_NOT_FOUND, message) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_symlinks:
            raise ReadProblem(codes.FILE_NOT_REGULAR, "is a symbolic link, not a regular file") from None
        raise ReadProblem(codes.FILE_UNREADABLE, f"cannot be read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ReadProblem(codes.FILE_IS_A_DIRECTORY, "is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise ReadProblem(
                codes.FILE_NOT_REGULAR, f"is {_kind(info.st_mode)}, not a regular file", "give a file"
            )
        if info.st_size > limit:
            raise _too_big(info.st_size, limit_id)
        parts: list[bytes] = []
        size = 0
        while size <= limit:
            part = os.read(fd, min(_CHUNK, limit + 1 - size))
            if not part:
                break
            parts.append(part)
            size += len(part)
        if size > limit:  # it grew while being read
            raise _too_big(size, limit_id)
        return b"".join(parts)
    except OSError as exc:
        raise ReadProblem(codes.FILE_UNREADABLE, f"cannot be read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def decode(data: bytes) -> str:
    """UTF-8 text, or a :class:`ReadProblem` saying where it is not."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"is not UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start:,})"
        raise ReadProblem(codes.FILE_UNREADABLE, message, "save it as UTF-8") from None


def read_text(path: str | Path, limit_id: str, *, follow_symlinks: bool = True) -> str:
    """The UTF-8 text of a regular file, at most the limit ``limit_id`` names."""
    return decode(read_bytes(path, limit_id, follow_symlinks=follow_symlinks))


def read_stream(stream: IO[Any] | None, limit_id: str) -> str:
    """All of a stream (standard input) as UTF-8 text, at most the limit; None is a closed stream."""
    if stream is None:
        raise ReadProblem(codes.FILE_UNREADABLE, "standard input is closed", "give a file instead of -")
    limit = LIMITS[limit_id].value
    binary = getattr(stream, "buffer", None)
    try:
        data = (binary or stream).read(limit + 1)
    except (OSError, ValueError) as exc:  # ValueError: a closed file object
        raise ReadProblem(codes.FILE_UNREADABLE, f"cannot be read: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ReadProblem(codes.FILE_UNREADABLE, f"is not UTF-8 text ({exc.reason})") from None
    if len(data) > limit:
        raise ReadProblem(codes.FILE_PAST_LIMIT, exceeded(limit_id, f"is too big (over {limit:,} bytes)"))
    return decode(data) if isinstance(data, bytes) else str(data)


def read_line(stream: IO[Any], limit_id: str) -> str | None:
    """One line of a stream, without its end (``\\n`` or ``\\r\\n``); None at the end of the stream.

    A line past the limit is read to its end and dropped, and so is a line that
    is not UTF-8: :class:`ReadProblem`, and the next call reads the next line.
    A limit in characters is read as up to four bytes a character, then counted.
    """
    limit = LIMITS[limit_id].value
    binary = getattr(stream, "buffer", None)
    source = binary or stream
    chars = LIMITS[limit_id].unit == "characters"
    most = limit * 4 if chars and binary is not None else limit
    line = source.readline(most + 1)
    if not line:
        return None
    newline = b"\n" if isinstance(line, bytes) else "\n"
    if len(line) > most and not line.endswith(newline):
        length = len(line)
        while line and not line.endswith(newline):
            line = source.readline(_CHUNK)
            length += len(line)
        unit = "bytes" if isinstance(line, bytes) else "characters"
        raise ReadProblem(codes.FILE_PAST_LIMIT, exceeded(limit_id, f"is too long ({length:,} {unit})"))
    text = _strip(decode(line)) if isinstance(line, bytes) else _strip(line)
    if chars and len(text) > limit:
        found = f"is too long ({len(text):,} characters)"
        raise ReadProblem(codes.FILE_PAST_LIMIT, exceeded(limit_id, found))
    return text


def _strip(line: str) -> str:
    if line.endswith("\n"):
        line = line[:-1]
    return line[:-1] if line.endswith("\r") else line


def lines(stream: IO[bytes], limit_id: str) -> Iterator[tuple[int, str | ReadProblem]]:
    """Every line of a binary stream with its number (from 1), split on ``\\n`` only.

    JSON allows U+2028, U+2029, form feeds and the like inside a string, so
    only ``\\n`` (and ``\\r\\n``) ends a line. A line past the limit, or not
    UTF-8, comes as its :class:`ReadProblem`, and the lines after it follow.
    """
    number = 0
    while True:
        number += 1
        try:
            line = read_line(stream, limit_id)
        except ReadProblem as problem:
            yield number, problem
            continue
        if line is None:
            return
        yield number, line


def count_lines(path: str | Path) -> int:
    """How many lines a regular file has (for a progress bar), reading it in chunks."""
    count, last = 0, b"\n"
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


def open_regular(path: str | Path) -> IO[bytes]:
    """A regular file opened for reading in binary, whatever its size (a batch file is read line by line)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise ReadProblem(codes.FILE_NOT_FOUND, "no such file") from None
    except OSError as exc:
        raise ReadProblem(codes.FILE_UNREADABLE, f"cannot be read: {exc.strerror or exc}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ReadProblem(codes.FILE_IS_A_DIRECTORY, "is a folder, not a file")
        hint = "to read from a pipe, give - and send the lines to standard input"
        raise ReadProblem(codes.FILE_NOT_REGULAR, f"is {_kind(info.st_mode)}, not a regular file", hint)
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")
