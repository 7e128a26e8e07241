"""Load a knowledge base directory into a checked :class:`KnowledgeBase`.

Every file is read and checked before any engine exists, and every problem is
reported at once, each with ``file:line:col`` and the id it belongs to. The
bundled knowledge base is loaded once per process and shared.

A knowledge base that loaded without a problem is cached (``cache.py``), keyed
by its files' fingerprint and by the loader's code: the next process reads it
back instead of parsing and checking the YAML again, and does not even import
PyYAML or the parser. Any change to a file is a miss; the cache is never needed.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import attrs

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic, Origin
from pnet_expert.core.errors import KnowledgeBaseError
from pnet_expert.core.limits import KB_RULE_FILES, exceeded
from pnet_expert.core.schema import (
    CautionSpec,
    ConstraintSpec,
    FactSpec,
    FindingSpec,
    KnowledgeBase,
    QualifierSpec,
    ReadingSpec,
    RuleSpec,
    SectionSpec,
    StrengthSpec,
    TreatmentSpec,
)
from pnet_expert.files.safe_read import ReadProblem, read_text
from pnet_expert.knowledge import cache

if TYPE_CHECKING:
    import yaml

    from pnet_expert.knowledge.nodes import Problems, Reader

FILES = ("source.yaml", "vocabulary.yaml", "facts.yaml", "treatments.yaml", "findings.yaml")
OPTIONAL_FILES = ("cautions.yaml", "readings.yaml")
"""Files a knowledge base may leave out: without cautions.yaml it has no cautions, without
readings.yaml no readings (a copy made by ``kb init`` before they existed still loads)."""
RULES_DIR = "rules"
SOURCE_DIR = "source"
SOURCE_SUFFIXES = (".md", ".txt")
"""The source text lives in the knowledge base's ``source/`` folder, as Markdown or plain text:
every such file there is part of the knowledge base (and of its fingerprint), and source.yaml's
``source.file`` names the one it encodes."""

T = TypeVar("T")


def bundled_path() -> Path:
    """Where the knowledge base shipped with the package lives.

    Installed, it is the package ``pnet_expert.knowledge_base`` (setup.cfg maps the
    top-level ``knowledge_base/`` there); run from a source checkout that was not
    installed, it is the checkout's own ``knowledge_base/``.
    """
    # importlib.util.find_spec, not importlib.resources: the same folder, without
    # importing resources' tempfile, shutil, zipfile and friends at start-up.
    spec = importlib.util.find_spec("pnet_expert.knowledge_base")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(__file__).resolve().parents[2] / "knowledge_base"


_default_lock = threading.Lock()


@functools.cache
def _bundled() -> KnowledgeBase:
    return _load(bundled_path())


def load_knowledge_base(path: str | Path | None = None) -> KnowledgeBase:
    """Load and check a knowledge base: the bundled one, or the copy at ``path``.

    Raises :class:`KnowledgeBaseError` listing every problem found.
    """
    if path is None:
        with _default_lock:
            return _bundled()
    return _load(Path(path))


def _load(root: Path) -> KnowledgeBase:
    if not root.is_dir():
        message = "no knowledge base here (not a directory)"
        raise KnowledgeBaseError([Diagnostic(codes.KB_NOT_A_DIRECTORY, str(root), message)])
    texts: dict[str, str] = {}
    missing: list[Diagnostic] = []
    for name in FILES:
        if not os.path.lexists(root / name):
            missing.append(Diagnostic(codes.KB_FILE_MISSING, "", "file is missing", origin=Origin(name, 1)))
            continue
        _read_into(texts, missing, root, name)
    for name in OPTIONAL_FILES:
        if os.path.lexists(root / name):
            _read_into(texts, missing, root, name)
    rules = root / RULES_DIR
    rule_files = sorted(rules.glob("*.yaml")) if rules.is_dir() and not rules.is_symlink() else []
    if not rule_files:
        message = "no rule files (rules/*.yaml)"
        missing.append(Diagnostic(codes.KB_NO_RULE_FILES, "", message, origin=Origin(RULES_DIR, 1)))
    if len(rule_files) > KB_RULE_FILES:
        message = exceeded("kb_rule_files", f"{len(rule_files):,} files")
        missing.append(Diagnostic(codes.KB_PAST_LIMIT, "", message, origin=Origin(RULES_DIR, 1)))
        rule_files = []
    for file in rule_files:
        _read_into(texts, missing, root, f"{RULES_DIR}/{file.name}")
    for file in _source_files(root):
        _read_into(texts, missing, root, f"{SOURCE_DIR}/{file.name}")
    fingerprint = _fingerprint(texts)
    if not missing:
        cached = cache.load(fingerprint)
        if cached is not None:
            return attrs.evolve(cached, root=str(root))
    kb = _check(root, texts, missing, fingerprint)
    cache.store(kb)
    return kb


_READ_CODES = {codes.FILE_NOT_REGULAR: codes.KB_NOT_REGULAR, codes.FILE_IS_A_DIRECTORY: codes.KB_NOT_REGULAR}


def _read_into(texts: dict[str, str], problems: list[Diagnostic], root: Path, name: str) -> None:
    """Read one file of the knowledge base into ``texts``, or record why it cannot be read.

    Only a regular file inside the knowledge base's folder is read, up to
    ``kb_file_bytes``: a symbolic link may point to another file of the
    knowledge base, never out of it (a link to /etc/passwd would have its lines
    quoted back in error messages), and a FIFO or a device is refused before
    it is opened for long.
    """
    path = root / name
    origin = Origin(name, 1)
    if path.is_symlink():
        try:
            inside = path.resolve(strict=True).is_relative_to(root.resolve(strict=True))
        except (OSError, RuntimeError):  # a link to nothing, or a loop of links
            message = "cannot be read: a symbolic link to nothing"
            problems.append(Diagnostic(codes.KB_UNREADABLE, "", message, origin=origin))
            return
        if not inside:
            message = "is a symbolic link out of the knowledge base's folder: it is not read"
            hint = "copy the file into the knowledge base instead"
            problems.append(Diagnostic(codes.KB_NOT_REGULAR, "", message, origin=origin, hint=hint))
            return
    try:
        texts[name] = read_text(path, "kb_file_bytes")
    except ReadProblem as exc:
        code = _READ_CODES.get(exc.code, codes.KB_UNREADABLE)
        problems.append(Diagnostic(code, "", exc.message, origin=origin, hint=exc.hint))


def _source_files(root: Path) -> list[Path]:
    """The files of the source folder that may hold the source text (Markdown or plain text)."""
    folder = root / SOURCE_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in SOURCE_SUFFIXES)


def _check(root: Path, texts: dict[str, str], missing: list[Diagnostic], fingerprint: str) -> KnowledgeBase:
    """Parse and check every file; raise KnowledgeBaseError listing every problem."""
    from pnet_expert.files.strict_yaml import YamlSyntaxError, compose
    from pnet_expert.knowledge import parse
    from pnet_expert.knowledge.bounds import check_sizes
    from pnet_expert.knowledge.crosscheck import CrossCheck, unique
    from pnet_expert.knowledge.nodes import Problems, Reader

    problems = Problems()
    for diagnostic in missing:
        problems.add(diagnostic)

    def read(name: str, reader: Callable[[Reader, yaml.Node | None], T], empty: T) -> T:
        """One file read as one item: a problem that stops it leaves ``empty``."""
        if name not in texts:
            return empty
        try:
            node = compose(texts[name], name)
        except YamlSyntaxError as exc:
            problems.add(exc.diagnostic())
            return empty
        file = Reader(name, problems)
        found = file.item(functools.partial(reader, file, node))
        return empty if found is None else found

    no_vocabulary: tuple[tuple[StrengthSpec, ...], tuple[QualifierSpec, ...]] = ((), ())
    no_facts: tuple[list[FactSpec], list[ConstraintSpec]] = ([], [])
    no_treatments: list[TreatmentSpec] = []
    no_findings: list[FindingSpec] = []
    no_rules: tuple[SectionSpec | None, list[RuleSpec]] = (None, [])
    source = read("source.yaml", parse.source_file, None)
    strengths, qualifiers = read("vocabulary.yaml", parse.vocabulary_file, no_vocabulary)
    fact_list, constraints = read("facts.yaml", parse.facts_file, no_facts)
    treatment_list = read("treatments.yaml", parse.treatments_file, no_treatments)
    finding_list = read("findings.yaml", parse.findings_file, no_findings)
    no_cautions: list[CautionSpec] = []
    caution_list = read("cautions.yaml", parse.cautions_file, no_cautions)
    no_readings: list[ReadingSpec] = []
    reading_list = read("readings.yaml", parse.readings_file, no_readings)
    sections: list[SectionSpec] = []
    rule_list: list[RuleSpec] = []
    for name in texts:
        if name.startswith(f"{RULES_DIR}/"):
            section, rules = read(name, parse.rules_file, no_rules)
            if section is not None:
                sections.append(section)
            rule_list.extend(rules)

    unique(problems, ((f.id, f.origin) for f in fact_list), "fact")
    unique(problems, ((t.id, t.origin) for t in treatment_list), "treatment")
    unique(problems, ((f.id, f.origin) for f in finding_list), "finding")
    unique(problems, ((s.id, s.origin) for s in sections), "section")
    unique(
        problems,
        [(f.rule.id, f.rule.origin) for f in finding_list]
        + [(r.id, r.origin) for r in rule_list]
        + [(c.id, c.origin) for c in constraints]
        + [(c.id, c.origin) for c in caution_list],
        "rule",
    )
    unique(problems, ((x.id, x.origin) for x in reading_list), "reading")

    facts = {f.id: f for f in fact_list}
    findings = {f.id: f for f in finding_list}
    treatments = {t.id: t for t in treatment_list}
    check = CrossCheck(problems, facts, findings, treatments, strengths, qualifiers)
    check.fact_specs()
    check.finding_specs()
    check.section_specs(sections)
    check.rule_specs(rule_list)
    check.constraint_specs(constraints)
    check.caution_specs(caution_list, {r.id: r for r in rule_list})
    check_sizes(problems, fact_list, finding_list, rule_list, {s.id: s for s in sections})
    check.reading_specs(
        reading_list, finding_list, rule_list, caution_list, constraints, complete=not problems
    )
    if "tumor_type" not in facts and "facts.yaml" in texts:
        message = "the fact 'tumor_type' is required"
        problems.add(
            Diagnostic(codes.KB_TUMOR_TYPE_REQUIRED, "facts", message, origin=Origin("facts.yaml", 1))
        )

    source_text = None
    if source is not None:
        _check_section_list(problems, source.sections, sections)
        source_text = _source_text(problems, source.source.file, texts)
    if problems or source is None:  # source.yaml unread is a problem recorded (missing, or not read)
        raise KnowledgeBaseError(problems.items)
    return KnowledgeBase(
        name=source.name,
        version=source.version,
        source=source.source,
        disclaimer=source.disclaimer,
        strengths=strengths,
        qualifiers=qualifiers,
        facts=facts,
        treatments=treatments,
        findings=findings,
        sections={s.id: s for s in _section_order(sections, source.sections)},
        rules={r.id: r for r in _rule_order(rule_list, source.sections)},
        constraints=tuple(constraints),
        root=str(root),
        fingerprint=fingerprint,
        cautions=tuple(caution_list),
        readings={x.id: x for x in reading_list},
        source_text=source_text,
    )


def _source_text(problems: Problems, file: str | None, texts: dict[str, str]) -> str | None:
    """The text of the source file source.yaml names: a Markdown or text file of the source folder."""
    if file is None:
        return None
    inside = file.startswith(f"{SOURCE_DIR}/") and file.count("/") == 1
    if file in texts and inside:
        return texts[file]
    if inside and Path(file).suffix in SOURCE_SUFFIXES and file not in texts:
        # named where it belongs but not there (a copy without its source/ folder): the knowledge
        # base still loads, with no source text; kb check says so (CHECK-W103) and --source can
        # stand in for it. A problem reading a file that is there was recorded as that file's.
        return None
    message = f"{file!r} is not a file of the knowledge base's {SOURCE_DIR}/ folder"
    hint = f"put the source text in {SOURCE_DIR}/ as a {' or '.join(SOURCE_SUFFIXES)} file, and name it here"
    problems.add(
        Diagnostic(codes.KB_SOURCE_FILE, "source.file", message, origin=Origin("source.yaml", 1), hint=hint)
    )
    return None


def _check_section_list(problems: Problems, listed: tuple[str, ...], sections: list[SectionSpec]) -> None:
    """source.yaml lists every section that has a rules file, and only those."""
    have = {s.id: s for s in sections}
    for section_id in listed:
        if section_id not in have:
            message = f"{section_id!r} has no rules/{section_id}.yaml"
            problems.add(
                Diagnostic(
                    codes.KB_SECTION_WITHOUT_FILE, "sections", message, origin=Origin("source.yaml", 1)
                )
            )
    for section in sections:
        if section.id not in listed:
            message = f"{section.id!r} is not listed in source.yaml's sections"
            problems.add(
                Diagnostic(codes.KB_SECTION_NOT_LISTED, "section.id", message, origin=section.origin)
            )
        if f"{RULES_DIR}/{section.id}.yaml" != section.origin.file:
            message = f"section {section.id!r} belongs in rules/{section.id}.yaml"
            problems.add(Diagnostic(codes.KB_SECTION_MISPLACED, "section.id", message, origin=section.origin))


def _section_order(sections: list[SectionSpec], listed: tuple[str, ...]) -> list[SectionSpec]:
    """The sections in the source's order, as source.yaml lists them."""
    rank = {s: i for i, s in enumerate(listed)}
    return sorted(sections, key=lambda s: rank.get(s.id, len(rank)))


def _rule_order(rules: list[RuleSpec], listed: tuple[str, ...]) -> list[RuleSpec]:
    """Rules grouped by section, in the source's order, each in its file's order."""
    rank = {s: i for i, s in enumerate(listed)}
    return sorted(rules, key=lambda r: rank.get(r.section, len(rank)))


def _fingerprint(texts: dict[str, str]) -> str:
    """A digest of every file's text: equal knowledge bases share it."""
    digest = hashlib.sha256()
    for name in sorted(texts):
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(texts[name].encode())
        digest.update(b"\0")
    return digest.hexdigest()
