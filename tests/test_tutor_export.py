"""Quiz files: Moodle XML against Moodle's documented structure, GIFT, the HTML worksheet, the CLI."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import run_cli

from pnet_expert import load_knowledge_base, recommend
from pnet_expert.cli import main
from pnet_expert.core import codes
from pnet_expert.tutor.gift import escape, quiz_gift
from pnet_expert.tutor.moodle import quiz_moodle
from pnet_expert.tutor.quiz import MOODLE_GRADES, Quiz, build_quiz
from pnet_expert.tutor.report import quiz_html

HTML_TAG = re.compile(r"<[^>]+>")


def _plain(html_text: str) -> str:
    """Moodle's HTML text as words: tags dropped, entities read."""
    import html

    return html.unescape(HTML_TAG.sub("", html_text))


@pytest.fixture(scope="module")
def quiz() -> Quiz:
    """A 12-question quiz of the bundled knowledge base."""
    return build_quiz(count=12, seed=2012)


def _grade_ok(fraction: float) -> bool:
    """Moodle refuses an answer whose grade is not one of its listed grades (to 1e-5 of a fraction)."""
    return fraction == 0 or any(abs(abs(fraction) / 100 - g / 100) < 1e-5 for g in MOODLE_GRADES)


def test_moodle_xml_has_the_documented_structure(quiz: Quiz) -> None:
    """<quiz>, a category, then per case <question type="multichoice"> with a name, HTML text, <single>false,
    and answers whose right fractions are Moodle grades summing to 100 and wrong ones negative."""
    text = quiz_moodle(quiz)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "quiz"
    category, *questions = root.findall("question")
    assert category.get("type") == "category"
    assert category.findtext("category/text", "").startswith("$course$/")
    assert len(questions) == len(quiz.questions)
    for element, question in zip(questions, quiz.questions, strict=True):
        assert element.get("type") == "multichoice"
        assert element.findtext("name/text") == question.name
        assert element.find("questiontext").get("format") == "html"  # type: ignore[union-attr]
        assert element.findtext("single") == "false"
        assert element.findtext("shuffleanswers") in ("true", "1")
        assert element.findtext("answernumbering") in ("abc", "ABC", "123", "none")
        for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback", "generalfeedback"):
            assert element.findtext(f"{tag}/text")
        answers = element.findall("answer")
        fractions = [float(a.get("fraction", "nan")) for a in answers]
        assert all(_grade_ok(f) for f in fractions)
        right = [f for f in fractions if f > 0]
        assert sum(right) == pytest.approx(100, abs=1e-3)
        assert all(f < 0 for f in fractions if f <= 0)
        labels = {_plain(a.findtext("text", "")): float(a.get("fraction", "0")) > 0 for a in answers}
        offered = {o.label for o in recommend(question.case).treatments}
        assert {label for label, ok in labels.items() if ok} == offered
        assert len(labels) == len(answers)
        case_text = _plain(element.findtext("questiontext/text", ""))
        assert "Not known (not given, never taken as false)" in case_text or len(question.case) == 12


def test_moodle_feedback_names_the_rule_and_quotes_the_passage(quiz: Quiz) -> None:
    """Each answer's feedback names a rule and quotes the source's words of that rule."""
    kb = quiz.kb
    root = ET.fromstring(quiz_moodle(quiz))
    for element in root.findall("question[@type='multichoice']"):
        for answer in element.findall("answer"):
            feedback = _plain(answer.findtext("feedback/text", ""))
            named = re.findall(r"\b[A-Z]{3}-\d\d\b", feedback)
            assert named, feedback
            assert f'"{kb.rules[named[0]].quote}"' in feedback


def test_a_label_full_of_markup_cannot_break_moodle_xml_or_gift(kb_copy: Path) -> None:
    """Labels with <, &, quotes and GIFT's special characters: the XML parses, GIFT stays escaped."""
    file = kb_copy / "treatments.yaml"
    text = file.read_text().replace(
        "label: Chemotherapy", "label: 'Chemo <b>&amp; {x} ~=#: \"q\" \\\\ </text></answer>'"
    )
    file.write_text(text)
    edited = load_knowledge_base(kb_copy)
    quiz = build_quiz(edited, count=12, seed=1)
    label = edited.treatments["chemotherapy"].label
    root = ET.fromstring(quiz_moodle(quiz))
    texts = [_plain(a.findtext("text", "")) for a in root.iter("answer")]
    assert label in texts
    gift = quiz_gift(quiz)
    assert "<b>" not in gift
    for line in gift.splitlines():
        if line.startswith("\t~%"):
            body = line.split("%", 2)[2]
            assert len(re.findall(r"(?<!\\)#", body)) == 1
            assert not re.search(r"(?<!\\)[{}=~]", body)


def _gift_questions(text: str) -> list[tuple[str, list[tuple[float, str, str]]]]:
    """A small GIFT reader for our output: (name, [(weight, answer, feedback)]) per question."""
    out = []
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("//")]
        if not lines or not lines[0].startswith("::"):
            continue
        name = re.match(r"::(.*?)(?<!\\)::", lines[0])
        assert name is not None
        answers = []
        for line in lines[1:]:
            match = re.fullmatch(r"\t~%(-?[\d.]+)%(.*?)(?<!\\)#(.*)", line)
            if match:
                answers.append((float(match[1]), match[2], match[3]))
        assert lines[-1] == "}"
        out.append((name[1], answers))
    return out


