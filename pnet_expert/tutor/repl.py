"""``pnet-expert tutor``'s loop: present a case, read the student's options, critique, hint, go on.

All the teaching is :class:`~pnet_expert.tutor.session.Tutor`'s; this module
reads lines (prompt_toolkit with completion on a terminal, plain echoed lines
from a pipe: the consultation REPL's readers) and writes what the tutor says.
After the first answer a case is critiqued option by option: each right one
with its rule and the source's words, each one the source does not offer with
WHY NOT, and the number missed, which ``hint`` (three levels) and ``reveal``
open up. ``how``, ``whynot`` and ``explain`` wait for a first answer (before
it they would give the answer away). Each case done is saved to the progress
file, when there is one, before the next is shown.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from pnet_expert.consult.repl import LineReader, reader_for
from pnet_expert.core.errors import PnetError, did_you_mean
from pnet_expert.core.logic import Truth
from pnet_expert.core.words import wrap
from pnet_expert.explain.consultation import Consultation
from pnet_expert.knowledge.identity import identify
from pnet_expert.tutor.grading import Credit, Grade, Unoffered
from pnet_expert.tutor.hints import LEVELS
from pnet_expert.tutor.matching import match_treatment
from pnet_expert.tutor.session import Exercise, Feedback, Tutor
from pnet_expert.tutor.student import Lesson, StudentModel
from pnet_expert.tutor.words import case_words

COMMANDS: dict[str, tuple[str, str]] = {
    "help": ("", "this list"),
    "hint": ("", "a hint for an option you missed: the fact, then the source's words, then the rule"),
    "reveal": ("", "show the options you missed, with their rules"),
    "how": ("TREATMENT", "how the source offers a treatment for this case (after your first answer)"),
    "whynot": ("TREATMENT", "why the source does not offer a treatment here (after your first answer)"),
    "explain": ("", "the whole explanation of this case (after your first answer)"),
    "case": ("", "the case again"),
    "list": ("", "every treatment: its id and its label"),
    "score": ("", "your score on this case so far"),
    "progress": ("", "what you know, section by section"),
    "next": ("", "record this case and go on to another"),
    "quit": ("", "record this case and leave"),
}
"""Every command, with its argument and what it does. Any other line is an answer."""

AFTER_ANSWER = ("how", "whynot", "explain")

Saver = Callable[[StudentModel], None]


def _wrap(text: str, indent: str = "", first: str | None = None) -> str:
    return wrap(text, indent, first)


def _cases(n: int) -> str:
    return f"{n} case{'s' if n != 1 else ''}"


class TutorRepl:
    """Reads lines and drives a :class:`Tutor`; ``run`` returns the exit status."""

    def __init__(
        self,
        tutor: Tutor,
        reader: LineReader | None = None,
        out: TextIO | None = None,
        save: Saver | None = None,
    ) -> None:
        self.tutor = tutor
        self.out = out or sys.stdout
        self.reader = reader or reader_for(sys.stdin, self.out, self.candidates)
        self.save = save

    # ------------------------------------------------------------ the loop

    def run(self) -> int:
        """The banner, the first case, then answers and commands until quit or the end of input."""
        self._banner()
        self._present(self.tutor.next_case())
        while True:
            try:
                line = self.reader.read(self._prompt())
            except EOFError:
                self._leave()
                return 0
            except KeyboardInterrupt:
                self._say("")
                self._say("Interrupted: type quit to leave (this case is then recorded).")
                continue
            if not self._handle(line):
                return 0

    def _prompt(self) -> str:
        exercise = self.tutor.exercise
        return "tutor> " if exercise is not None and exercise.answered else "answer> "

    def _handle(self, line: str) -> bool:
        """Take one line; False when the session ends."""
        text = line.strip()
        if not text or text.startswith("#"):
            return True
        word, _, rest = text.partition(" ")
        command = word.lower()
        if command in COMMANDS:
            if command == "quit":
                self._leave()
                return False
            argument = rest.strip()
            if COMMANDS[command][0] and not argument:
                self._say(f"{command} needs a treatment: {command} TREATMENT (an id, a label, or its start)")
                return True
            try:
                getattr(self, f"_cmd_{command}")(argument)
            except PnetError as exc:
                self._problems(exc)
            return True
        try:
            feedback = self.tutor.answer(text)
        except PnetError as exc:
            self._problems(exc)
            if len(text.split()) == 1 and did_you_mean(command, COMMANDS):
                self._say(f"(Or a command{did_you_mean(command, COMMANDS)}? help lists them.)")
            return True
        self._critique(feedback)
        return True

    def _problems(self, exc: PnetError) -> None:
        for d in getattr(exc, "diagnostics", ()) or ():
            self._say(_wrap(d.detail if d.path in ("answer", "") else f"{d.path}: {d.detail}"))
        if not getattr(exc, "diagnostics", ()):
            self._say(str(exc))

    # ------------------------------------------------------------ showing

    def _banner(self) -> None:
        kb = self.tutor.kb
        self._say("pnet-expert tutor: which treatment options does one patient summary offer? Case by case,")
        self._say("you name them; the tutor critiques each against the source's rules and words.")
        self._say(_wrap(identify(kb).line()))
        self._say("")
        self._say(_wrap(kb.disclaimer))
        self._say("")
        self._say(
            _wrap(
                "Type the options separated by commas (ids or labels, any case; the start is enough), "
                "or none. help lists the commands."
            )
        )

    def _present(self, exercise: Exercise) -> None:
        self._say("")
        self._say(f"Case {exercise.number} ({exercise.why})")
        self._show_case(exercise)
        self._say("Which treatment options does the source offer for this case?")

    def _show_case(self, exercise: Exercise) -> None:
        words = case_words(self.tutor.kb, exercise.case)
        for line in words.lines():
            self._say(_wrap(line.strip(), "      ", "  "))

    def _critique(self, feedback: Feedback) -> None:
        grade = feedback.grade
        if feedback.already:
            self._say(f"Already named: {', '.join(feedback.already)}.")
        if feedback.new_correct:
            self._say(f"Right ({len(feedback.new_correct)}):")
            for credit in feedback.new_correct:
                self._say(_wrap(self._credit_line(credit), "      ", "  ✓ "))
        for note in feedback.strengths:
            if note.right:
                self._say(_wrap(f"{note.treatment}: '{note.source}', as the source says.", "    ", "    "))
            else:
                self._say(
                    _wrap(
                        f"{note.treatment}: the source says '{note.source}', not '{note.stated}'.",
                        "    ",
                        "    ",
                    )
                )
        if feedback.new_not_offered:
            self._say(f"Not offered for this case ({len(feedback.new_not_offered)}):")
            for unoffered in feedback.new_not_offered:
                self._say(_wrap(f"{unoffered.treatment} ({unoffered.label}). WHY NOT:", "      ", "  ✗ "))
                for line in self._why_not_lines(unoffered):
                    self._say(line)
        self._state(grade, first=feedback.first)

    def _state(self, grade: Grade, first: bool) -> None:
        """What is left to find, the score, and (after the first answer) the case's gaps."""
        if grade.missed:
            n = len(grade.missed)
            more = "more option" + ("s" if n > 1 else "")
            self._say(
                _wrap(
                    f"The source offers {n} {more} for this case. Name {'them' if n > 1 else 'it'}, "
                    "or type hint (three levels), or reveal."
                )
            )
        elif grade.not_offered:
            self._say("You have every option the source offers; the others you named it does not offer.")
        else:
            self._say("Every option the source offers, and nothing else.")
        self._score(grade)
        if first:
            consultation = grade.consultation
            self._notes(consultation)
            if not consultation.treatments:
                self._say(_wrap("The source offers nothing for this case: the right answer is none."))
        if not grade.missed:
            self._say("Type explain for the whole explanation, or next for another case.")

    def _notes(self, consultation: Consultation) -> None:
        """The case's gaps, then what the source leaves unsaid about facts it states (its silences)."""
        for gap in consultation.gaps:
            self._say(_wrap(f"Gap: {gap}", "    ", "  "))
        for silence in consultation.silences:
            self._say(_wrap(f"Silence: {silence.text}", "    ", "  "))

    def _score(self, grade: Grade) -> None:
        self._say(
            f"Score: {grade.score:.2f} ({len(grade.correct)} right, {len(grade.missed)} missed, "
            f"{len(grade.not_offered)} not offered; 1.00 only when nothing is missed or added)"
        )

    def _credit_line(self, credit: Credit) -> str:
        """The option, then each rule that offers it with its own strength and qualifiers, and its words."""
        reasons = " | ".join(
            f'{r.rule} ({"; ".join((r.strength, *r.qualifiers))}): "{r.quote}"' for r in credit.because
        )
        cautions = "".join(f" Caution ({c.id}, on {', '.join(c.rules)}): {c.text}" for c in credit.cautions)
        return f"{credit.treatment} ({credit.label}) — {reasons}{cautions}"

    def _why_not_lines(self, unoffered: Unoffered) -> list[str]:
        mine = [c for c in unoffered.checks if c.rule.section in unoffered.case_sections]
        lines = []
        for check in mine:
            blocking = [c for c in check.conditions if c.truth is not Truth.TRUE]
            lines.append(_wrap(f"{check.rule.id} ({check.rule.section}):", "        ", "      "))
            lines += [_wrap(c.line(), "          ", "        ") for c in blocking]
        if not mine:
            others = ", ".join(f"{c.rule.id} ({c.rule.section})" for c in unoffered.checks) or "no rule"
            lines.append(
                _wrap(
                    f"No rule of the sections for this case offers it; it is offered by {others}, "
                    "for other kinds of case.",
                    "        ",
                    "      ",
                )
            )
        return lines

    # ------------------------------------------------------------ commands

    def _exercise(self) -> Exercise:
        exercise = self.tutor.exercise
        assert exercise is not None
        return exercise

    def _answered(self, command: str) -> bool:
        if self._exercise().answered:
            return True
        self._say(f"Answer first ({command} would give the answer away), or type reveal.")
        return False

    def _cmd_help(self, _: str) -> None:
        self._say("Any line that is not a command is an answer: treatments separated by commas")
        self._say(
            "(ids or labels, any case, the start is enough; 'TREATMENT: may include' states a strength)."
        )
        self._say("Commands:")
        for name, (argument, meaning) in COMMANDS.items():
            self._say(f"  {(name + ' ' + argument).strip():<18}{meaning}")

    def _cmd_hint(self, _: str) -> None:
        exercise = self._exercise()
        if not exercise.answered:
            self._say("Answer first: a hint is for an option your answer misses.")
            return
        found = self.tutor.hint()
        if found is None:
            grade = exercise.current
            if grade is not None and grade.missed:
                self._say(
                    "No more hints: every option you missed has had all three. Type reveal, or name them."
                )
            else:
                self._say("Nothing is missed: no hint needed.")
            return
        _, hint = found
        self._say(f"Hint {hint.level} of {LEVELS}:")
        if "\n" in hint.text:  # the rule and HOW: lines already laid out
            self.out.write(hint.text + "\n")
        else:
            self._say(_wrap(hint.text, "    ", "  "))

    def _cmd_reveal(self, _: str) -> None:
        missed = self.tutor.reveal()
        if not missed:
            self._say("Nothing is missed.")
        else:
            self._say(f"The option{'s' if len(missed) > 1 else ''} you missed:")
            for credit in missed:
                self._say(_wrap(self._credit_line(credit), "      ", "  • "))
        grade = self._exercise().current
        if grade is not None:
            self._notes(grade.consultation)
        self._say("Type explain for the whole explanation, or next for another case.")

    def _cmd_how(self, name: str) -> None:
        if self._answered("how"):
            self.out.write(self._exercise().consultation.explain(match_treatment(name, self.tutor.kb)))

    def _cmd_whynot(self, name: str) -> None:
        if self._answered("whynot"):
            self.out.write(self._exercise().consultation.why_not(match_treatment(name, self.tutor.kb)))

    def _cmd_explain(self, _: str) -> None:
        if self._answered("explain"):
            self.out.write(self._exercise().consultation.to_text())

    def _cmd_case(self, _: str) -> None:
        exercise = self._exercise()
        self._say(f"Case {exercise.number} ({exercise.why})")
        self._show_case(exercise)

    def _cmd_list(self, _: str) -> None:
        self._say("The treatments (id: label):")
        for t in self.tutor.kb.treatments.values():
            self._say(_wrap(f"{t.id}: {t.label}", "      ", "  "))

    def _cmd_score(self, _: str) -> None:
        grade = self._exercise().current
        if grade is None:
            self._say("No answer yet on this case.")
        else:
            self._score(grade)

    def _cmd_progress(self, _: str) -> None:
        model = self.tutor.model
        self._say("What you know, by section (mastery 0.50 = not met yet; rules seen of all):")
        for section in model.sections(self.tutor.kb):
            self._say(
                f"  {section.title[:56]:<56} {section.seen:>2} of {len(section.rules):>2} seen, "
                f"mastery {section.mastery:.2f}"
            )
        mean = self.tutor.mean_score()
        if mean is not None:
            self._say(
                f"This session: {_cases(len(self.tutor.done))}, mean score of first answers {mean:.2f}."
            )

    def _cmd_next(self, _: str) -> None:
        self._record(self.tutor.finish())
        self._present(self.tutor.next_case())

    # ------------------------------------------------------------ recording and leaving

    def _record(self, lesson: Lesson | None) -> None:
        if lesson is None:
            return
        revealed = ", options revealed" if lesson.revealed else ""
        hints = f"{lesson.hints} hint{'s' if lesson.hints != 1 else ''}"
        scores = f"first answer {lesson.score:.2f}, in the end {lesson.final_score:.2f}"
        self._say(f"Recorded: {scores} ({hints}{revealed}).")
        if self.save is not None:
            try:
                self.save(self.tutor.model)
            except (PnetError, OSError) as exc:
                why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                self._say(_wrap(f"Could not save your progress: {why}; it is kept for this session."))

    def _leave(self) -> None:
        self._record(self.tutor.finish())
        mean = self.tutor.mean_score()
        done = len(self.tutor.done)
        if mean is None:
            self._say("No case answered in this session.")
        else:
            self._say(f"This session: {_cases(done)}, mean score of first answers {mean:.2f}.")

    # ------------------------------------------------------------ completion

    def candidates(self, before: str) -> Sequence[str] | None:
        """What may come next on a line, for tab completion: commands first, then treatment ids."""
        words = before.split()
        ids = list(self.tutor.kb.treatments)
        if len(words) <= 1 and not before.endswith(" "):
            return [*COMMANDS, *ids]
        return ids

    def _say(self, text: str) -> None:
        self.out.write(text + "\n")
