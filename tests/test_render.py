"""Teaching reports (Markdown and HTML): every part is there, for every public case; case text is inert."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from helpers import EXAMPLES, public_cases
from markupsafe import escape

from pnet_expert import Consultation, KnowledgeBase, recommend
from pnet_expert.core.words import describe
from pnet_expert.explain.reports import case_view as report_view
from pnet_expert.explain.reports.graph import dot_available
from pnet_expert.explain.reports.render import fence, kb_html, kb_markdown, md_escape, md_text
from pnet_expert.files.casefile import read_case

BUNDLED = sorted((EXAMPLES / "cases").glob("*.yaml"))
PUBLIC = public_cases()


class _Text(HTMLParser):
    """The text a reader sees: everything but style, with each element's text on its own."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("style", "svg"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "svg"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The page's text with white space folded, as a reader sees it."""
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", "".join(parser.parts))


def tags_of(html: str) -> list[str]:
    """Every element name in the page, in order."""
    parser = _Text()
    parser.feed(html)
    return parser.tags


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module", params=BUNDLED, ids=lambda p: p.stem)
def bundled(request: pytest.FixtureRequest) -> Consultation:
    """A consultation of each bundled example case (the public cases, as case files)."""
    return recommend(read_case(request.param))


def _public_params() -> list[Any]:
    return [pytest.param(c, id=c["id"]) for c in PUBLIC]


@pytest.fixture(scope="module", params=_public_params())
def public(request: pytest.FixtureRequest) -> tuple[dict[str, Any], Consultation]:
    """Each public example case (with its id and description) and its consultation."""
    case = request.param
    data = {"id": case["id"], "description": case.get("description", ""), **case["case"]}
    return case, recommend(data)


# ---------------------------------------------------------------- the parts of a case report


def assert_case_report_parts(c: Consultation, markdown: str, html: str) -> None:
    """The notice, the facts (unknown as unknown), each option with its quotes, the rules not fired, gaps."""
    text = visible_text(html)
    kb = c.kb
    for body in (fold(markdown), text):
        assert "For teaching — options, not medical advice." in body
        assert fold(md_text(kb.disclaimer)) in body or fold(kb.disclaimer) in body
        assert kb.source.last_modified in body
        assert f"{kb.name} {kb.version}".replace("_", "\\_") in body or f"{kb.name} {kb.version}" in body

    # The case facts: each known one with its value, each unknown one as unknown.
    for spec in kb.facts.values():
        row = re.search(
            rf"<tr class=\"(\w+)\" id=\"fact-{spec.id}\" data-fact=\"{spec.id}\">(.*?)</tr>", html
        )
        assert row, spec.id
        md_row = next(line for line in markdown.splitlines() if line.startswith(f"| `{spec.id}` |"))
        if c.patient.is_known(spec.id):
            assert row.group(1) == "known"
            assert "*unknown*" not in md_row
        else:
            assert row.group(1) == "unknown"
            assert row.group(2).endswith("<td>unknown</td>")
            assert md_row.endswith("| *unknown* |")
    for fact in c.unknown_facts:
        assert f"<code>{fact}</code>" in html.split('class="unknown-facts"')[1].split("</p>")[0]
        assert md_text(fact) in markdown.split("**Unknown facts**")[1].split("\n\n")[0]

    # Each option, under its strength, naming (and linking to) every rule that offers it.
    assert re.findall(r'data-treatment="([^"]+)"', html) == [o.id for o in c.treatments]
    assert re.findall(r"^#### .* \(`([^`]+)`\)$", markdown, flags=re.M) == [o.id for o in c.treatments]
    for option in c.treatments:
        article = html.split(f'data-treatment="{option.id}"')[1].split("</article>")[0]
        article_text = visible_text(article)
        md_part = fold(markdown.split(f"(`{option.id}`)\n")[1].split("\n#### ")[0].split("\n## ")[0])
        assert option.label in article_text
        for qualifier in option.qualifiers:
            assert qualifier in article_text
            assert md_text(qualifier) in md_part
        for reason in option.because:
            assert f'href="#rule-{reason.rule}"' in article
            assert f"Offered by **{reason.rule}**" in md_part
            for alternative in reason.alternatives:
                assert alternative in article_text
                assert "Either/or" in article_text

    # Each rule that fired explained once, with its quote, sub-bullets, reading and findings, and the
    # options it offers here (linked).
    rules_html = html.split('id="rules"')[1].split('id="not-offered"')[0]
    rules_md = markdown.split("## Why: the rules that fired")[1].split("\n## ")[0]
    offering = {r.rule: r for o in c.treatments for r in o.because}
    assert re.findall(r'<article class="rule-block" id="rule-([^"]+)"', html) == [
        r for r in c.fired_rules if r in offering
    ]
    for rule, reason in offering.items():
        assert html.count(f'id="rule-{rule}"') == 1
        block = rules_html.split(f'id="rule-{rule}"')[1].split("</article>")[0]
        md_block = fold(rules_md.split(f"### {rule} — ")[1].split("\n### ")[0])
        assert rules_html.count(f"<p>{escape(reason.quote)}</p>") == 1
        assert md_block.count(f"> {fold(md_text(reason.quote))}") == 1
        for body in (visible_text(block), md_block):
            for bullet in reason.sub_bullets:
                assert fold(bullet) in body or fold(md_text(bullet)) in body
            for reading in c.kb.readings_of(
                [*reason.readings, *(i for u in reason.findings for i in u.readings)]
            ):
                assert f"Reading {reading.id}" in body
                for part in (reading.reading, reading.why, reading.other_reading, reading.would_change):
                    assert fold(md_text(part)) in body or fold(part) in body
        for use in reason.findings:
            assert f'href="#finding-{use.finding}"' in block
            assert use.rule in visible_text(block)
            assert f'id="finding-{use.finding}"' in html
        for option in c.treatments:
            if rule in option.rules:
                assert f'href="#option-{option.id}"' in block
                assert f"`{option.id}`" in md_block
    assert fold(visible_text(rules_html)).count("fired, because of") == len(offering)
    strengths = [s.label for s in kb.strengths if any(o.strength == s.id for o in c.treatments)]
    positions = [markdown.index(f"### {label} (") for label in strengths]
    assert positions == sorted(positions)

    # The rules of the case's sections that did not fire, with each failed or unknown condition.
    not_offered_html = html.split('id="not-offered"')[1].split('id="gaps"')[0]
    not_offered_md = markdown.split("## Not offered")[1].split("## Gaps")[0]
    for check in c.section_checks():
        if check.fired:
            assert f'data-rule="{check.rule.id}"' not in not_offered_html
            continue
        block = not_offered_html.split(f'data-rule="{check.rule.id}"')[1].split("</div>")[0]
        md_block = not_offered_md.split(f"- **{check.rule.id}**")[1].split("\n- **")[0]
        assert "did not fire" in block
        assert "did not fire" in md_block
        for condition in (*check.failed, *check.unknown):
            mark = "not met" if condition in check.failed else "unknown"
            assert f"{mark} {fold(condition.text)} — {fold(condition.detail)}" in visible_text(block)
            assert f"{mark}: {md_text(condition.text)} — {md_text(condition.detail)}" in fold(md_block)

    # The gaps, the fired rules, the diagram.
    for gap in c.gaps:
        assert fold(gap) in text
        assert fold(md_text(gap)) in fold(markdown)
    if not c.gaps:
        assert "None: the case's own section offers at least one option." in text
    assert "Fired rules: " + (", ".join(c.fired_rules) or "none") in fold(markdown)
    assert "```mermaid\nflowchart LR\n" in markdown
    assert 'id="diagram"' in html


def test_every_bundled_case_report_has_every_part(bundled: Consultation) -> None:
    """Each bundled example case renders to Markdown and HTML with every part of a teaching report."""
    assert_case_report_parts(bundled, bundled.to_markdown(), bundled.to_html())


def test_every_public_case_report_has_every_part(public: tuple[dict[str, Any], Consultation]) -> None:
    """Each public case renders with every part, its expected options, and its description."""
    case, c = public
    markdown, html = c.to_markdown(), c.to_html()
    assert_case_report_parts(c, markdown, html)
    expected = case.get("expected_treatments")
    if expected is not None:
        assert sorted(re.findall(r'data-treatment="([^"]+)"', html)) == sorted(expected)
    if case.get("description"):
        assert fold(case["description"]) in visible_text(html)
        assert fold(md_escape(case["description"])) in fold(markdown)


def test_notebook_reprs() -> None:
    """In a notebook: a compact HTML view, its style scoped, no heading, ids of its own; Markdown whole."""
    c = recommend(read_case(EXAMPLES / "cases" / "gastrinoma-liver-severe.yaml"))
    assert c._repr_markdown_() == c.to_markdown()
    fragment = c._repr_html_()
    assert re.match(r'<div class="pnet-nb" id="pnet-[0-9a-f]+-\d+">\n<style>', fragment)
    assert fragment.rstrip().endswith("</div>")
    for whole_page_only in ("<!DOCTYPE", "<html", "<head>", "<body", "Content-Security-Policy", "<script"):
        assert whole_page_only not in fragment
    assert not re.search(r"<h[1-6]", fragment)
    assert all(rule.startswith(".pnet-nb") for rule in _css_selectors(fragment))
    assert len(fragment) < len(c.to_html(standalone=False)) / 4
    assert fragment.count("<details") == len(c.treatments)
    for option in c.treatments:
        assert option.label in visible_text(fragment)
    assert c.disclaimer in visible_text(fragment)


def test_two_notebook_displays_share_no_id() -> None:
    """Each display of a consultation (even the same one twice) has ids of its own."""
    c = recommend(read_case(EXAMPLES / "cases" / "gastrinoma-liver-severe.yaml"))
    first, second = (set(re.findall(r'\bid="([^"]+)"', c._repr_html_())) for _ in range(2))
    assert first
    assert not first & second


def _css_selectors(html: str) -> list[str]:
    """The selectors of the style's top-level rules (and the at-rules), to see that they are scoped."""
    css = html.split("<style>")[1].split("</style>")[0]
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    selectors, depth, current = [], 0, ""
    for char in css:
        if char == "{":
            if depth == 0:
                selectors.extend(s.strip() for s in current.split(","))
            elif depth == 1 and selectors[-1].startswith("@"):
                pass
            depth += 1
            current = ""
        elif char == "}":
            depth -= 1
            current = ""
        else:
            current += char
    return [s for s in selectors if s]


