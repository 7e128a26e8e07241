"""Reasoning diagrams: the DOT and Mermaid text of a case's reasoning and of the whole knowledge base."""

from __future__ import annotations

import itertools
import re

import pytest
from helpers import EXAMPLES

from pnet_expert import Consultation, KnowledgeBase, recommend
from pnet_expert.explain.reports import graph
from pnet_expert.explain.reports.graph import (
    Graph,
    Node,
    case_graph,
    dot_available,
    inline_svg,
    kb_graph,
    to_svg,
)
from pnet_expert.files.casefile import read_case


@pytest.fixture(scope="module")
def liver_severe() -> Consultation:
    """Gastrinoma in the duodenum, spread to the liver, which it mostly affects, severe symptoms."""
    return recommend(read_case(EXAMPLES / "cases" / "gastrinoma-liver-severe.yaml"))


def dot_statements(dot: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The nodes (id -> label) and edges a DOT text declares."""
    nodes = dict(re.findall(r'^\s+"([^"]+)" \[label="((?:[^"\\]|\\.)*)"', dot, flags=re.M))
    edges = re.findall(r'^\s+"([^"]+)" -> "([^"]+)";$', dot, flags=re.M)
    return nodes, edges


def mermaid_statements(text: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The nodes (name -> label) and edges a Mermaid flowchart declares."""
    nodes = dict(re.findall(r'^  (n\d+)[\[\(\{]+"([^"]*)"[\]\)\}]+$', text, flags=re.M))
    edges = re.findall(r"^  (n\d+) --> (n\d+)$", text, flags=re.M)
    return nodes, edges


def test_case_graph_follows_the_reasoning(liver_severe: Consultation) -> None:
    """Facts lead to findings, findings and facts to the rules that fired, rules to the options they offer."""
    g = case_graph(liver_severe)
    ids = [n.id for n in g.nodes]
    assert len(ids) == len(set(ids))
    kinds = [n.kind for n in g.nodes]
    assert kinds == sorted(kinds, key=graph.KINDS.index)
    edges = set(g.edges)
    for path in (
        ("fact:spread", "finding:liver_metastases", "rule:GAS-09", "treatment:chemoembolization"),
        (
            "fact:liver_dominant",
            "finding:liver_dominant_severe",
            "rule:GAS-11",
            "treatment:chemoembolization",
        ),
        ("fact:tumors", "finding:duodenal_tumor", "rule:GAS-07", "treatment:pancreatoduodenectomy"),
        ("fact:tumor_type", "rule:GAS-01", "treatment:supportive_care"),
    ):
        assert set(itertools.pairwise(path)) <= edges, path
    assert {n.id for n in g.nodes if n.kind == "rule"} == {f"rule:{r}" for r in liver_severe.fired_rules}
    assert {n.id for n in g.nodes if n.kind == "treatment"} == {
        f"treatment:{o.id}" for o in liver_severe.treatments
    }
    assert all(a in ids and b in ids for a, b in g.edges)
    # Nothing unknown is drawn: the graph shows what the case states.
    assert not {f"fact:{f}" for f in liver_severe.unknown_facts} & set(ids)
    rules = [n.id for n in g.nodes if n.kind == "rule"]
    assert rules == sorted(rules)


def test_case_graph_as_dot(liver_severe: Consultation) -> None:
    """DOT text: a left-to-right digraph, one cluster per kind, every node declared once, every edge drawn."""
    g = case_graph(liver_severe)
    dot = g.to_dot()
    assert dot.startswith("digraph g_gastrinoma_liver_severe {\n  rankdir=LR;\n")
    assert dot.count("{") == dot.count("}")
    for kind in ("fact", "finding", "rule", "treatment"):
        assert f"subgraph cluster_{kind} {{" in dot
    nodes, edges = dot_statements(dot)
    assert set(nodes) == {n.id for n in g.nodes}
    assert edges == list(g.edges)
    assert nodes["fact:spread"] == "spread = [lymph_nodes,\\nliver]"  # labels wrapped: narrow diagrams
    assert nodes["finding:liver_metastases"] == "liver_metastases\\n(FND-06)"


def test_case_graph_as_mermaid(liver_severe: Consultation) -> None:
    """Mermaid text: a flowchart whose nodes are each declared once and whose edges join declared nodes."""
    g = case_graph(liver_severe)
    text = g.to_mermaid()
    assert text.startswith("flowchart LR\n")
    nodes, edges = mermaid_statements(text)
    assert len(nodes) == len(g.nodes)
    assert len(edges) == len(g.edges)
    assert all(a in nodes and b in nodes for a, b in edges)
    names = {label: name for name, label in nodes.items()}
    assert (names["GAS-09"], names["chemoembolization<br/>may include"]) in edges
    for kind in ("fact", "finding", "rule", "treatment"):
        assert re.search(rf"^  class [n\d,]+ {kind}$", text, flags=re.M)
        assert f"classDef {kind} " in text


def test_labels_cannot_break_out_of_the_diagram_text() -> None:
    """Quotes, backslashes, angle brackets and new lines in labels are escaped in DOT and in Mermaid."""
    g = Graph(
        'a "title"',
        (Node("fact:x", 'say "hi"\\ <b>\nnext', "fact"), Node("rule:R", "R", "rule")),
        (("fact:x", "rule:R"),),
    )
    dot = g.to_dot()
    assert 'label="say \\"hi\\"\\\\ <b>\\nnext"' in dot
    assert dot.startswith("digraph g_a__title_ {")
    mermaid = g.to_mermaid()
    assert 'n0["say #quot;hi#quot;\\ #lt;b#gt;<br/>next"]' in mermaid
    assert "<b>" not in mermaid


def test_steps_say_the_picture_in_words(liver_severe: Consultation) -> None:
    """Each finding and rule, with the nodes that lead into it and those it leads to."""
    g = case_graph(liver_severe)
    steps = {s.node.id: s for s in g.steps()}
    assert set(steps) == {n.id for n in g.nodes if n.kind in ("finding", "rule")}
    gas11 = steps["rule:GAS-11"]
    assert [n.id for n in gas11.inputs] == ["fact:tumor_type", "finding:liver_dominant_severe"]
    assert [n.id for n in gas11.outputs] == [
        "treatment:chemoembolization",
        "treatment:hepatic_arterial_occlusion",
    ]
    for step in steps.values():
        assert all((n.id, step.node.id) in g.edges for n in step.inputs)
        assert all((step.node.id, n.id) in g.edges for n in step.outputs)


def test_kb_graph_has_every_rule_and_offer(kb: KnowledgeBase) -> None:
    """The whole knowledge base: every fact, finding, rule and treatment; each rule to what it offers."""
    g = kb_graph(kb)
    ids = {n.id for n in g.nodes}
    assert {f"rule:{r}" for r in kb.rules} <= ids
    assert {f"finding:{f}" for f in kb.findings} <= ids
    assert {f"treatment:{t}" for t in kb.treatments} == {i for i in ids if i.startswith("treatment:")}
    for rule in kb.rules.values():
        for offer in rule.offers:
            assert (f"rule:{rule.id}", f"treatment:{offer.treatment}") in g.edges
    assert ("finding:liver_metastases", "rule:REC-02") in g.edges
    assert ("fact:spread", "finding:liver_metastases") in g.edges
    nodes, edges = dot_statements(g.to_dot())
    assert set(nodes) == ids
    assert len(edges) == len(g.edges)
    m_nodes, m_edges = mermaid_statements(g.to_mermaid())
    assert len(m_nodes) == len(ids)
    assert len(m_edges) == len(g.edges)


def test_kb_graph_of_one_section(kb: KnowledgeBase) -> None:
    """One section: its rules only, and only the findings they use."""
    g = kb_graph(kb, "vipoma")
    rules = [n.id for n in g.nodes if n.kind == "rule"]
    assert rules == [f"rule:{r}" for r in kb.sections["vipoma"].rules]
    findings = {n.id for n in g.nodes if n.kind == "finding"}
    assert findings == {"finding:any_spread", "finding:distant_spread", "finding:unresectable"}
    assert all(a in {n.id for n in g.nodes} for a, _ in g.edges)


def test_inline_svg_is_made_safe_to_embed() -> None:
    """Comments go, ids are prefixed; an SVG holding a script, a handler or a link is refused."""
    svg = '<?xml version="1.0"?>\n<!-- g -->\n<svg width="1pt"><g id="graph0"><title>a</title><!-- n --></g>'
    svg += "</svg>\n"
    out = inline_svg(svg, "case")
    assert out == '<svg role="img" width="1pt"><g id="case-graph0"><title>a</title></g></svg>\n'
    for bad in (
        "<svg><script>alert(1)</script></svg>",
        '<svg><g onload="alert(1)"></g></svg>',
        '<svg><a xlink:href="https://example.org/"><text>x</text></a></svg>',
        '<svg><image href="https://example.org/x.png"/></svg>',
        "<svg><foreignObject><p>x</p></foreignObject></svg>",
    ):
        assert inline_svg(bad) is None, bad
    assert inline_svg("no svg here") is None
    assert inline_svg("<svg><text>on = off; href = none</text></svg>") is not None


def test_to_svg_without_dot(monkeypatch: pytest.MonkeyPatch, liver_severe: Consultation) -> None:
    """Without Graphviz there is no SVG, and no error."""
    monkeypatch.setattr(graph.shutil, "which", lambda name: None)
    assert not dot_available()
    assert to_svg("digraph g { a -> b; }") is None
    assert case_graph(liver_severe).to_svg() is None


@pytest.mark.skipif(not dot_available(), reason="Graphviz's dot is not installed")
def test_dot_renders_the_case_graph(liver_severe: Consultation) -> None:
    """Graphviz draws the case's DOT text: an SVG with a node for each fact, finding, rule and option."""
    g = case_graph(liver_severe)
    svg = g.to_svg("case")
    assert svg is not None
    assert svg.startswith('<svg role="img" ')
    titles = re.findall(r"<title>([^<]*)</title>", svg)
    for node in g.nodes:
        assert node.id.replace("-", "&#45;") in titles or node.id in titles, node.id
    assert 'id="case-graph0"' in svg
    assert "<!--" not in svg


@pytest.mark.skipif(not dot_available(), reason="Graphviz's dot is not installed")
def test_dot_renders_the_kb_graph(kb: KnowledgeBase) -> None:
    """Graphviz draws the whole knowledge base; a broken DOT text gives None, not an error."""
    svg = kb_graph(kb).to_svg("kb")
    assert svg is not None
    assert svg.count('class="node"') == len(kb_graph(kb).nodes)
    assert to_svg("digraph {") is None