def test_gift_has_weighted_multiple_answers(quiz: Quiz) -> None:
    """GIFT: ::name::[html]text{ ~%w%answer#feedback ... }: right weights are Moodle grades summing to 100."""
    text = quiz_gift(quiz)
    assert "$CATEGORY:" in text
    parsed = _gift_questions(text)
    assert len(parsed) == len(quiz.questions)
    for (name, answers), question in zip(parsed, quiz.questions, strict=True):
        assert name == escape(question.name)
        assert len(answers) == len(question.choices)
        assert sum(w for w, _, _ in answers if w > 0) == pytest.approx(100, abs=1e-3)
        assert all(_grade_ok(w) for w, _, _ in answers)
        right = {_gift_text(a) for w, a, _ in answers if w > 0}
        assert right == {o.label for o in recommend(question.case).treatments}
        assert all(re.search(r"[A-Z]{3}-\d\d", f) for _, _, f in answers)


def _gift_text(text: str) -> str:
    """GIFT text read back: escapes dropped, HTML entities read."""
    import html

    return html.unescape(re.sub(r"\\(.)", r"\1", text))


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def test_the_worksheet_has_its_answer_key_on_a_page_of_its_own(quiz: Quiz) -> None:
    """HTML: the questions with boxes, then the key after a page break; no scripts, a CSP, the disclaimer."""
    page = quiz_html(quiz)
    parser = _Tags()
    parser.feed(page)
    assert "script" not in parser.tags
    assert "Content-Security-Policy" in page
    assert ".key { break-before: page; page-break-before: always;" in page
    key = page.index('<section class="key">')
    assert all(page.index(f'id="q{q.number}"') < key for q in quiz.questions)
    assert page.count('class="wrong">not offered') == sum(len(q.distractors) for q in quiz.questions)
    assert page.count('class="right">offered') == sum(len(q.correct) for q in quiz.questions)
    assert "not medical advice" in page


def test_cli_quiz_json_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    """quiz --count 3 --seed 1: JSON on standard output, a summary on standard error."""
    assert main(["quiz", "--count", "3", "--seed", "1"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert [q["number"] for q in data["questions"]] == [1, 2, 3]
    assert "3 questions (seed 1), covering" in captured.err


@pytest.mark.parametrize(
    ("name", "check"), [("q.xml", "<quiz>"), ("q.gift", "$CATEGORY:"), ("q.html", "<!DOCTYPE")]
)
def test_cli_quiz_format_follows_the_suffix(tmp_path: Path, name: str, check: str) -> None:
    """-o q.xml writes Moodle XML, q.gift GIFT, q.html the worksheet."""
    out = tmp_path / name
    assert main(["quiz", "-n", "2", "--seed", "4", "-o", str(out)]) == 0
    assert check in out.read_text()


def test_cli_quiz_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A bad suffix, count or section: exit 2, one line per problem with its code."""
    assert main(["quiz", "-o", str(tmp_path / "q.pdf")]) == 2
    assert f"[{codes.FILE_UNKNOWN_SUFFIX}]" in capsys.readouterr().err
    assert main(["quiz", "--count", "0"]) == 2
    assert "[INPUT-E002] count: 0 questions; a quiz has 1 to 100" in capsys.readouterr().err
    assert main(["quiz", "--section", "insulin"]) == 2
    assert "(did you mean 'insulinoma'?)" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_quiz_in_a_process(tmp_path: Path) -> None:
    """pnet-expert quiz --count 12 --seed 7 -o quiz.xml, as a teacher runs it."""
    result = run_cli("quiz", "--count", "12", "--seed", "7", "-o", str(tmp_path / "quiz.xml"))
    assert result.returncode == 0, result.stderr
    assert "12 questions (seed 7)" in result.stderr
    ET.parse(tmp_path / "quiz.xml")


def test_cli_quiz_reads_a_copy_of_the_kb(tiny_kb_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--kb DIR: the quiz comes from that knowledge base's own witnesses (three rules, all covered)."""
    assert main(["quiz", "-n", "2", "--seed", "1", "--kb", str(tiny_kb_dir)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["coverage"]["rules"] == 3
    assert data["coverage"]["not_covered"] == []


def test_gift_and_moodle_files_name_the_knowledge_base(tiny_kb_dir: Path) -> None:
    """The exported quiz names the knowledge base it was made from: MODIFIED and its fingerprint."""
    from pnet_expert.knowledge.identity import identify

    kb = load_knowledge_base(tiny_kb_dir)
    made = build_quiz(kb, count=1, seed=1)
    line = identify(kb).line()
    assert "MODIFIED" in line
    assert f"// {line}\n" in quiz_gift(made)
    comments = quiz_moodle(made)
    assert line.replace("--", "- -") in comments
    assert kb.fingerprint[:12] in comments