def test_reports_are_deterministic() -> None:
    """Rendering the same case twice gives the same bytes (no timestamps, no hash order)."""
    case = read_case(EXAMPLES / "cases" / "recurrent-liver.yaml")
    assert recommend(case).to_html() == recommend(case).to_html()
    assert recommend(case).to_markdown() == recommend(case).to_markdown()


def test_gap_case_says_no_option_and_why() -> None:
    """A case the source is silent on: no option, the gap in words, every rule of its section not fired."""
    c = recommend(read_case(EXAMPLES / "cases" / "insulinoma-small-body-gap.yaml"))
    assert not c.treatments
    text = visible_text(c.to_html())
    assert "The source offers no option for this case" in text
    assert "The source offers no option for this case" in c.to_markdown()
    reading = c.kb.readings["RD-01"]
    assert "Reading RD-01" in text
    assert fold(reading.why) in fold(text)
    assert fold(md_text(reading.other_reading)) in fold(c.to_markdown())
    assert set(re.findall(r'id="not-fired-(INS-\d+)"', c.to_html())) == {f"INS-0{i}" for i in range(1, 9)}


# ---------------------------------------------------------------- case text is inert

PLANTED = {
    "id": "x<script>alert('id')</script>",
    "title": "<b>bold</b> [a link](https://example.org/) **strong** | pipe",
    "description": "<script>document.title='PWNED'</script><img src=x onerror=alert(1)> & done",
    "notes": "line one\n# not a heading\n- not a list\n`code` ![img](https://example.org/x.png)",
}


