"""The interactive consultation (``pnet-expert consult``): a REPL that drives an Interview.

It shows each question the :class:`~pnet_expert.consult.interview.Interview` chooses,
with its allowed answers, takes answers and commands at every prompt (``help``
lists them), and shows the options once nothing more can change them. All the
reasoning is the interview's and the consultation's; this module only reads
lines and prints.

Answers, commands, treatments and facts are read as people type them
(:mod:`pnet_expert.core.matching`): any letter case, an id or its words, a
unique start, or the number shown, spaces and ``_`` alike (``Gastrinoma``,
``how Chemotherapy``, ``whynot regional chemotherapy``, ``lymph nodes liver``,
``opt`` for ``options``). The disclaimer is said once in a session, with the
first options shown; every line fits the terminal (:mod:`pnet_expert.explain.console`).

On a terminal it reads with prompt_toolkit (tab completion, a history for each
prompt), imported only here and only then; from a pipe or a file it reads plain
lines and echoes them, so that ``pnet-expert consult < answers.txt`` gives a
readable transcript and no escape codes. End of input and Ctrl-C leave cleanly;
a session with unsaved answers is never left, nor replaced by ``load``, without
a word.

The session survives anything a line can do: a line past ``repl_line_chars``
or not UTF-8 is skipped with a word, a command that fails (a file that cannot
be loaded, even a bug) says why and the session goes on with its answers, and
nothing from the input is written back raw: control characters are shown as
their escapes (``\\x1b``), so a pasted escape sequence cannot drive the terminal.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, TextIO, TypeVar

from pnet_expert.consult.interview import FactStatus, Interview
from pnet_expert.consult.questions import AnswerError, Question
from pnet_expert.core import codes
from pnet_expert.core.diagnostics import closest
from pnet_expert.core.errors import InputError, PnetError
from pnet_expert.core.limits import REPL_LINE_CHARS, exceeded
from pnet_expert.core.matching import Named, Wording, match, named
from pnet_expert.core.schema import FindingTest, KnowledgeBase, RuleSpec, iter_tests
from pnet_expert.core.show import printable
from pnet_expert.core.words import value_text, wrap
from pnet_expert.explain.console import emit
from pnet_expert.explain.consultation import Consultation
from pnet_expert.explain.text import readings_lines
from pnet_expert.files.casefile import write_atomic
from pnet_expert.files.safe_read import ReadProblem, read_line
from pnet_expert.knowledge.identity import identify
from pnet_expert.reasoning.checks import RuleCheck

COMMANDS: dict[str, tuple[str, str]] = {
    "help": ("", "this list, and what the current question means"),
    "why": ("", "why this question: the rules waiting on the answer (again: what they would offer)"),
    "how": ("TREATMENT", "how a treatment is offered: rule, source's words, findings, case facts"),
    "whynot": ("TREATMENT", "why a treatment is not offered: each rule that could, and what it lacks"),
    "facts": ("", "the answers so far, unknown ones marked"),
    "options": ("", "the options as things stand"),
    "back": ("", "undo the last answer"),
    "change": ("FACT", "answer one fact again (the others are kept)"),
    "save": ("FILE", "save the session as a case file (.yaml, .json, .toml)"),
    "load": ("FILE", "load a case file and go on with what is still open"),
    "report": ("FILE", "write the explanation report (.md, or .html)"),
    "quit": ("", "leave (offers to save unsaved answers)"),
}
"""Every command, with its argument and what it does: ``help`` prints this table."""

T = TypeVar("T")

PATH_COMMANDS = ("save", "load", "report")
YES = ("y", "yes")
HELP_HINT = "type help for the commands."
SAVE_PROMPT = "Save them first? A file name (such as session.yaml), or Enter to leave without saving: "
MARKS = {"true": "met", "false": "not met", "unknown": "unknown"}
"""A condition's truth on the case so far, as ``why`` shows it."""


