"""A cache of loaded and checked knowledge bases, so that a command starts without parsing YAML.

Loading the bundled knowledge base means importing the parser, composing
thirteen YAML files and checking every cross-reference: 15% of
``pnet-expert recommend``'s cold start on a YAML case. The result depends
only on the files' text and on this package's code, so it is kept in a
per-user cache directory, under a key made of:

* the knowledge base's fingerprint (a digest of every file's name and text,
  ``KnowledgeBase.fingerprint``): any edit to any file is another key;
* a digest of the source of the code that turns files into a ``KnowledgeBase``
  (the ``knowledge`` and ``core`` packages, ``_version.py``) and the Python
  version: a change of code is another key too.

An entry is data, never code: JSON written by :mod:`~pnet_expert.knowledge.serial`
and read back strictly by the spec classes' type hints (a pickle would run
whatever it names, as the next user, on every run). And only trusted data is
read. The directory must be the user's own and writable by no one else (owner
the effective user, no group or other write permission), opened without
following a symbolic link; an entry must be a regular file the user owns, no
bigger than ``cache_entry_bytes``, opened without waiting (a FIFO planted at
the key is not a file) and relative to the directory already checked (no race
with a rename). An entry holds the fingerprint and the code digest it was made
for, and is used only when both are the ones of the files being loaded; and it
is signed (HMAC-SHA256) with a key of 32 random bytes kept in the directory,
readable by the user alone, so that only what this user's pnet_expert wrote is
ever read back: an entry can never change an answer. Anything else is a miss, silently (one
debug line on the ``pnet_expert`` logger says why the directory was not used),
and the files are loaded and checked as if there were no cache.

Only a knowledge base that loaded without a problem is stored; each entry is
written to a temporary file in the directory (mode 0600) and renamed into
place, so a reader never sees half an entry. Entries beyond the newest 32 are
removed.

Where: ``$PNET_EXPERT_CACHE_DIR``, else ``$XDG_CACHE_HOME/pnet_expert``, else
``~/.cache/pnet_expert``. Setting ``PNET_EXPERT_CACHE_DIR`` to an empty string
turns the cache off; so does a system without POSIX file ownership.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import logging
import os
import secrets
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pnet_expert.core.limits import CACHE_ENTRY_BYTES

if TYPE_CHECKING:
    from pnet_expert.core.schema import KnowledgeBase

KEEP = 32
"""How many entries the cache keeps (the newest)."""

FORMAT = 1
"""The version of an entry's layout (a change is another key as well: it is in the code digest)."""

_CODE = ("knowledge/*.py", "core/*.py", "_version.py")
_PREFIX, _SUFFIX = "kb-", ".json"
_KEY, _KEY_BYTES = "key", 32
_log = logging.getLogger("pnet_expert")
_POSIX = all(hasattr(os, name) for name in ("geteuid", "O_DIRECTORY", "O_NOFOLLOW")) and (
    os.open in os.supports_dir_fd
)


def directory() -> Path | None:
    """The cache directory, or None when the cache is off."""
    chosen = os.environ.get("PNET_EXPERT_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pnet_expert"


@functools.cache
def code_fingerprint() -> str | None:
    """A digest of the code that builds a KnowledgeBase (None when its source cannot be read)."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"{sys.version_info[:2]} {FORMAT}".encode())
    try:
        for pattern in _CODE:
            for file in sorted(package.glob(pattern)):
                digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    except OSError:
        return None
    return digest.hexdigest()


def _name(fingerprint: str, code: str) -> str:
    return _PREFIX + hashlib.sha256(f"{fingerprint}\0{code}".encode()).hexdigest()[:40] + _SUFFIX


def _trusted(where: Path, create: bool) -> int | None:
    """The cache directory opened, if it is the user's own and no one else may write to it; else None.

    With ``create``, a missing directory is made (mode 0700). The checks are
    made on the open directory, and entries are opened relative to it, so a
    rename of the path afterwards changes nothing.
    """
    if not _POSIX:
        return None
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(where, flags)
    except FileNotFoundError:
        if not create:
            return None
        try:
            where.parent.mkdir(parents=True, exist_ok=True)
            where.mkdir(mode=0o700)
            fd = os.open(where, flags)
        except OSError:
            return None
    except OSError as exc:  # a symbolic link, not a directory, no permission
        _log.debug("knowledge-base cache not used: %s cannot be opened as a directory (%s)", where, exc)
        return None
    info = os.fstat(fd)
    if info.st_uid != os.geteuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        _log.debug(
            "knowledge-base cache not used: %s is not the user's own, or others may write to it", where
        )
        os.close(fd)
        return None
    return fd


@contextlib.contextmanager
def _opened(where: Path, create: bool = False) -> Iterator[int | None]:
    fd = _trusted(where, create)
    try:
        yield fd
    finally:
        if fd is not None:
            os.close(fd)


def _read(folder: int, name: str, private: bool = False) -> bytes | None:
    """An entry's bytes, if it is a regular file the user owns, others cannot write (nor read, when
    ``private``), and not too big."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(name, flags, dir_fd=folder)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if (
            not stat.S_ISREG(info.st_mode)
            or info.st_uid != os.geteuid()
            or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
            or (private and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO))
            or info.st_size > CACHE_ENTRY_BYTES
        ):
            return None
        data = os.read(fd, CACHE_ENTRY_BYTES + 1)
        return data if len(data) <= CACHE_ENTRY_BYTES else None
    except OSError:
        return None
    finally:
        os.close(fd)