@pytest.fixture(scope="module")
def planted() -> Consultation:
    """A case whose free text tries to be markup, a script, a link and an image."""
    return recommend({**PLANTED, "tumor_type": "vipoma", "spread": ["liver"]})


def test_html_escapes_every_piece_of_case_text(planted: Consultation) -> None:
    """In HTML, id, title, description and notes are text: no element, script, handler or link."""
    html = planted.to_html()
    assert "<script" not in html.lower()
    assert "onerror=" not in html.replace("onerror=alert(1)&gt;", "")
    assert set(tags_of(html)) <= ALLOWED_TAGS
    text = visible_text(html)
    for value in PLANTED.values():
        assert fold(value) in text
    assert "&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;" in html
    assert "<title>Treatment options: &lt;b&gt;bold&lt;/b&gt;" in html


ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "div", "header", "h1", "h2", "h3", "h4", "aside",
    "strong", "span", "cite", "dl", "dt", "dd", "nav", "ul", "li", "a", "section", "table", "thead",
    "tbody", "tr", "th", "td", "code", "p", "article", "blockquote", "em", "small", "figure", "figcaption",
    "ol", "footer", "br", "q",
    # Graphviz's SVG
    "svg", "g", "polygon", "path", "text", "ellipse", "polyline",
}  # fmt: skip


