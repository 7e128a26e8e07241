"""A cache of loaded and checked knowledge bases, so that a command starts without parsing YAML.

Loading the bundled knowledge base means importing the parser, composing
thirteen YAML files and checking every cross-reference: 15% of
``pnet-expert recommend``'s cold start on a YAML case (cachegrind: 709 million
instructions without the cache, 601 million with it). The result
depends only on the files' text and on this package's code, so it is kept, as a
pickle, in a per-user cache directory, under a key made of:

* the knowledge base's fingerprint (a digest of every file's name and text,
  ``KnowledgeBase.fingerprint``): any edit to any file is another key;
* a digest of the source of the code that turns files into a ``KnowledgeBase``
  (the ``knowledge`` package, ``errors.py``, ``_version.py``), of attrs'
  class maker (which pickles attrs classes) and the Python version: a change
  of code is another key too.

The cache is never required: a missing, unreadable or corrupt entry, or one
that is not the knowledge base it should be, is a miss, and the files are
loaded and checked as if there were no cache. Only a knowledge base that loaded
without a problem is stored, and every entry is written to a temporary file in
the same directory and renamed into place (atomic: a reader never sees half an
entry). Entries beyond the newest 32 are removed.

Where: ``$PNET_EXPERT_CACHE_DIR``, else ``$XDG_CACHE_HOME/pnet_expert``, else
``~/.cache/pnet_expert``. Setting ``PNET_EXPERT_CACHE_DIR`` to an empty string
turns the cache off. The directory is the user's own: an entry is code (a
pickle), trusted as the user's other files are.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pnet_expert.core.schema import KnowledgeBase

KEEP = 32
"""How many entries the cache keeps (the newest)."""

_CODE = ("knowledge/*.py", "core/*.py", "_version.py")


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
    import attr._make  # how attrs pickles its classes (attrs.__version__ would import importlib.metadata)

    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"{sys.version_info[:2]}".encode())
    try:
        files = [Path(attr._make.__file__)]
        for pattern in _CODE:
            files.extend(sorted(package.glob(pattern)))
        for file in files:
            digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    except (OSError, TypeError):
        return None
    return digest.hexdigest()


def _entry(fingerprint: str) -> Path | None:
    where, code = directory(), code_fingerprint()
    if where is None or code is None:
        return None
    key = hashlib.sha256(f"{fingerprint}\0{code}".encode()).hexdigest()[:40]
    return where / f"kb-{key}.pickle"


def load(fingerprint: str) -> KnowledgeBase | None:
    """The cached knowledge base of these files, or None (a miss: load them)."""
    entry = _entry(fingerprint)
    if entry is None:
        return None
    from pnet_expert.core.schema import KnowledgeBase

    try:
        found = pickle.loads(entry.read_bytes())
    except Exception:  # a missing, corrupt or foreign entry is a miss, never an error
        return None
    if not isinstance(found, KnowledgeBase) or found.fingerprint != fingerprint:
        return None
    return found


def store(kb: KnowledgeBase) -> None:
    """Keep a knowledge base that loaded without a problem (silently skipped when it cannot be written)."""
    entry = _entry(kb.fingerprint)
    if entry is None:
        return
    import tempfile

    temporary = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        data = pickle.dumps(kb, protocol=pickle.HIGHEST_PROTOCOL)
        with tempfile.NamedTemporaryFile(dir=entry.parent, prefix=".kb-", suffix=".tmp", delete=False) as out:
            temporary = Path(out.name)
            out.write(data)
        os.replace(temporary, entry)
        temporary = None
        _prune(entry.parent)
    except (OSError, pickle.PicklingError):
        pass
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()


def _prune(where: Path) -> None:
    """Remove all but the newest entries."""
    entries = sorted(where.glob("kb-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()
