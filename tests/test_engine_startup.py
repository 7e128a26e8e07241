"""Start-up: import only what a command needs; the knowledge base cache is safe and never required."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import pnet_expert
from pnet_expert import KnowledgeBaseError, load_knowledge_base, recommend
from pnet_expert.knowledge import cache

pytestmark = pytest.mark.slow
"""Every test here starts a process (or a browser, or a terminal)."""


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache directory for this test."""
    where = tmp_path / "cache"
    monkeypatch.setenv("PNET_EXPERT_CACHE_DIR", str(where))
    return where


def _python(code: str, cache_dir: Path) -> str:
    env = dict(os.environ, PNET_EXPERT_CACHE_DIR=str(cache_dir))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return done.stdout.strip()


def test_importing_the_package_or_the_command_line_loads_nothing_heavy(cache_dir: Path) -> None:
    """`import pnet_expert.cli` imports neither experta, nor PyYAML, nor the engine or the explanations."""
    out = _python(
        "import sys, pnet_expert, pnet_expert.cli\n"
        "heavy = ['experta', 'yaml', 'jinja2', 'pnet_expert.engine.compiler',\n"
        "         'pnet_expert.explain.consultation', 'pnet_expert.knowledge.loader']\n"
        "print([m for m in heavy if m in sys.modules])\n",
        cache_dir,
    )
    assert out == "[]"


