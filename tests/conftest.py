"""Shared fixtures: the bundled knowledge base, a tiny one for unit tests, the workplace's shared files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from pnet_expert import KnowledgeBase, load_knowledge_base
from pnet_expert.knowledge.loader import bundled_path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
PUBLIC_CASES = SHARED / "cases" / "public.json"
SOURCE_TEXT = SHARED / "seeds" / "000_f9349a33ef4975a7.txt"
EXAMPLES = ROOT / "examples"


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
    """A knowledge base with one section and three rules (GAS-01, GAS-02, GAS-09)."""
    for file in (kb_copy / "rules").glob("*.yaml"):
        file.unlink()
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


def public_cases() -> list[dict[str, Any]]:
    """The workplace's public example cases ([] when they are not there)."""
    if not PUBLIC_CASES.is_file():
        return []
    return json.loads(PUBLIC_CASES.read_text())


def treatments_by_rule(result: dict[str, Any]) -> dict[str, list[str]]:
    """treatment id -> sorted rule ids, from a consultation's JSON (as check_cases.py compares)."""
    return {t["id"]: sorted({b["rule"] for b in t["because"]}) for t in result["treatments"]}
