"""The knowledge-base cache holds data, not code, and only trusted data (issue 12).

The red team planted a pickle at the key (it ran as the next user, on every
run), a FIFO (every run hung), and entries in shared or world-writable cache
directories. Each is replayed here: no code runs, nothing hangs, and no entry
that the user does not own, in a directory others may write to, can change an
answer. The round trip (what is cached is what was loaded, origins included)
is checked for the bundled knowledge base, an edited one, and a class the
schema does not have, to show the serializer needs no code for new spec classes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import pickle
import shutil
from pathlib import Path
from typing import Any, Literal

import attrs
import pytest
from helpers import append, edit, within

from pnet_expert import KnowledgeBase, load_knowledge_base, recommend
from pnet_expert.core.diagnostics import Origin
from pnet_expert.core.schema import AnyOf, CountTest, FactTest
from pnet_expert.knowledge import cache, serial

CASE = {"tumor_type": "gastrinoma", "tumors": [{"site": "duodenum"}], "spread": ["liver"]}


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache directory for this test (made by the first load)."""
    where = tmp_path / "cache"
    monkeypatch.setenv("PNET_EXPERT_CACHE_DIR", str(where))
    return where


class _Payload:
    """Unpickled, it creates a file: what a planted entry would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def _entry(cache_dir: Path, kb_dir: Path) -> tuple[KnowledgeBase, Path]:
    """Load a knowledge base once (filling the cache): it and its one entry."""
    kb = load_knowledge_base(kb_dir)
    (entry,) = cache_dir.glob("kb-*.json")
    return kb, entry


def _other_entry(cache_dir: Path, kb_copy: Path, tmp_path: Path) -> bytes:
    """The entry of another knowledge base (GAS-01 offers chemotherapy), as a planted entry would hold it."""
    other = tmp_path / "other-kb"
    shutil.copytree(kb_copy, other)
    edit(other / "rules" / "gastrinoma.yaml", "treatment: supportive_care", "treatment: chemotherapy")
    before = set(cache_dir.glob("kb-*.json"))
    load_knowledge_base(other)
    (entry,) = set(cache_dir.glob("kb-*.json")) - before
    return entry.read_bytes()


def _body(entry: Path) -> dict[str, Any]:
    """An entry's JSON (after its signature line)."""
    return json.loads(entry.read_bytes().partition(b"\n")[2])


def _signed(cache_dir: Path, entry: Path, data: dict[str, Any]) -> None:
    """Write an entry signed with the user's key: as the user's own pnet_expert (another version) would."""
    body = json.dumps(data, separators=(",", ":")).encode()
    key = (cache_dir / "key").read_bytes()
    entry.write_bytes(hmac.new(key, body, hashlib.sha256).hexdigest().encode() + b"\n" + body)


def _from_cache(kb_dir: Path) -> bool:
    """Whether the next load of ``kb_dir`` is served from the cache (it then never parses YAML)."""
    from pnet_expert.knowledge import loader

    served = []
    original = loader._check

    def check(*args: object) -> KnowledgeBase:
        served.append(False)
        return original(*args)  # type: ignore[arg-type]

    loader._check = check  # type: ignore[assignment]
    try:
        load_knowledge_base(kb_dir)
    finally:
        loader._check = original
    return not served


# ---------------------------------------------------------------- data, not code


def test_a_planted_pickle_runs_nothing(cache_dir: Path, kb_copy: Path, tmp_path: Path) -> None:
    """A pickle written at the key (the old format) is not unpickled: no code runs, the files are loaded."""
    kb, entry = _entry(cache_dir, kb_copy)
    marker = tmp_path / "PWNED"
    for name in (entry, entry.with_suffix(".pickle")):
        name.write_bytes(pickle.dumps(_Payload(marker)))
    again = load_knowledge_base(kb_copy)
    assert not marker.exists()
    assert again.fingerprint == kb.fingerprint
    assert recommend(CASE, again).fired_rules == recommend(CASE, kb).fired_rules


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_planted_fifo_is_not_waited_on(cache_dir: Path, kb_copy: Path) -> None:
    """A FIFO at the key hung every run; it is not a regular file, so it is a miss, and replaced."""
    kb, entry = _entry(cache_dir, kb_copy)
    entry.unlink()
    os.mkfifo(entry)
    assert within(10, lambda: load_knowledge_base(kb_copy)).fingerprint == kb.fingerprint
    assert entry.is_file()


def test_an_entry_for_other_files_changes_no_answer(cache_dir: Path, kb_copy: Path, tmp_path: Path) -> None:
    """Another knowledge base's entry at this key: its fingerprint is not these files', so it is a miss."""
    kb, entry = _entry(cache_dir, kb_copy)
    entry.write_bytes(_other_entry(cache_dir, kb_copy, tmp_path))
    again = load_knowledge_base(kb_copy)
    assert [o.id for o in recommend(CASE, again).treatments] == [o.id for o in recommend(CASE, kb).treatments]
    assert again.rules["GAS-01"].offers == kb.rules["GAS-01"].offers