def test_every_public_name_is_still_importable() -> None:
    """The package's public names import from it as before, and are listed by dir()."""
    from pnet_expert import (  # noqa: F401
        CaseError,
        Consultation,
        KnowledgeBaseError,
        Patient,
        Tumor,
        load_knowledge_base,
        recommend,
    )

    assert set(pnet_expert.__all__) <= set(dir(pnet_expert))
    for name in pnet_expert.__all__:
        assert getattr(pnet_expert, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = pnet_expert.nothing_here  # type: ignore[attr-defined]


def test_a_second_process_reads_the_knowledge_base_from_the_cache(cache_dir: Path) -> None:
    """The first load writes one entry; the next process reads it without importing PyYAML or the parser."""
    first = _python(
        "from pnet_expert import load_knowledge_base; print(load_knowledge_base().fingerprint)", cache_dir
    )
    assert len(list(cache_dir.glob("kb-*.json"))) == 1
    second = _python(
        "import sys\n"
        "from pnet_expert import load_knowledge_base, recommend\n"
        "kb = load_knowledge_base()\n"
        "parsed = 'yaml' in sys.modules, 'pnet_expert.knowledge.parse' in sys.modules\n"
        "print(kb.fingerprint, *parsed, len(kb.rules))\n",
        cache_dir,
    )
    assert second == f"{first} False False {len(load_knowledge_base().rules)}"


def test_a_cached_knowledge_base_is_the_same_knowledge(cache_dir: Path, kb_copy: Path) -> None:
    """Loaded from the cache, a knowledge base consults exactly as when loaded from its files."""
    loaded = load_knowledge_base(kb_copy)
    cached = load_knowledge_base(kb_copy)
    assert len(list(cache_dir.glob("kb-*.json"))) == 1
    assert cached is not loaded
    assert cached.fingerprint == loaded.fingerprint
    assert cached.root == str(kb_copy)
    case = {
        "tumor_type": "gastrinoma",
        "tumors": [{"site": "duodenum"}],
        "spread": ["liver"],
        "recurrent": True,
    }
    assert recommend(case, cached).to_dict() == recommend(case, loaded).to_dict()


def test_any_change_to_a_file_is_a_new_entry(cache_dir: Path, kb_copy: Path) -> None:
    """Edit one rule: the next load sees the edit (never a stale cached knowledge base)."""
    before = load_knowledge_base(kb_copy)
    rules = kb_copy / "rules" / "gastrinoma.yaml"
    rules.write_text(
        rules.read_text().replace("{fact: acid_symptoms, is: true}", "{fact: acid_symptoms, is: false}")
    )
    after = load_knowledge_base(kb_copy)
    assert after.fingerprint != before.fingerprint
    assert "GAS-02" in recommend({"tumor_type": "gastrinoma", "acid_symptoms": False}, after).fired_rules
    assert len(list(cache_dir.glob("kb-*.json"))) == 2


def test_the_same_files_elsewhere_keep_their_own_root(cache_dir: Path, kb_copy: Path, tmp_path: Path) -> None:
    """A cache entry is keyed by content; the root a knowledge base reports is where it was loaded from."""
    import shutil

    other = tmp_path / "elsewhere"
    shutil.copytree(kb_copy, other)
    load_knowledge_base(kb_copy)
    assert load_knowledge_base(other).root == str(other)


def test_a_corrupt_or_foreign_entry_is_a_miss(cache_dir: Path, kb_copy: Path, tmp_path: Path) -> None:
    """Garbage, or another knowledge base's entry under the entry's name, is ignored and replaced."""
    import shutil

    kb = load_knowledge_base(kb_copy)
    (entry,) = cache_dir.glob("kb-*.json")
    entry.write_bytes(b"not an entry")
    assert load_knowledge_base(kb_copy).fingerprint == kb.fingerprint
    edited = tmp_path / "edited"
    shutil.copytree(kb_copy, edited)
    (edited / "rules" / "other.yaml").write_text(
        (edited / "rules" / "other.yaml").read_text() + "\n# edited\n"
    )
    load_knowledge_base(edited)
    (other,) = set(cache_dir.glob("kb-*.json")) - {entry}
    entry.write_bytes(other.read_bytes())
    again = load_knowledge_base(kb_copy)
    assert again.fingerprint == kb.fingerprint
    assert len(again.rules) == len(kb.rules)


def test_a_knowledge_base_with_a_problem_is_never_cached(cache_dir: Path, kb_copy: Path) -> None:
    """A broken knowledge base raises every time, and leaves nothing in the cache."""
    rules = kb_copy / "rules" / "gastrinoma.yaml"
    rules.write_text(rules.read_text().replace("treatment: supportive_care", "treatment: suportive_care"))
    for _ in range(2):
        with pytest.raises(KnowledgeBaseError, match="suportive_care"):
            load_knowledge_base(kb_copy)
    assert not list(cache_dir.glob("kb-*"))


def test_the_cache_is_never_required(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kb_copy: Path) -> None:
    """Turned off, or pointing at a place that cannot be a directory, the knowledge base still loads."""
    monkeypatch.setenv("PNET_EXPERT_CACHE_DIR", "")
    assert cache.directory() is None
    assert load_knowledge_base(kb_copy).rules
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("PNET_EXPERT_CACHE_DIR", str(blocked / "cache"))
    assert load_knowledge_base(kb_copy).rules


def test_entries_are_written_whole(cache_dir: Path, kb_copy: Path) -> None:
    """Written to a temporary file and renamed: no temporary file is left, the entry is JSON, private."""
    kb = load_knowledge_base(kb_copy)
    assert not list(cache_dir.glob(".kb-*"))
    (entry,) = cache_dir.glob("kb-*.json")
    assert json.loads(entry.read_bytes().partition(b"\n")[2])["fingerprint"] == kb.fingerprint
    assert entry.stat().st_mode & 0o777 == 0o600
    assert cache_dir.stat().st_mode & 0o777 == 0o700


def test_the_cache_keeps_the_newest_entries(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch, kb_copy: Path
) -> None:
    """Beyond KEEP entries, the oldest are removed."""
    monkeypatch.setattr(cache, "KEEP", 2)
    rules = kb_copy / "rules" / "gastrinoma.yaml"
    text = rules.read_text()
    for n in range(4):
        rules.write_text(text + f"\n# edit {n}\n")
        load_knowledge_base(kb_copy)
    assert len(list(cache_dir.glob("kb-*.json"))) == 2