def test_markdown_escapes_every_piece_of_case_text(planted: Consultation) -> None:
    """In Markdown, case text cannot open HTML, a link, an image, emphasis, a cell, a heading, a list."""
    markdown = planted.to_markdown()
    # Each of these, not preceded by a backslash, would be live markup.
    for raw in (r"<script", r"<b>", r"<img", r"\]\(https", r"\*\*strong", r"\| pipe", r"`code", r"!\[img"):
        assert not re.search(r"(?<!\\)" + raw, markdown), raw
    assert "\n# not" not in markdown
    assert "\n- not a list" not in markdown
    assert "\\<script\\>document.title='PWNED'\\</script\\>" in markdown
    assert "\\[a link\\]\\(https://example.org/\\)" in markdown
    assert "\\| pipe" in markdown
    assert "line one \\# not a heading - not a list \\`code\\` \\!\\[img\\]" in markdown


def test_md_escape_and_fence() -> None:
    """md escapes every character Markdown reads as markup; a fence is longer than any backtick run inside."""
    assert md_escape("a*b_c[d](e)<f>|g`h#i!j+k{l}m\\n~o&p") == (
        "a\\*b\\_c\\[d\\]\\(e\\)\\<f\\>\\|g\\`h\\#i\\!j\\+k\\{l\\}m\\\\n\\~o\\&p"
    )
    assert md_escape("one\r\ntwo\n\nthree") == "one two three"
    assert md_text("(the source's words)") == "(the source's words)"
    assert md_text("<b>") == "\\<b\\>"
    assert fence("no backticks") == "```"
    assert fence("a ```` run") == "`````"


# ---------------------------------------------------------------- self-contained, phone, print


def test_html_is_one_self_contained_page(bundled: Consultation) -> None:
    """No script, nothing to fetch, no outside link; phone and print styles; a CSP that forbids scripts."""
    html = bundled.to_html()
    assert html.startswith("<!DOCTYPE html>\n")
    assert "<script" not in html
    assert "<link" not in html
    assert "@import" not in html
    assert "url(" not in html
    targets = re.findall(r"""\b(?:src|href|action|srcset|data)\s*=\s*["']?([^"'\s>]*)""", html)
    assert targets
    assert all(t.startswith("#") for t in targets), targets
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "default-src 'none'" in html
    assert "@media print" in html
    assert "@media (max-width: 40rem)" in html