def test_a_planted_entry_that_would_change_an_answer_is_a_miss(cache_dir: Path, kb_copy: Path) -> None:
    """The entry's own JSON changed (GAS-01 offers chemotherapy), fingerprint and code kept: not signed
    with the user's key, so it is not read, and the answer stays the files' answer."""
    kb, entry = _entry(cache_dir, kb_copy)
    signature, _, body = entry.read_bytes().partition(b"\n")
    planted = body.replace(b'"treatment":"supportive_care"', b'"treatment":"chemotherapy"')
    assert planted != body
    for forged in (signature + b"\n" + planted, planted):
        entry.write_bytes(forged)
        assert not _from_cache(kb_copy)
        again = load_knowledge_base(kb_copy)
        assert [o.treatment for o in again.rules["GAS-01"].offers] == ["supportive_care"]
        assert [o.id for o in recommend(CASE, again).treatments] == [
            o.id for o in recommend(CASE, kb).treatments
        ]


def test_an_entry_made_by_other_code_changes_no_answer(cache_dir: Path, kb_copy: Path) -> None:
    """An entry whose code digest is not this loader's (another version, edited code) is a miss."""
    _, entry = _entry(cache_dir, kb_copy)
    data = _body(entry)
    data["code"] = "0" * 64
    _signed(cache_dir, entry, data)
    assert not _from_cache(kb_copy)


def test_an_entry_that_does_not_fit_the_schema_is_a_miss(cache_dir: Path, kb_copy: Path) -> None:
    """Read back strictly by the type hints: a strength that is a number, an unknown class, are no entry."""
    _, entry = _entry(cache_dir, kb_copy)
    good = _body(entry)
    _signed(cache_dir, entry, good)
    assert _from_cache(kb_copy)  # signed as the user's pnet_expert signs: read back
    for path, bad in ((("rules", "GAS-01", "strength"), 7), (("rules", "GAS-01", "$"), "Popen")):
        data = json.loads(json.dumps(good))
        data["kb"][path[0]][path[1]][path[2]] = bad
        _signed(cache_dir, entry, data)
        assert not _from_cache(kb_copy)


def test_the_key_is_private(cache_dir: Path, kb_copy: Path) -> None:
    """The signing key is readable by the user alone; one that others may read is not trusted (made anew)."""
    _entry(cache_dir, kb_copy)
    key = cache_dir / "key"
    assert (key.stat().st_mode & 0o777, len(key.read_bytes())) == (0o600, 32)
    key.chmod(0o644)
    assert not _from_cache(kb_copy)


def test_an_entry_past_its_size_is_not_read(cache_dir: Path, kb_copy: Path) -> None:
    """An entry over the limit (cache_entry_bytes) is a miss, without reading it."""
    _, entry = _entry(cache_dir, kb_copy)
    with open(entry, "r+b") as handle:
        handle.truncate(cache.CACHE_ENTRY_BYTES + 1)
    assert not _from_cache(kb_copy)


# ---------------------------------------------------------------- only from the user's own directory


