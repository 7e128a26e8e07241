"""A quiz as Moodle XML, the format Moodle's question bank imports (docs.moodle.org, "Moodle XML format").

The file is ``<quiz>`` holding a ``category`` question (the category to import
into) and one ``<question type="multichoice">`` per case, with
``<single>false</single>`` (several answers may be chosen: check boxes),
shuffled answers, and one ``<answer fraction="...">`` per choice: the right
answers' fractions are grades Moodle lists (it refuses others) summing to 100,
the distractors' negative (choosing every box earns nothing). Each answer has
its feedback (the rule and the source's words); each question a general
feedback (the rules that fire, the gaps, the disclaimer). Texts are HTML,
escaped by the XML writer, so nothing in a case can break the file.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET

from pnet_expert.knowledge.identity import identify
from pnet_expert.tutor.quiz import Question, Quiz


def fraction_text(value: float) -> str:
    """A grade as Moodle writes it: '100', '50', '33.33333', '-25'."""
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _text(parent: ET.Element, tag: str, content: str, format: str | None = "html") -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": format} if format else {})
    ET.SubElement(element, "text").text = content
    return element


def question_html(question: Question) -> str:
    """The question's text: the case's facts (the unknown ones named) and the prompt, as HTML."""
    words = question.words
    items = "".join(f"<li>{html.escape(label)}: {html.escape(value)}</li>" for label, value in words.known)
    unknown = (
        f"<p>Not known (not given, never taken as false): {html.escape('; '.join(words.unknown))}.</p>"
        if words.unknown
        else ""
    )
    return f"<p>A case:</p><ul>{items}</ul>{unknown}<p>{html.escape(question.prompt)}</p>"


def quiz_moodle(quiz: Quiz) -> str:
    """The quiz as Moodle XML text (UTF-8, the XML declaration on the first line)."""
    root = ET.Element("quiz")
    root.append(ET.Comment(f" {quiz.title}. {quiz.kb.disclaimer} "))
    root.append(ET.Comment(f" {identify(quiz.kb).line().replace('--', '- -')} "))  # no '--' in a comment
    category = ET.SubElement(root, "question", {"type": "category"})
    ET.SubElement(
        ET.SubElement(category, "category"), "text"
    ).text = f"$course$/pnet-expert quiz seed {quiz.seed}"
    _text(category, "info", html.escape(quiz.kb.disclaimer))
    for question in quiz.questions:
        element = ET.SubElement(root, "question", {"type": "multichoice"})
        ET.SubElement(ET.SubElement(element, "name"), "text").text = question.name
        _text(element, "questiontext", question_html(question))
        _text(element, "generalfeedback", f"<p>{html.escape(question.general_feedback)}</p>")
        ET.SubElement(element, "defaultgrade").text = "1"
        ET.SubElement(element, "penalty").text = "0.3333333"
        ET.SubElement(element, "hidden").text = "0"
        ET.SubElement(element, "single").text = "false"
        ET.SubElement(element, "shuffleanswers").text = "true"
        ET.SubElement(element, "answernumbering").text = "abc"
        _text(
            element,
            "correctfeedback",
            "<p>Every option the source offers for this case, and nothing else.</p>",
        )
        _text(element, "partiallycorrectfeedback", "<p>Partly right: see the feedback on each answer.</p>")
        _text(element, "incorrectfeedback", "<p>Not right: see the feedback on each answer.</p>")
        ET.SubElement(element, "shownumcorrect")
        for choice in question.choices:
            answer = ET.SubElement(
                element, "answer", {"fraction": fraction_text(choice.fraction), "format": "html"}
            )
            ET.SubElement(answer, "text").text = f"<p>{html.escape(choice.label)}</p>"
            _text(answer, "feedback", f"<p>{html.escape(choice.feedback)}</p>")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
