"""Fixtures: the bundled knowledge base, a tiny one for unit tests; caches kept out of the user's home."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from pnet_expert import KnowledgeBase, load_knowledge_base
from pnet_expert.knowledge.loader import bundled_path

_SCRATCH = pytest.StashKey[str]()


def _cache_env(scratch: str) -> dict[str, str]:
    return {
        "PNET_EXPERT_CACHE_DIR": os.path.join(scratch, "kb-cache"),
        "XDG_CACHE_HOME": os.path.join(scratch, "xdg-cache"),
    }


def pytest_configure(config: pytest.Config) -> None:
    """Keep the suite out of the user's caches, from before any test module loads a knowledge base, and
    its text at the width of a pipe (88 columns).

    The knowledge-base cache and every other per-user cache (XDG_CACHE_HOME: pip's
    too, in the packaging tests) point into one temporary directory for the run;
    child processes inherit it.
    """
    scratch = tempfile.mkdtemp(prefix="pnet-expert-tests-")
    config.stash[_SCRATCH] = scratch
    os.environ.update(_cache_env(scratch))
    # Text is wrapped to COLUMNS when it is set, and coloured unless NO_COLOR is: a
    # developer's shell must not change what the tests read (a test sets them itself).
    # GNU readline, once imported, sets COLUMNS and LINES behind os.environ's back, where
    # child processes see them: unset them there too.
    for name in ("COLUMNS", "LINES", "NO_COLOR"):
        os.environ.pop(name, None)
        os.unsetenv(name)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the run's temporary caches."""
    scratch = config.stash.get(_SCRATCH, None)
    if scratch:
        shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture(autouse=True)
def _private_caches(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts with its caches in the run's temporary directory (it may point them elsewhere)."""
    for name, value in _cache_env(request.config.stash[_SCRATCH]).items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The bundled knowledge base."""
    return load_knowledge_base()


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A fresh copy of the bundled knowledge base, to break or edit."""
    target = tmp_path / "kb"
    shutil.copytree(bundled_path(), target, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    return target


TINY_RULES = """\
section:
  id: gastrinoma
  title: Gastrinoma
  heading: Gastrinoma
  kind: type
  applies_when:
    - {fact: tumor_type, is: gastrinoma}
rules:
  - id: GAS-01
    when: []
    offers: [{treatment: supportive_care}]
    strength: may include
    quote: "Treatment of gastrinoma may include supportive care and the following:"
  - id: GAS-02
    when:
      - {fact: acid_symptoms, is: true}
    offers: [{treatment: acid_reducing_drug}]
    strength: may include
    quote: >-
      For symptoms caused by too much stomach acid, treatment may be a drug that
      decreases the amount of acid made by the stomach.
  - id: GAS-09
    when:
      - finding: liver_metastases
    offers: [{treatment: chemoembolization}]
    strength: may include
    quote: "If the cancer has spread to the liver, treatment may include:"
"""


@pytest.fixture
def tiny_kb_dir(kb_copy: Path) -> Path:
    """A knowledge base with one section and three rules (GAS-01, GAS-02, GAS-09), and no cautions."""
    for file in (kb_copy / "rules").glob("*.yaml"):
        file.unlink()
    (kb_copy / "cautions.yaml").unlink()  # its exempt rules are gone (and cautions.yaml is optional)
    (kb_copy / "readings.yaml").unlink()  # most of the rules they bear on are gone (it is optional too)
    findings = kb_copy / "findings.yaml"
    findings.write_text(re.sub(r"(?m)^ +readings: \[.*\]\n", "", findings.read_text()))
    (kb_copy / "rules" / "gastrinoma.yaml").write_text(TINY_RULES)
    source = (kb_copy / "source.yaml").read_text()
    start = source.index("sections:")
    end = source.index("\n", start)
    (kb_copy / "source.yaml").write_text(source[:start] + "sections: [gastrinoma]" + source[end:])
    return kb_copy


@pytest.fixture
def tiny_kb(tiny_kb_dir: Path) -> KnowledgeBase:
    """The three-rule knowledge base, loaded."""
    return load_knowledge_base(tiny_kb_dir)
