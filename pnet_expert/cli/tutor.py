"""``pnet-expert tutor``: learn the source's options case by case, with critique, hints and a student model.

With ``--progress FILE`` the student model is read from FILE (if it exists)
and saved to it after each case; with ``--report OUT.html`` as well, the
command writes the mastery report of that progress file instead of a session.
The tutor (and prompt_toolkit, on a terminal) is imported only when it runs.
"""

from __future__ import annotations

import argparse
import sys

from pnet_expert.cli.common import add_kb_option, knowledge_base, write_report
from pnet_expert.core.words import wrap

HELP = "a tutor: name the options the source offers for a case, get a critique, hints and a score"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--case, --seed, --section, --progress, --report, --kb."""
    parser.add_argument("--case", metavar="FILE", help="start with this case file (.json, .yaml, .toml)")
    parser.add_argument("--seed", type=int, metavar="N", help="a seed: the same seed chooses the same cases")
    parser.add_argument(
        "--section", "-s", metavar="S", help="teach only this section's rules (e.g. insulinoma)"
    )
    parser.add_argument(
        "--progress",
        metavar="FILE",
        help="the student's progress file (JSON): read if it exists, saved after each case",
    )
    parser.add_argument(
        "--report",
        metavar="OUT.html",
        help="write the mastery report of the --progress file (by section) instead of tutoring",
    )
    add_kb_option(parser)


def run(args: argparse.Namespace) -> int:
    """A tutoring session on the terminal, or (with --report) the progress report."""
    from pnet_expert.core import codes
    from pnet_expert.core.diagnostics import Diagnostic
    from pnet_expert.core.errors import InputError
    from pnet_expert.files.casefile import read_case
    from pnet_expert.tutor.cases import check_section
    from pnet_expert.tutor.progress import knowledge_base_note, load_progress, save_progress

    kb = knowledge_base(args)
    check_section(kb, args.section, "--section")
    if args.report:
        from pathlib import Path

        from pnet_expert.tutor.report import progress_html

        if not args.progress:
            raise InputError(
                Diagnostic(
                    codes.INPUT_BAD_OPTION, "--report", "needs --progress FILE (the progress to report)"
                )
            )
        if not Path(args.progress).exists():
            raise InputError(Diagnostic(codes.FILE_NOT_FOUND, args.progress, "no such progress file"))
        if not args.report.lower().endswith((".html", ".htm")):
            raise InputError(
                Diagnostic(
                    codes.FILE_UNKNOWN_SUFFIX, args.report, "the report is HTML", hint="name it OUT.html"
                )
            )
        kept = load_progress(args.progress)
        note = knowledge_base_note(kept, kb)
        if note:
            print(wrap(f"pnet-expert tutor: note: {note}", "  ", ""), file=sys.stderr)
        write_report(args.report, progress_html(kept, kb))
        return 0

    from pnet_expert.tutor.repl import TutorRepl
    from pnet_expert.tutor.session import Tutor
    from pnet_expert.tutor.student import StudentModel

    if args.case == "-":
        hint = "the tutor reads your answers from standard input; save the case to a file"
        raise InputError(
            Diagnostic(codes.INPUT_BAD_OPTION, "--case", "cannot be - (standard input)", hint=hint)
        )
    model = load_progress(args.progress) if args.progress else None
    note = knowledge_base_note(model, kb) if model is not None else None
    if note:
        print(wrap(f"pnet-expert tutor: note: {note}", "  ", ""), file=sys.stderr)
    cases = [read_case(args.case)] if args.case else []
    tutor = Tutor(kb, model, seed=args.seed, section=args.section, cases=cases)
    progress = args.progress

    def save(student: StudentModel) -> None:
        save_progress(progress, student, kb)

    return TutorRepl(tutor, out=sys.stdout, save=save if progress else None).run()
