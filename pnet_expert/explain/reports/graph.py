"""Reasoning diagrams: facts → findings → rules → treatments, as DOT or Mermaid text.

Two graphs are drawn the same way: a case's own reasoning (only what fired,
with the facts it rested on) and a section of the knowledge base (its facts,
findings, rules and treatments, wired by the rules' conditions and offers).
DOT text can be turned into SVG when Graphviz's ``dot`` is on the machine;
Mermaid text needs nothing at all, and renders in Markdown viewers that know it.

Drawn to be read: labels wrapped to a few words a line, so that a diagram is
about as wide as a page; each node may link to where the report explains it
(``links``: node id -> ``#rule-GAS-09``), and the links survive the SVG's
sanitising because they are checked to be links within a page.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Literal

import attrs

from pnet_expert.core.schema import CountTest, FactTest, FindingTest, KnowledgeBase, iter_tests

if TYPE_CHECKING:
    from pnet_expert.explain.consultation import Consultation

NodeKind = Literal["fact", "finding", "rule", "treatment"]
KINDS: tuple[NodeKind, ...] = ("fact", "finding", "rule", "treatment")

_DOT_STYLE = {
    "fact": 'shape=box, style="rounded,filled", fillcolor="#eef3fb"',
    "finding": 'shape=ellipse, style=filled, fillcolor="#fdf3e1"',
    "rule": 'shape=hexagon, style=filled, fillcolor="#e9f5ec"',
    "treatment": 'shape=box, style=filled, fillcolor="#f6e8f3"',
}
_MERMAID_SHAPE = {
    "fact": ('["', '"]'),
    "finding": ('(["', '"])'),
    "rule": ('{{"', '"}}'),
    "treatment": ('[["', '"]]'),
}


@attrs.frozen
class Node:
    """A box in the diagram: one fact, finding, rule or treatment."""

    id: str
    label: str
    kind: NodeKind


@attrs.frozen
class Step:
    """One node of a diagram in words: what leads into it and what it leads to.

    The same content as the picture, for readers without it (a report made on
    a machine without Graphviz, a screen reader, a printout in black and white).
    """

    node: Node
    inputs: tuple[Node, ...]
    outputs: tuple[Node, ...]


@attrs.frozen
class Graph:
    """Nodes and edges, in a stable order (the knowledge base's), ready to be drawn."""

    title: str
    nodes: tuple[Node, ...]
    edges: tuple[tuple[str, str], ...]

    def steps(self) -> tuple[Step, ...]:
        """Every finding and rule with its inputs and outputs, in the diagram's order."""
        by_id = {n.id: n for n in self.nodes}
        steps = []
        for node in self.nodes:
            if node.kind not in ("finding", "rule"):
                continue
            inputs = tuple(by_id[s] for s, d in self.edges if d == node.id and s in by_id)
            outputs = tuple(by_id[d] for s, d in self.edges if s == node.id and d in by_id)
            steps.append(Step(node, inputs, outputs))
        return tuple(steps)

    def to_svg(
        self, id_prefix: str = "g", timeout: float = 30.0, links: Mapping[str, str] | None = None
    ) -> str | None:
        """The diagram as inline SVG (Graphviz), safe to embed in HTML; None without ``dot``.

        Element ids get ``id_prefix`` so that several diagrams can share one page;
        ``links`` (node id -> ``#anchor``) make nodes links within the page.
        """
        svg = to_svg(self.to_dot(links), timeout)
        return None if svg is None else inline_svg(svg, id_prefix)

    def to_dot(self, links: Mapping[str, str] | None = None) -> str:
        """Graphviz DOT text, one rank per kind of node, left to right; ``links``: node id -> href."""
        lines = [
            f"digraph {_dot_id(self.title)} {{",
            "  rankdir=LR;",
            "  nodesep=0.15; ranksep=0.4;",
            '  graph [fontname="Helvetica", fontsize=11];',
            '  node [fontname="Helvetica", fontsize=10, margin="0.08,0.04"];',
            '  edge [color="#667788"];',
        ]
        for kind in KINDS:
            members = [n for n in self.nodes if n.kind == kind]
            if not members:
                continue
            lines.append(f"  subgraph cluster_{kind} {{")
            lines.append(f'    label="{kind}s"; style=dashed; color="#bbbbbb";')
            for n in members:
                href = (links or {}).get(n.id)
                link = f', href="{_dot_text(href)}", tooltip="{_dot_text(n.label)}"' if href else ""
                label = _dot_text(wrap_label(n.label))
                lines.append(f'    "{_key(n.id)}" [label="{label}", {_DOT_STYLE[kind]}{link}];')
            lines.append("  }")
        for src, dst in self.edges:
            lines.append(f'  "{_key(src)}" -> "{_key(dst)}";')
        lines.append("}")
        return "\n".join(lines) + "\n"

    def to_mermaid(self) -> str:
        """Mermaid flowchart text (``flowchart LR``)."""
        names = {n.id: f"n{i}" for i, n in enumerate(self.nodes)}
        lines = ["flowchart LR"]
        for n in self.nodes:
            left, right = _MERMAID_SHAPE[n.kind]
            lines.append(f"  {names[n.id]}{left}{_mermaid_text(n.label)}{right}")
        for src, dst in self.edges:
            lines.append(f"  {names[src]} --> {names[dst]}")
        for kind in KINDS:
            members = [names[n.id] for n in self.nodes if n.kind == kind]
            if members:
                lines.append(f"  class {','.join(members)} {kind}")
        lines.append("  classDef fact fill:#eef3fb,stroke:#557;")
        lines.append("  classDef finding fill:#fdf3e1,stroke:#a73;")
        lines.append("  classDef rule fill:#e9f5ec,stroke:#375;")
        lines.append("  classDef treatment fill:#f6e8f3,stroke:#735;")
        return "\n".join(lines) + "\n"


def dot_available() -> bool:
    """Whether Graphviz's ``dot`` is on this machine."""
    return shutil.which("dot") is not None


def to_svg(dot_text: str, timeout: float = 30.0) -> str | None:
    """Render DOT text to SVG with Graphviz, or None when ``dot`` is absent or fails."""
    dot = shutil.which("dot")
    if dot is None:
        return None
    try:
        done = subprocess.run(
            [dot, "-Tsvg"], input=dot_text, capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    svg = done.stdout
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else None


# A tag that is active, or a tag with an event handler or a link. Text inside
# the SVG is escaped by Graphviz, so every "<" here starts a real tag.
_UNSAFE_SVG = re.compile(
    r"<\s*/?\s*(script|foreignObject|iframe|object|embed|a|use|image|style)\b|<[^>]*\s(on\w+|[\w:]*href)\s*=",
    re.IGNORECASE,
)
# The one link allowed: Graphviz's own <a> around a node, to an anchor of the page (or of the
# report page beside a diagram's file), and nothing else in the tag.
_PAGE_LINK = re.compile(r'<a xlink:href="((?:[\w.-]+\.html)?#[\w.:-]+)" xlink:title="([^"<>]*)">')


def wrap_label(label: str, width: int = 24) -> str:
    """A node's label with each line wrapped to a few words (at spaces), so that diagrams stay narrow."""
    return "\n".join(
        "\n".join(textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False) or [""])
        for line in label.split("\n")
    )


def inline_svg(svg: str, id_prefix: str = "g") -> str | None:
    """Graphviz's SVG made fit to sit inside an HTML page, or None when it is not safe to.

    Comments go (they repeat node names), ids are prefixed, and the picture is
    marked as an image. Every label in it is escaped by Graphviz; as a second
    line of defence, an SVG holding anything active (a script, an event
    handler, a link other than a node's link within the page) is refused
    rather than embedded.
    """
    start = svg.find("<svg")
    if start < 0:
        return None
    body = re.sub(r"<!--.*?-->", "", svg[start:], flags=re.DOTALL)
    links: list[str] = []

    def keep(match: re.Match[str]) -> str:
        links.append(match.group(0))
        return f"\x00{len(links) - 1}\x00"

    checked = _PAGE_LINK.sub(keep, body).replace("</a>", "\x00/\x00")
    if _UNSAFE_SVG.search(checked):
        return None
    body = re.sub(r"\x00(\d+)\x00", lambda m: links[int(m.group(1))], checked).replace("\x00/\x00", "</a>")
    prefix = re.sub(r"[^\w-]", "_", id_prefix)
    body = re.sub(r'\bid="([^"]*)"', lambda m: f'id="{prefix}-{m.group(1)}"', body)
    body = body.replace("<svg ", '<svg role="img" ', 1)
    return "\n".join(line for line in body.splitlines() if line.strip()) + "\n"


def _fact_node(kb: KnowledgeBase, fact: str, value: object | None = None) -> Node:
    from pnet_expert.core.words import value_text

    spec = kb.facts[fact]
    label = f"{fact} = {value_text(value)}" if value is not None else f"{fact}\n{spec.label}"
    return Node(f"fact:{fact}", label, "fact")


def case_graph(c: Consultation) -> Graph:
    """One consultation's reasoning: facts used, findings derived, rules fired, options offered."""
    kb = c.kb
    nodes: dict[str, Node] = {}
    edges: dict[tuple[str, str], None] = {}
    for use in c.findings:
        finding_id = f"finding:{use.finding}"
        nodes[finding_id] = Node(finding_id, f"{use.finding}\n({use.rule})", "finding")
        for name in use.facts:
            fact = _fact_node(kb, name, c.patient.get(name))
            nodes.setdefault(fact.id, fact)
            edges[(fact.id, finding_id)] = None
    for option in c.treatments:
        treatment_id = f"treatment:{option.id}"
        nodes[treatment_id] = Node(treatment_id, f"{option.id}\n{option.strength}", "treatment")
        for reason in option.because:
            rule_id = f"rule:{reason.rule}"
            nodes.setdefault(rule_id, Node(rule_id, reason.rule, "rule"))
            edges[(rule_id, treatment_id)] = None
            for name in reason.own_facts:
                fact = _fact_node(kb, name, c.patient.get(name))
                nodes.setdefault(fact.id, fact)
                edges[(fact.id, rule_id)] = None
            for use in reason.findings:
                edges[(f"finding:{use.finding}", rule_id)] = None
    title = str(c.patient.to_dict().get("id") or c.patient.tumor_type)
    return Graph(title, _in_kb_order(kb, nodes.values()), tuple(edges))


def kb_graph(kb: KnowledgeBase, section: str | None = None, section_conditions: bool = True) -> Graph:
    """The whole knowledge base (or one section): facts → findings → rules → treatments.

    Without ``section_conditions`` a rule is wired to its own conditions only, not to
    its section's (the type of tumor), which every rule of a section shares: a
    section's diagram says that once, in words, instead of with an edge to each rule.
    """
    nodes: dict[str, Node] = {}
    edges: dict[tuple[str, str], None] = {}

    def uses(target: str, conditions: tuple[object, ...]) -> None:
        for t in iter_tests(conditions):  # type: ignore[arg-type]
            if isinstance(t, FactTest | CountTest):
                fact = _fact_node(kb, t.fact)
                nodes.setdefault(fact.id, fact)
                edges[(fact.id, target)] = None
            elif isinstance(t, FindingTest):
                edges[(f"finding:{t.finding}", target)] = None

    rules = [r for r in kb.rules.values() if section is None or r.section == section]
    needed = {t.finding for r in rules for t in iter_tests(kb.conditions_of(r)) if isinstance(t, FindingTest)}
    grown = True
    while grown:  # and the findings those findings chain on
        more = {
            t.finding
            for f in needed
            for t in iter_tests(kb.findings[f].rule.when)
            if isinstance(t, FindingTest) and t.finding not in needed
        }
        needed |= more
        grown = bool(more)
    for finding in kb.findings.values():
        if section is not None and finding.id not in needed:
            continue
        node_id = f"finding:{finding.id}"
        nodes[node_id] = Node(node_id, f"{finding.id}\n({finding.rule.id})", "finding")
        uses(node_id, finding.rule.when)
    for rule in rules:
        node_id = f"rule:{rule.id}"
        nodes[node_id] = Node(node_id, f"{rule.id}\n{rule.strength}", "rule")
        uses(node_id, kb.conditions_of(rule) if section_conditions else rule.when)
        for offer in rule.offers:
            treatment_id = f"treatment:{offer.treatment}"
            nodes.setdefault(treatment_id, Node(treatment_id, offer.treatment, "treatment"))
            edges[(node_id, treatment_id)] = None
    kept = tuple(e for e in edges if e[0] in nodes)
    return Graph(section or kb.name, _in_kb_order(kb, nodes.values()), kept)


def _in_kb_order(kb: KnowledgeBase, nodes: Iterable[Node]) -> tuple[Node, ...]:
    """Facts, findings, rules, treatments; each kind in the knowledge base's own order."""
    ranks = kb.ranks
    kb_order = {
        "fact": ranks.facts,
        "finding": ranks.findings,
        "rule": ranks.rules,
        "treatment": ranks.treatments,
    }

    def key(n: Node) -> tuple[int, int, str]:
        return (KINDS.index(n.kind), kb_order[n.kind].get(n.id.split(":", 1)[1], 0), n.id)

    return tuple(sorted(nodes, key=key))


def _key(node_id: str) -> str:
    return node_id.replace('"', "'")


def _dot_id(text: str) -> str:
    return "g_" + re.sub(r"\W", "_", text)


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;").replace("\n", "<br/>")