def load(fingerprint: str) -> KnowledgeBase | None:
    """The cached knowledge base of these files, or None (a miss: load them)."""
    where, code = directory(), code_fingerprint()
    if where is None or code is None:
        return None
    with _opened(where) as folder:
        if folder is None:
            return None
        key = _key(folder, create=False)
        data = _read(folder, _name(fingerprint, code)) if key is not None else None
    if key is None or data is None:
        return None
    signature, _, body = data.partition(b"\n")
    if not hmac.compare_digest(signature, _sign(key, body)):  # not written by this user's pnet_expert
        return None
    from pnet_expert.core.schema import KnowledgeBase
    from pnet_expert.knowledge.serial import NotTheData, from_data

    try:
        entry = json.loads(body)
        if entry["format"] != FORMAT or entry["fingerprint"] != fingerprint or entry["code"] != code:
            return None
        found = from_data(KnowledgeBase, entry["kb"])
    except (ValueError, TypeError, KeyError, RecursionError, NotTheData):  # not an entry: a miss
        return None
    return found if found.fingerprint == fingerprint else None


def store(kb: KnowledgeBase) -> None:
    """Keep a knowledge base that loaded without a problem (silently skipped when it cannot be written)."""
    where, code = directory(), code_fingerprint()
    if where is None or code is None:
        return
    from pnet_expert.knowledge.serial import to_data

    entry = {"format": FORMAT, "fingerprint": kb.fingerprint, "code": code, "kb": to_data(kb)}
    body = json.dumps(entry, separators=(",", ":")).encode("ascii")
    with _opened(where, create=True) as folder:
        if folder is None:
            return
        key = _key(folder, create=True)
        if key is not None and _write(folder, _name(kb.fingerprint, code), _sign(key, body) + b"\n" + body):
            with contextlib.suppress(OSError):
                _prune(folder)


def _sign(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, body, hashlib.sha256).hexdigest().encode("ascii")


def _key(folder: int, create: bool) -> bytes | None:
    """The key entries are signed with: 32 random bytes only the user may read (made when ``create``)."""
    found = _read(folder, _KEY, private=True)
    if found is not None and len(found) == _KEY_BYTES:
        return found
    if not create:
        return None
    key = secrets.token_bytes(_KEY_BYTES)
    return key if _write(folder, _KEY, key) else None


def _write(folder: int, name: str, data: bytes) -> bool:
    """Write a file of the cache all at once (a private temporary file, renamed): whether it was written."""
    temporary = f".{_PREFIX}{secrets.token_hex(8)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(temporary, flags, 0o600, dir_fd=folder)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
        temporary = ""
        return True
    except OSError:
        return False
    finally:
        if temporary:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=folder)


def _prune(folder: int) -> None:
    """Remove all but the newest entries, and the pickles earlier versions wrote (never read again)."""
    entries = []
    for name in os.listdir(folder):
        if name.startswith(_PREFIX) and name.endswith(".pickle"):
            with contextlib.suppress(OSError):
                os.unlink(name, dir_fd=folder)
        elif name.startswith(_PREFIX) and name.endswith(_SUFFIX):
            with contextlib.suppress(OSError):
                entries.append((os.stat(name, dir_fd=folder, follow_symlinks=False).st_mtime, name))
    for _, old in sorted(entries, reverse=True)[KEEP:]:
        with contextlib.suppress(OSError):
            os.unlink(old, dir_fd=folder)