def test_a_world_writable_directory_is_not_used(
    cache_dir: Path, kb_copy: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A shared cache directory (mode 0777): no entry is read or written there; a debug line says why."""
    kb, entry = _entry(cache_dir, kb_copy)
    entry.write_bytes(_other_entry(cache_dir, kb_copy, tmp_path))
    cache_dir.chmod(0o777)
    with caplog.at_level(logging.DEBUG, logger="pnet_expert"):
        assert not _from_cache(kb_copy)
    assert "others may write to it" in caplog.text
    for old in cache_dir.glob("kb-*.json"):
        old.unlink()
    load_knowledge_base(kb_copy)
    assert not list(cache_dir.glob("kb-*"))
    assert recommend(CASE, load_knowledge_base(kb_copy)).fired_rules == recommend(CASE, kb).fired_rules


def test_a_group_writable_entry_is_not_read(cache_dir: Path, kb_copy: Path) -> None:
    """An entry others may write to could have been changed by them: a miss."""
    _, entry = _entry(cache_dir, kb_copy)
    entry.chmod(0o620)
    assert not _from_cache(kb_copy)


def test_a_directory_that_is_a_symbolic_link_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kb_copy: Path
) -> None:
    """The cache directory must be a directory, not a link to one (someone else's, perhaps)."""
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "cache-link"
    link.symlink_to(real)
    monkeypatch.setenv("PNET_EXPERT_CACHE_DIR", str(link))
    load_knowledge_base(kb_copy)
    assert not list(real.iterdir())


def test_an_entry_that_is_a_symbolic_link_is_not_read(cache_dir: Path, kb_copy: Path) -> None:
    """An entry linked to a file elsewhere (whoever wrote that) is a miss."""
    _, entry = _entry(cache_dir, kb_copy)
    elsewhere = cache_dir.parent / "elsewhere.json"
    entry.rename(elsewhere)
    entry.symlink_to(elsewhere)
    assert not _from_cache(kb_copy)


def _owned_by_another_user(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``path`` another user's: chown as root; otherwise the system's answer is played by
    ``os.fstat``, which reports that file (and only it) as owned by another user id."""
    if os.name == "posix" and os.geteuid() == 0:
        os.chown(path, 65534, 65534)
        return
    inode = path.stat().st_ino
    real_fstat = os.fstat

    def fstat(fd: int) -> os.stat_result:
        info = real_fstat(fd)
        if info.st_ino != inode:
            return info
        fields = list(info[:10])
        fields[4] = info.st_uid + 1  # st_uid
        return os.stat_result(fields)

    monkeypatch.setattr(os, "fstat", fstat)


def test_a_directory_owned_by_another_user_is_not_used(
    cache_dir: Path, kb_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache directory another user owns (made in a shared place first, say): not used."""
    _entry(cache_dir, kb_copy)
    _owned_by_another_user(cache_dir, monkeypatch)
    assert not _from_cache(kb_copy)


def test_an_entry_owned_by_another_user_is_not_read(
    cache_dir: Path, kb_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry another user owns, in the user's own directory: not read."""
    _, entry = _entry(cache_dir, kb_copy)
    _owned_by_another_user(entry, monkeypatch)
    assert not _from_cache(kb_copy)


def test_a_trusted_entry_is_used(cache_dir: Path, kb_copy: Path) -> None:
    """The user's own directory (0700) and entry (0600): the next load comes from the cache."""
    _entry(cache_dir, kb_copy)
    assert _from_cache(kb_copy)


# ---------------------------------------------------------------- the round trip


def _same(a: KnowledgeBase, b: KnowledgeBase) -> None:
    """Two knowledge bases hold the same knowledge, down to where each thing was written."""
    assert serial.to_data(attrs.evolve(a, root="")) == serial.to_data(attrs.evolve(b, root=""))
    for name in ("facts", "treatments", "findings", "sections", "rules"):
        assert getattr(a, name) == getattr(b, name)
    assert a.ranks == b.ranks
    assert [r.origin for r in a.rules.values()] == [r.origin for r in b.rules.values()]


def test_the_bundled_knowledge_base_comes_back_the_same(kb: KnowledgeBase) -> None:
    """What the cache stores is what was loaded: every spec, every origin, every order."""
    data = json.loads(json.dumps(serial.to_data(kb)))
    _same(serial.from_data(KnowledgeBase, data), kb)


def test_an_edited_knowledge_base_comes_back_the_same(cache_dir: Path, kb_copy: Path) -> None:
    """A tumor's grade added in facts.yaml and counted by a finding: loaded, then cached, the same."""
    edit(
        kb_copy / "facts.yaml",
        "      - id: size\n",
        "      - id: grade\n        required: false\n        label: grade\n"
        "        question: What grade is tumor {n}?\n"
        "        values:\n          low: low\n          high: high\n"
        "      - id: size\n",
    )
    append(
        kb_copy / "findings.yaml",
        "\n  - id: high_grade\n    label: a high-grade tumor\n    rule:\n      id: FND-40\n      when:\n"
        "        - count: tumors\n          where: {grade: high}\n          at_least: 1\n",
    )
    loaded = load_knowledge_base(kb_copy)
    assert _from_cache(kb_copy)
    cached = load_knowledge_base(kb_copy)
    assert cached is not loaded
    _same(cached, loaded)
    case = {"tumor_type": "insulinoma", "tumors": [{"site": "body", "grade": "high"}]}
    assert recommend(case, cached).to_dict() == recommend(case, loaded).to_dict()


@attrs.frozen
class _Caution:
    """A spec class the schema does not have (as issue 11 adds some): stored with no cache code."""

    id: str
    level: Literal["note", "warning"]
    applies: tuple[FactTest | CountTest | AnyOf, ...]
    counts: tuple[tuple[str, int], ...]
    by_section: dict[str, tuple[str, ...]]
    reading: str | None = None
    origin: Origin = attrs.field(default=Origin("x.yaml", 1), eq=False, kw_only=True)


def test_a_new_spec_class_needs_no_cache_code() -> None:
    """Any attrs class whose fields use the schema's kinds of type round-trips, unions and origins too."""
    caution = _Caution(
        "CAU-01",
        "warning",
        (
            FactTest("resectable", "is", (False,)),
            AnyOf((CountTest("tumors", (("site", ("head",)),), at_least=2),)),
        ),
        (("tumors", 2),),
        {"insulinoma": ("INS-01", "INS-02")},
        origin=Origin("cautions.yaml", 4, 5),
    )
    back = serial.from_data(_Caution, json.loads(json.dumps(serial.to_data(caution))))
    assert back == caution
    assert back.origin == Origin("cautions.yaml", 4, 5)
    with pytest.raises(serial.NotTheData):
        serial.from_data(_Caution, {**serial.to_data(caution), "level": "danger"})