class LineReader(Protocol):
    """Where lines come from: a terminal (prompt_toolkit) or plain standard input."""

    interactive: bool

    def read(self, prompt: str) -> str:
        """One line, without its newline; EOFError at the end, KeyboardInterrupt on Ctrl-C."""
        ...


class PlainReader:
    """Lines from a pipe or a file; the prompt and each line read are echoed, so it reads as a session."""

    interactive = False

    def __init__(self, stdin: TextIO, out: TextIO) -> None:
        self.stdin = stdin
        self.out = out

    def read(self, prompt: str) -> str:
        """Echo the prompt, read a line (within ``repl_line_chars``), echo it, control characters escaped."""
        self.out.write(prompt)
        self.out.flush()
        while True:
            try:
                line = read_line(self.stdin, "repl_line_chars")
            except ReadProblem as problem:  # too long, or not UTF-8: skipped, and said so
                self.out.write(f"(a line that {problem.message}: skipped)\n")
                continue
            if line is None:
                self.out.write("\n")
                raise EOFError
            if not line.lstrip().startswith("#"):  # a script's comments are not input
                break
        self.out.write(printable(line) + "\n")
        return line


def history_key(prompt: str) -> str:
    """Which history a prompt's up-arrow walks: one per question (every tumor's site shares one), one
    for the commands after the interview, one per yes/no confirmation and one for the save prompt."""
    return re.sub(r"\[\d+\]", "[]", prompt.strip())


class TerminalReader:
    """Lines from a terminal, with tab completion and a history for each prompt, kept for the session."""

    interactive = True

    def __init__(self, candidates: Callable[[str], Sequence[str] | None]) -> None:
        from prompt_toolkit.completion import CompleteEvent, Completer, Completion, PathCompleter
        from prompt_toolkit.document import Document

        paths = PathCompleter(expanduser=True)

        class _Completer(Completer):
            def get_completions(self, document: Document, event: CompleteEvent) -> Iterator[Completion]:
                before = document.text_before_cursor
                words = candidates(before)
                if words is None:  # a file name, after save, load or report
                    name = before.split(maxsplit=1)[1] if len(before.split(maxsplit=1)) > 1 else ""
                    yield from paths.get_completions(Document(name, len(name)), event)
                    return
                current = before.replace(",", " ").split(" ")[-1]
                for word in words:
                    if word.startswith(current.lower()):
                        yield Completion(word, start_position=-len(current))

        self.completer = _Completer()
        self.sessions: dict[str, Any] = {}

    def read(self, prompt: str) -> str:
        """One line from the terminal; the up arrow brings back what was typed at this kind of prompt only."""
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import InMemoryHistory

        key = history_key(prompt)
        session = self.sessions.get(key)
        if session is None:
            session = self.sessions[key] = PromptSession(
                history=InMemoryHistory(), completer=self.completer, complete_while_typing=False
            )
        return str(session.prompt(prompt))


def reader_for(
    stdin: TextIO, stdout: TextIO, candidates: Callable[[str], Sequence[str] | None]
) -> LineReader:
    """A terminal reader when both ends are a terminal, else plain lines."""
    if stdin.isatty() and stdout.isatty():
        return TerminalReader(candidates)
    return PlainReader(stdin, stdout)


def _answers(count: int, kind: str = "") -> str:
    """'1 answer', '3 unsaved answers'."""
    return f"{count} {kind}answer{'' if count == 1 else 's'}"


