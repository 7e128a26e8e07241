"""The tutor: grading, hints, teaching cases, a student model and quizzes (GUIDON for this knowledge base).

``grade(case, proposed_ids, kb=None) -> Grade`` is the library's entry point
(the web app builds on it); ``build_quiz`` makes a class quiz from the
knowledge base's own witnesses; ``pnet-expert tutor`` and ``pnet-expert quiz``
are the command-line front ends. This layer sits above the front door: it uses
``recommend`` (through ``explain``), ``verify``'s witnesses and ``consult``'s
line readers, and nothing above it.
"""

from __future__ import annotations

from pnet_expert.tutor.grading import MAX_PROPOSED, Credit, Grade, StrengthNote, Unoffered, grade
from pnet_expert.tutor.hints import Hint

__all__ = ["MAX_PROPOSED", "Credit", "Grade", "Hint", "StrengthNote", "Unoffered", "grade"]
