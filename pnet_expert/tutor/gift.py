"""A quiz in GIFT, Moodle's text format for questions (docs.moodle.org, "GIFT format").

Each question is ``::name::[html]text{ ... }`` with every answer written
``~%fraction%answer#feedback``: with no ``=`` answer, Moodle makes it a
multiple-answer question; right answers' weights are grades Moodle lists,
summing to 100, distractors' negative. ``####`` starts the general feedback.
Every text is escaped for GIFT (``~ = # { } :`` and the backslash get a
backslash, line breaks become ``\\n``) and for HTML, so no case or quote can
break the file. Questions are separated by a blank line; ``//`` lines are comments.
"""

from __future__ import annotations

import html
import re

from pnet_expert.knowledge.identity import identify
from pnet_expert.tutor.moodle import fraction_text, question_html
from pnet_expert.tutor.quiz import Quiz

_SPECIAL = re.compile(r"([\\~=#{}:])")


def escape(text: str) -> str:
    """Text safe inside GIFT: its special characters escaped, no line breaks."""
    return _SPECIAL.sub(r"\\\1", text).replace("\r", "").replace("\n", r"\n")


def quiz_gift(quiz: Quiz) -> str:
    """The quiz as GIFT text."""
    lines = [
        f"// {quiz.title}",
        f"// {identify(quiz.kb).line()}",
        f"// {' '.join(quiz.kb.disclaimer.split())}",
        "",
    ]
    lines += [f"$CATEGORY: $course$/pnet-expert quiz seed {quiz.seed}", ""]
    for question in quiz.questions:
        lines.append(f"// {question.name}: covers {', '.join(question.covers) or 'no new rule'}")
        lines.append(f"::{escape(question.name)}::[html]{escape(question_html(question))}" + "{")
        for choice in question.choices:
            answer = escape(html.escape(choice.label))
            feedback = escape(html.escape(choice.feedback))
            lines.append(f"\t~%{fraction_text(choice.fraction)}%{answer}#{feedback}")
        lines.append(f"\t####{escape(html.escape(question.general_feedback))}")
        lines.append("}")
        lines.append("")
    return "\n".join(lines)