def test_html_reads_without_the_picture(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Graphviz the HTML says so and gives the diagram in words: each rule, its inputs, its offers."""
    monkeypatch.setattr(report_view, "dot_available", lambda: False)
    c = recommend(read_case(EXAMPLES / "cases" / "gastrinoma-liver-severe.yaml"))
    html = c.to_html()
    assert "<svg" not in html
    diagram = visible_text(html.split('id="diagram"')[1].split("</section>")[0])
    assert "No picture: Graphviz's dot was not found" in diagram
    assert "tumors = [{site: duodenum}] → duodenal_tumor (FND-03) → GAS-07" in diagram
    assert (
        "tumor_type = gastrinoma, duodenal_tumor (FND-03) → GAS-07 → pancreatoduodenectomy usually" in diagram
    )
    assert "→ GAS-11 → chemoembolization may include, hepatic_arterial_occlusion may include" in diagram
    assert all(option.id in visible_text(html) for option in c.treatments)


@pytest.mark.skipif(not dot_available(), reason="Graphviz's dot is not installed")
def test_html_has_the_picture_when_dot_is_here() -> None:
    """With Graphviz, the case report holds one inline SVG of its reasoning, with a rule of the case in it."""
    c = recommend(read_case(EXAMPLES / "cases" / "gastrinoma-liver-severe.yaml"))
    html = c.to_html()
    assert html.count("<svg") == 1
    svg = html.split("<svg")[1].split("</svg>")[0]
    assert ">GAS&#45;11</text>" in svg or ">GAS-11</text>" in svg
    assert 'id="case-' in svg


# ---------------------------------------------------------------- the knowledge-base report


@pytest.fixture(scope="module")
def kb_reports(kb: KnowledgeBase) -> tuple[str, str]:
    """The knowledge-base report, as Markdown and as HTML."""
    return kb_markdown(kb), kb_html(kb)


def test_kb_report_has_every_rule_with_its_words(kb: KnowledgeBase, kb_reports: tuple[str, str]) -> None:
    """Every rule by section: conditions in words, offers, qualifiers, strength, quote, the readings it cites;
    each reading in full once, under Readings."""
    markdown, html = kb_reports
    text = visible_text(html)
    folded_md = fold(markdown)
    for section in kb.sections.values():
        assert f'id="section-{section.id}"' in html
        assert f"## {md_text(section.title)} (" in markdown
    for rule in kb.rules.values():
        article = visible_text(html.split(f'id="rule-{rule.id}"')[1].split("</article>")[0])
        md_part = fold(markdown.split(f"### {rule.id} (")[1].split("\n### ")[0].split("\n## ")[0])
        assert rule.strength in article
        assert fold(rule.quote) in article
        assert fold(md_text(rule.quote)) in md_part
        for condition in rule.when:
            assert fold(describe(condition, kb)) in article
            assert fold(md_text(describe(condition, kb))) in md_part
        if not rule.when:
            assert "always" in article
        for offer in rule.offers:
            assert kb.treatments[offer.treatment].label in article
            assert f"`{offer.treatment}`" in md_part
            for qualifier in offer.qualifiers:
                assert qualifier in article
        for bullet in rule.sub_bullets:
            assert fold(bullet) in article
        for reading_id in rule.readings:
            assert f"Reading {reading_id}" in article
            assert f"Reading {reading_id}" in md_part
    for reading in kb.readings.values():
        assert html.count(f'id="reading-{reading.id}"') == 1
        for part in (
            *reading.passage,
            reading.reading,
            reading.why,
            reading.other_reading,
            reading.would_change,
        ):
            assert fold(part) in text
            assert fold(md_text(part)) in folded_md
    for finding in kb.findings.values():
        assert f'id="finding-{finding.id}"' in html
        assert finding.rule.id in text
        assert f"`{finding.id}`: {md_text(finding.label)}" in markdown
    for treatment in kb.treatments.values():
        assert f'id="treatment-{treatment.id}"' in html
        assert f"(`{treatment.id}`)" in markdown
    for fact in kb.facts.values():
        assert f'id="fact-{fact.id}"' in html
        assert f"| `{fact.id}` |" in markdown
    for body in (folded_md, text):
        assert "For teaching — options, not medical advice." in body
        assert kb.version in body
        assert kb.source.last_modified in body
    assert markdown.count("```mermaid\nflowchart LR\n") == len(kb.sections)  # each section; a matrix for all
    assert "<script" not in html


@pytest.mark.skipif(not dot_available(), reason="Graphviz's dot is not installed")
def test_kb_report_draws_each_section_and_a_matrix(kb: KnowledgeBase, kb_reports: tuple[str, str]) -> None:
    """One picture per section (no tangle of the whole), ids kept apart, every box a link that lands;
    the whole knowledge base as a matrix of treatments by section, each cell's rules linked."""
    markdown, html = kb_reports
    if dot_available():
        assert html.count("<svg") == len(kb.sections)
        links = re.findall(r'xlink:href="#([^"]+)"', html)
        assert links
        ids = set(re.findall(r'\bid="([^"]+)"', html))
        assert [link for link in links if link not in ids] == []
    ids_list = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids_list) == len(set(ids_list))
    matrix = html.split('<table class="matrix">')[1].split("</table>")[0]
    for rule in kb.rules.values():
        for offer in rule.offers:
            row = matrix.split(f'href="#treatment-{offer.treatment}"')[1].split("</tr>")[0]
            assert f'href="#rule-{rule.id}"' in row
    assert markdown.count("```mermaid\nflowchart LR\n") == len(kb.sections)
    assert "| treatment | gastrinoma |" in markdown