class Repl:
    """Drives an interview from lines of input; ``run`` returns the exit status."""

    def __init__(
        self, interview: Interview, reader: LineReader | None = None, out: TextIO | None = None
    ) -> None:
        self.interview = interview
        self.out = out or sys.stdout
        self.reader = reader or reader_for(sys.stdin, self.out, self.candidates)
        self._shown: Question | None = None
        self._show_again = True
        self._done_shown = False
        self._why: tuple[Question | None, int] = (None, 0)
        self._disclaimed = False

    # ------------------------------------------------------------ the loop

    def run(self, note: str | None = None) -> int:
        """The banner, then questions and commands until quit or the end of input."""
        self._banner()
        if note:
            self._say(note)
        while True:
            try:
                self._surviving(self._go_on)
                line = self.reader.read(self._surviving(self._prompt) or "consult> ")
                if len(line) > REPL_LINE_CHARS:  # a terminal's reader has no limit of its own
                    self._say(f"(a line that is too long: {exceeded('repl_line_chars')}; skipped)")
                    continue
                if not self._surviving(functools.partial(self._handle, line), default=True):
                    return 0
            except EOFError:
                return self._leave(ended=True)
            except KeyboardInterrupt:
                if self._confirm_quit():
                    return self._leave(ended=False)

    def _surviving(self, step: Callable[[], T], default: T | None = None) -> T | None:
        """Run one step of the loop; if it fails (a bug), say so and keep the session and its answers."""
        try:
            return step()
        except (EOFError, KeyboardInterrupt):
            raise
        except Exception as exc:
            self._say(
                wrap(
                    f"That did not work: internal error {type(exc).__name__}: {str(exc)[:200]} (a bug in "
                    "pnet_expert: please report it). The session goes on, with its answers."
                )
            )
            self._show_again = True
            return default

    def _handle(self, line: str) -> bool:
        """Take one line (an answer or a command); False when the session should end.

        A command's whole name comes first (unless it is also an answer, as
        ``no`` would be); then the line as an answer; then, when it is no
        answer, the unique start of a command (``opt`` for ``options``).
        """
        text = line.strip()
        if not text or text.startswith("#"):
            return True
        word, *more = text.split(maxsplit=1)
        rest = more[0].strip() if more else ""
        question = self.interview.next_question()
        self._show_again = True
        typed = word.lower()
        if typed in COMMANDS and not (question and typed in question.words):
            return self._command(typed, rest)
        if question is None:
            return self._by_start(word, rest, f"{word!r} is not a command")
        try:
            note = self.interview.answer_text(question, text)
        except AnswerError as exc:
            if exc.code == codes.INPUT_AMBIGUOUS:
                self._say(exc.problem)
                return True
            near = closest(typed, [*COMMANDS, *question.words])
            if self._starts_a_command(typed) or (near in COMMANDS and near not in question.words):
                return self._by_start(word, rest, f"{word!r} is neither an answer nor a command")
            self._say(exc.problem)
            return True
        except PnetError as exc:
            self._say(f"That answer cannot be taken: {exc}")
            return True
        if note:
            self._say(note)
        self._show_again = False
        return True

    @staticmethod
    def _starts_a_command(typed: str) -> bool:
        return any(name.startswith(typed) for name in COMMANDS)

    def _by_start(self, word: str, rest: str, neither: str) -> bool:
        """The command a word starts (``opt``: options); else what it is not, with the closest command."""
        if self._starts_a_command(word.lower()):
            try:
                command = match(
                    word, [Named(c) for c in COMMANDS], Wording("a command", "commands", "command")
                )
            except InputError as exc:
                self._say(exc.problem)
                return True
            return self._command(command, rest)
        near = closest(word.lower(), COMMANDS)
        self._say(f"{neither}{f' (did you mean {near!r}?)' if near else ''}; {HELP_HINT}")
        return True

    def _go_on(self) -> None:
        """Show the question to answer (again after a command), or the options once nothing is left."""
        question = self.interview.next_question()
        if question is None:
            if not self._done_shown:
                self._done_shown = True
                self._show_result()
            self._shown = None
            return
        self._done_shown = False
        if question != self._shown or self._show_again:
            self._ask(question)
        self._shown = question
        self._show_again = False

    def _ask(self, question: Question) -> None:
        self._say("")
        if question == self.interview.changing:
            self._say(f"Change {question.fact} (now: {self._value(question.fact)}).")
        self._say(wrap(f"{question.text}  [{question.slot}]", "  ", ""))
        self._say(wrap("answers: " + question.allowed(numbers=True), "    ", "  "))

    def _prompt(self) -> str:
        question = self.interview.next_question()
        return f"{question.slot}> " if question else "consult> "

    def _show_result(self) -> None:
        self._say("")
        self._say("Nothing more can change the options. Here they are.")
        self._say("")
        self._write(self.interview.consultation().to_text(disclaimer=self._disclaimer()))
        self._say(
            wrap(
                "Ask how TREATMENT or whynot TREATMENT, change FACT, save FILE, report FILE "
                "or quit (help lists every command)."
            )
        )

    def _banner(self) -> None:
        kb = self.interview.kb
        self._say(
            wrap(
                "pnet-expert consult: the treatment options one patient summary offers for a case of "
                "pancreatic neuroendocrine tumor, found by asking only what can change them. For "
                "teaching: options, never medical advice (the full notice comes with the first options)."
            )
        )
        self._say(wrap(identify(kb).line()))
        self._say("")
        self._say(
            wrap(
                "Answer each question by a word, its start or its number (unknown or ? when not known), "
                "or type a command: help lists them."
            )
        )

    def _disclaimer(self) -> bool:
        """Whether to show the disclaimer now: the first time options are shown in the session."""
        first = not self._disclaimed
        self._disclaimed = True
        return first

    # ------------------------------------------------------------ commands

    def _command(self, command: str, argument: str) -> bool:
        needs = COMMANDS[command][0]
        if needs and not argument:
            self._needs(command, needs)
            return True
        if command == "quit":
            self._leave(ended=False)
            return False
        handler: Callable[[str], None] = getattr(self, f"_cmd_{command}")
        try:
            handler(argument)
        except PnetError as exc:
            for line in str(exc).splitlines():
                self._say(wrap(line, "    ", ""))
        except OSError as exc:
            self._say(f"{argument}: cannot be written or read: {exc.strerror or exc}")
        return True

    def _needs(self, command: str, needs: str) -> None:
        """What a command needs, and for a treatment or a fact the numbered list to choose from."""
        if needs == "FILE":
            self._say(f"{command} needs a file name: {command} FILE (for example session.yaml)")
            return
        kb = self.interview.kb
        what, choices = ("a treatment", kb.treatments) if needs == "TREATMENT" else ("a fact", kb.facts)
        self._say(
            wrap(
                f"{command} needs {what}: {command} {needs}, by its id, its words, the start of either, "
                "or its number:"
            )
        )
        width = len(str(len(choices)))
        for number, choice in enumerate(named(choices), 1):
            self._say(wrap(f"{choice.id} ({choice.label})", " " * (width + 5), f"  {number:>{width}}  "))

    def _treatment(self, typed: str) -> str:
        """The treatment id typed words name (an id, a label, a start, a number), or an InputError."""
        kb = self.interview.kb
        wording = Wording(
            "a treatment id",
            "treatments",
            "treatment",
            codes.INPUT_UNKNOWN_NAME,
            "how alone lists them, numbered",
        )
        return match(typed, named(kb.treatments), wording, numbered=True)

    @staticmethod
    def _readings(kb: KnowledgeBase, rule: RuleSpec) -> list[str]:
        """The readings a rule relies on (ids): its own, then those of the findings it tests (and theirs)."""
        out: list[str] = list(rule.readings)
        todo = [t.finding for t in iter_tests(kb.conditions_of(rule)) if isinstance(t, FindingTest)]
        seen: set[str] = set()
        while todo:
            finding = kb.findings.get(todo.pop(0))
            if finding is None or finding.id in seen:
                continue
            seen.add(finding.id)
            out += [i for i in finding.readings if i not in out]
            todo += [t.finding for t in iter_tests(finding.rule.when) if isinstance(t, FindingTest)]
        return out

    def _cmd_help(self, _: str) -> None:
        question = self.interview.next_question()
        if question is not None and question.help:
            self._say(wrap(f"About this question ({question.fact}): {question.help}"))
            self._say("")
        self._say("Commands (at any prompt; the start of a command is enough):")
        for name, (argument, meaning) in COMMANDS.items():
            self._say(wrap(meaning, " " * 20, f"  {(name + ' ' + argument).strip():<18}"))
        self._say(
            wrap(
                "Tab completes commands, fact names, answers and treatment ids. Answers, treatments and "
                "facts may be typed by their words, in any case, or by their start or number."
            )
        )

    def _cmd_why(self, _: str) -> None:
        question = self.interview.next_question()
        if question is None:
            self._say("No question is open: nothing more can change the options.")
            self._say("Ask how TREATMENT or whynot TREATMENT to see the reasoning behind an option.")
            return
        previous, level = self._why
        level = level + 1 if previous == question else 1
        self._why = (question, level)
        if question == self.interview.changing:
            self._say(f"WHY: you asked to change {question.fact}; back cancels the change.")
        elif question.required:
            self._why_required(question, level)
        elif level == 1:
            self._why_rules(question)
        elif level == 2:
            self._why_offers(question)
        else:
            self._why_top()

    def _why_required(self, question: Question, level: int) -> None:
        if level > 1:
            self._why_top()
            return
        sections = self.interview.sections_chosen_by(question.fact)
        names = ", ".join(f"{s.title} ({s.rules[0]} to {s.rules[-1]})" for s in sections if s.rules)
        self._say(wrap(f"WHY: {question.fact} is required: it chooses the section of the source: {names}."))
        general = [s.title for s in self.interview.kb.sections.values() if s.kind == "general"]
        if general:
            self._say(wrap(f"The general section ({', '.join(general)}) applies to every type."))

    def _why_rules(self, question: Question) -> None:
        checks = self.interview.waiting(question)
        if not checks:
            self._say(f"WHY: no rule waits on {question.slot} any more; answer it or type unknown.")
            return
        count = len(checks)
        self._say(
            wrap(
                f"WHY: {count} rule{'s' if count > 1 else ''} of the source "
                f"{'are' if count > 1 else 'is'} waiting on {question.slot}; "
                f"each condition on the case so far (met, not met or unknown):"
            )
        )
        kb = self.interview.kb
        for check in checks:
            self._why_rule(check)
        cited = [i for check in checks for i in self._readings(kb, check.rule)]
        for line in readings_lines(kb, cited, "  "):
            self._say(line)
        reason = self.interview.reason(question)
        if reason is not None:
            self._say(wrap(reason.text))
        self._say("Ask why again to see what these rules would offer.")

    def _why_rule(self, check: RuleCheck) -> None:
        """One waiting rule: its conditions marked, the source's words, and the readings it relies on."""
        kb = self.interview.kb
        rule = check.rule
        section = kb.sections[rule.section].title
        self._say(wrap(f"{rule.id} ({section} section, {rule.strength}):", "      ", "  "))
        for condition in check.conditions:
            mark = MARKS[condition.truth.value]
            self._say(wrap(f"{condition.text} — {condition.detail}", " " * 15, f"      {mark:<9}"))
        self._say(wrap(f'"{rule.quote}"', "              ", "      Source: "))
        if rule.note:
            self._say(wrap(f"Note: {rule.note}", "        ", "      "))
        cited = [r.id for r in kb.readings_of(self._readings(kb, rule))]
        if cited:
            self._say(
                wrap(f"Readings it relies on: {', '.join(cited)} (in full below)", "        ", "      ")
            )

    def _why_offers(self, question: Question) -> None:
        kb = self.interview.kb
        offered = {o.id: o.rules for o in self.interview.consultation().treatments}
        self._say("WHY (one level up): the answer can decide whether these rules offer:")
        for check in self.interview.waiting(question):
            parts = []
            for offer in check.rule.offers:
                already = offered.get(offer.treatment)
                note = f" (already offered by {', '.join(already)})" if already else ""
                parts.append(f"{offer.treatment} ({kb.treatments[offer.treatment].label}){note}")
            self._say(wrap(f"{check.rule.id} ({check.rule.strength}): " + "; ".join(parts), "      ", "  "))
        self._say(wrap("The goal of the consultation: every option the source offers for this case."))

    def _why_top(self) -> None:
        self._say(
            wrap(
                "WHY (the top): the consultation asks only what can change the options one patient "
                "summary offers for this case; they are options for teaching, never advice."
            )
        )

    def _consultation(self) -> Consultation | None:
        if not self.interview.ready:
            question = self.interview.next_question()
            what = question.fact if question else "the required facts"
            self._say(f"There is no case yet: answer {what} first.")
            return None
        return self.interview.consultation()

    def _cmd_how(self, typed: str) -> None:
        treatment = self._treatment(typed)
        consultation = self._consultation()
        if consultation is not None:
            self._write(consultation.explain(treatment, disclaimer=self._disclaimer()))

    def _cmd_whynot(self, typed: str) -> None:
        treatment = self._treatment(typed)
        consultation = self._consultation()
        if consultation is not None:
            self._write(consultation.why_not(treatment, disclaimer=self._disclaimer()))

    def _cmd_options(self, _: str) -> None:
        consultation = self._consultation()
        if consultation is None:
            return
        still = self.interview.open_facts()
        if still:
            self._say(wrap(f"As things stand (still to ask: {', '.join(still)}):"))
        self._write(consultation.to_text(disclaimer=self._disclaimer()))

    def _cmd_facts(self, _: str) -> None:
        self._say("The facts of this case:")
        for fact in self.interview.kb.facts:
            status = self.interview.fact_status(fact)
            if status is FactStatus.ANSWERED:
                self._say(wrap(f"{fact} = {self._value(fact)}", "      ", "  "))
            else:
                self._say(f"  {fact}: {status.value}")

    def _value(self, fact: str) -> str:
        """A fact's answer in words: its value, "unknown", or "not given"."""
        status = self.interview.fact_status(fact)
        if status is FactStatus.UNKNOWN:
            return "unknown"
        if status in (FactStatus.ANSWERED, FactStatus.ENTERING):
            value = self.interview.current(fact)
            return "being entered" if value is None else value_text(value)
        return "not given"

    def _cmd_back(self, _: str) -> None:
        cancelled = self.interview.cancel_change()
        if cancelled is not None:
            self._say(f"The change of {cancelled.fact} is cancelled; its answer is kept.")
            return
        slot = self.interview.back()
        self._say("Nothing to undo." if slot is None else f"Took back the answer to {slot}.")

    def _cmd_change(self, typed: str) -> None:
        kb = self.interview.kb
        hint = f"the facts are: {', '.join(kb.facts)}"
        wording = Wording("a fact", "facts", "change", codes.INPUT_UNKNOWN_NAME, hint)
        self.interview.change(match(typed, named(kb.facts), wording, numbered=True))

    def _cmd_save(self, path: str) -> None:
        self.interview.save(path)
        self._say(f"Saved to {path}. Resume with: pnet-expert consult --load {path}")
        self._say(f"(pnet-expert recommend {path} shows its options too.)")

    def _cmd_load(self, path: str) -> None:
        replaced = len(self.interview.answers) if self.interview.dirty else 0
        if replaced and not self._yes(
            f"This session has {_answers(replaced, 'unsaved ')}; load {path} over them? (yes/no) "
        ):
            self._say("Not loaded: the answers of this session are kept (save FILE keeps them in a file).")
            return
        self.interview.load(path)
        if replaced:
            self._say(f"Replaced: the {_answers(replaced, 'unsaved ')} of the previous session.")
        self._say(f"Loaded {path}; only what is still open will be asked.")
        self._done_shown = False

    def _cmd_report(self, path: str) -> None:
        from pnet_expert.explain.reports.render import SUFFIXES, report_files

        kind = SUFFIXES.get(Path(path).suffix.lower())
        if kind is None:
            self._say(f"{path}: a report is written as Markdown (.md) or HTML (.html); name the file so.")
            return
        consultation = self._consultation()
        if consultation is None:
            return
        files = report_files(consultation, path)  # the report, and its diagram as an SVG file beside it
        for file, text in files.items():
            file.parent.mkdir(exist_ok=True)
            write_atomic(file, text)
        still = self.interview.open_facts()
        plural = "s" if len(still) > 1 else ""
        suffix = f" (as things stand: {len(still)} fact{plural} still to ask)" if still else ""
        self._say(f"Wrote the report to {path}{suffix}.")

    # ------------------------------------------------------------ leaving

    def _confirm_quit(self) -> bool:
        """After Ctrl-C: ask whether to quit (a second Ctrl-C or the end of input says yes)."""
        self._say("")
        try:
            answer = self.reader.read("Quit the consultation? (yes/no) ")
        except (EOFError, KeyboardInterrupt):
            self._say("")
            return True
        if answer.strip().lower() in YES:
            return True
        self._say("Going on.")
        self._show_again = True
        return False

    def _leave(self, ended: bool) -> int:
        """Leave; a session with unsaved answers is offered a save, or told it was not saved."""
        interview = self.interview
        if interview.dirty:
            if ended and not self.reader.interactive:
                self._say(
                    wrap(
                        f"End of input. Not saved: the {_answers(len(interview.answers))} of this session "
                        "(a script that ends with save FILE keeps them; pnet-expert consult --load FILE "
                        "resumes a saved session)."
                    )
                )
                return 0
            self._offer_save()
        elif interview.saved_path:
            self._say(f"Resume this session with: pnet-expert consult --load {interview.saved_path}")
        return 0

    def _yes(self, prompt: str) -> bool:
        """Ask a yes/no question; anything but yes (the end of input, Ctrl-C) is no."""
        try:
            answer = self.reader.read(printable(prompt))  # a prompt may quote what was typed
        except (EOFError, KeyboardInterrupt):
            self._say("")
            return False
        return answer.strip().lower() in YES

    def _offer_save(self) -> None:
        count = len(self.interview.answers)
        self._say(f"This session has {_answers(count, 'unsaved ')}.")
        while True:
            try:
                name = self.reader.read(SAVE_PROMPT).strip()
            except EOFError:
                name = ""
                self._say("")
            except KeyboardInterrupt:
                self._say("")
                if not self._leave_unsaved(count):
                    continue
                name = ""
            if not name:
                self._say("Left without saving: the answers of this session are not kept.")
                return
            try:
                self.interview.save(name)
            except PnetError as exc:
                self._say(str(exc))
                continue
            except OSError as exc:
                self._say(f"{name}: cannot be written: {exc.strerror or exc}")
                continue
            self._say(f"Saved to {name}. Resume with: pnet-expert consult --load {name}")
            return

    def _leave_unsaved(self, count: int) -> bool:
        """After Ctrl-C at the save prompt: leave without saving? (Ctrl-C again, or the end of input: yes.)"""
        try:
            answer = self.reader.read(f"Leave without saving the {_answers(count)}? (yes/no) ")
        except (EOFError, KeyboardInterrupt):
            self._say("")
            return True
        return answer.strip().lower() in YES

    # ------------------------------------------------------------ completion

    def candidates(self, before: str) -> Sequence[str] | None:
        """What may come next on a line (None: a file name), for tab completion."""
        words = before.split()
        question = self.interview.next_question()
        answers = list(question.words) if question else []
        if len(words) <= 1 and not before.endswith(" "):
            return [*answers, *COMMANDS]
        command = words[0].lower()
        if command in ("how", "whynot"):
            return list(self.interview.kb.treatments)
        if command == "change":
            return list(self.interview.kb.facts)
        if command in PATH_COMMANDS:
            return None
        if question is not None and question.kind == "set":
            return [c.word for c in question.choices]
        return []

    def _say(self, text: str) -> None:
        """A line (or lines) for the user, fitted to the terminal and emphasised on one (control
        characters from the input shown as their escapes)."""
        emit(printable(text) + "\n", self.out)

    def _write(self, text: str) -> None:
        """A block of text (options, HOW, WHY NOT), fitted to the terminal and emphasised on one
        (control characters shown as their escapes)."""
        emit(printable(text), self.out)
