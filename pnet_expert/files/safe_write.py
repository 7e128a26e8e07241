"""Write an output file the way the user means it: atomically when it is a file, never over a device.

``-o OUT`` may name a regular file (new or old), a symbolic link to one, a
FIFO or a device (``/dev/null``, ``/dev/stdout``), or, by mistake, a folder.
Renaming a temporary file over the name, as an atomic write does, is right
only for the first: over ``/dev/null`` it would replace the device with a
regular file (as root it can), over ``/dev/stdout`` it would swallow the
output, over a link it would replace the link. So the name is looked at first,
before any work is done:

* a **regular file**, or a name that does not exist yet: the text goes to a
  temporary file in the same folder, renamed over the file when the block ends
  without an error (a reader never sees half a file). Through a symbolic link,
  the file the link points to is replaced and the link is kept. The file keeps
  its mode (and, for root, its owner); a new one gets the mode a plain
  ``open()`` would give it. Where the system allows, the temporary file has no
  name until it is complete (Linux's ``O_TMPFILE``), so a process killed
  mid-way (even by SIGKILL) leaves nothing behind;
* a **FIFO, a device or a socket**: written directly, as a shell's ``>``
  does; a FIFO no one reads is an error at once, not a wait;
* a **folder**: an error at once (``IsADirectoryError``), before the work.

Errors are ``OSError``\\ s, each with a ``strerror`` that says what is wrong, for
the caller to report with the name (``cli.common.cannot_write``).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO


@functools.cache
def _umask() -> int:
    """The process's umask, read once (reading it means setting it, which other threads would race)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _problem(number: int, words: str, path: Path) -> OSError:
    return OSError(number, words, str(path))


@contextlib.contextmanager
def output(path: str | Path) -> Iterator[TextIO]:
    """A text file to write as the block goes: atomically for a regular file, directly into a FIFO or device.

    The name is checked when the block starts, so a folder, a missing folder or
    a FIFO no one reads fails before any work. On an error (or an interrupt)
    inside the block, a regular file is left as it was.
    """
    target = Path(path)
    try:
        info: os.stat_result | None = os.stat(target)  # through any links: what the name stands for
    except FileNotFoundError:
        info = None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise _problem(errno.EISDIR, "is a folder, not a file", target)
    if info is not None and not stat.S_ISREG(info.st_mode):
        with _direct(target, info) as handle:
            yield handle
        return
    with _atomic(Path(os.path.realpath(target)), info) as handle:
        yield handle


@contextlib.contextmanager
def _direct(target: Path, info: os.stat_result) -> Iterator[TextIO]:
    """Write into a FIFO, a device or a socket as it is (no temporary file, no rename)."""
    flags = os.O_WRONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    if stat.S_ISFIFO(info.st_mode):
        try:
            fd = os.open(target, flags | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno == errno.ENXIO:
                raise _problem(errno.ENXIO, "is a FIFO that no one is reading", target) from None
            raise
        os.set_blocking(fd, True)
    else:
        fd = os.open(target, flags)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        yield handle


@contextlib.contextmanager
def _atomic(target: Path, info: os.stat_result | None) -> Iterator[TextIO]:
    """Write a regular file all at once: a temporary file beside it, renamed over it at the end."""
    folder = target.parent
    if not folder.is_dir():
        raise _problem(errno.ENOENT, "its folder does not exist", target)
    mode = stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask()
    fd, name = _temporary(folder, target.name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), mode)
            if info is not None and os.name == "posix" and os.geteuid() == 0:
                with contextlib.suppress(OSError):  # root keeps the file its owner's
                    os.fchown(handle.fileno(), info.st_uid, info.st_gid)
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
            if name is None:  # nameless until now (O_TMPFILE): give it a name beside the target
                name = _link_nameless(handle.fileno(), folder, target.name)
        os.replace(name, target)
        name = None
    finally:
        if name is not None:
            Path(name).unlink(missing_ok=True)


def _temporary(folder: Path, base: str) -> tuple[int, str | None]:
    """A new file in ``folder`` for writing: nameless where the system allows it (None), else named."""
    nameless = getattr(os, "O_TMPFILE", 0)
    if nameless and Path("/proc/self/fd").is_dir():
        try:
            return os.open(folder, nameless | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o600), None
        except OSError:  # a file system without it: a named temporary file
            pass
    fd, name = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp", dir=folder)
    return fd, name


def _link_nameless(fd: int, folder: Path, base: str) -> str:
    """Give a nameless temporary file a (hidden, unique) name in its folder, to rename it over the target.

    ``linkat`` of ``/proc/self/fd/N`` with ``AT_SYMLINK_FOLLOW`` names the open
    file; Python asks for it only when a directory descriptor is given.
    """
    directory = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        for _ in range(100):
            name = f".{base}.{os.urandom(6).hex()}.tmp"
            try:
                os.link(f"/proc/self/fd/{fd}", name, src_dir_fd=directory, dst_dir_fd=directory)
            except FileExistsError:
                continue
            return str(folder / name)
    finally:
        os.close(directory)
    raise _problem(errno.EEXIST, "no free temporary name beside it", folder / base)  # pragma: no cover


def write(path: str | Path, text: str) -> None:
    """Write a whole output at once (see :func:`output`)."""
    with output(path) as handle:
        handle.write(text)