def test_reports_work_with_another_knowledge_base(tiny_kb: KnowledgeBase) -> None:
    """Reports follow the knowledge base they are given (here three rules), not the bundled one."""
    c = recommend({"tumor_type": "gastrinoma", "spread": ["liver"]}, tiny_kb)
    html, markdown = c.to_html(), c.to_markdown()
    assert re.findall(r'data-treatment="([^"]+)"', html) == ["supportive_care", "chemoembolization"]
    assert re.findall(r'id="not-fired-([^"]+)"', html) == ["GAS-02"]
    assert "- **GAS-02** (may include) did not fire" in markdown
    kb_page = kb_html(tiny_kb)
    assert re.findall(r'<article class="kb-rule" id="rule-([^"]+)"', kb_page) == [
        "GAS-01",
        "GAS-02",
        "GAS-09",
    ]


def test_report_view_is_the_same_for_both_formats(tmp_path: Path) -> None:
    """Markdown and HTML are laid out from one view: the same options, rules not fired and unknown facts."""
    c = recommend(read_case(EXAMPLES / "cases" / "unknown-resectability.yaml"))
    view = report_view.case_report(c, svg=False)
    assert [o.id for g in view.groups for o in g.options] == [o.id for o in c.treatments]
    assert [f.id for f in view.unknown] == list(c.unknown_facts)
    not_fired = [n.rule for s in view.sections for n in s.not_fired]
    assert not_fired == [ch.rule.id for ch in c.section_checks() if not ch.fired]
    glu05 = next(n for s in view.sections for n in s.not_fired if n.rule == "GLU-05")
    assert glu05.waiting
    assert glu05.unknown_facts == ("resectable",)
    assert glu05.status == "waiting on facts the case does not state (resectable)"


def test_an_unnamed_case_is_titled_by_its_type_s_words() -> None:
    """ "a case of another type of pancreatic neuroendocrine tumor", never "a case of other"."""
    c = recommend({"tumor_type": "other"})
    assert c.to_markdown().startswith(
        "# Treatment options: a case of another type of pancreatic neuroendocrine"
    )
    assert (
        "<h1>Treatment options: a case of another type of pancreatic neuroendocrine tumor</h1>" in c.to_html()
    )
