"""``pnet-expert quiz``: a class quiz of distinct cases covering as many rules as it can.

Formats: ``json`` (``{"questions": [{"case", "answers", ...}]}``, for other
tools), ``moodle`` (Moodle XML), ``gift`` (Moodle's GIFT text) and ``html`` (a
worksheet with its answer key on a printed page of its own). The format is
``--format``'s, else the output file's suffix (.json, .xml, .gift or .txt,
.html), else JSON; without ``-o`` the quiz goes to standard output. A summary
(questions, rules covered) goes to standard error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pnet_expert.cli.common import add_kb_option, knowledge_base, write_output

HELP = "write a class quiz: distinct cases covering the rules, as JSON, Moodle XML, GIFT or an HTML worksheet"
FORMATS = ("json", "moodle", "gift", "html")
SUFFIXES = {
    ".json": "json",
    ".xml": "moodle",
    ".gift": "gift",
    ".txt": "gift",
    ".html": "html",
    ".htm": "html",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--count, --seed, --format, -o, --section, --distractors, --kb."""
    parser.add_argument(
        "--count", "-n", type=int, default=12, metavar="N", help="questions (default 12; at most 100)"
    )
    parser.add_argument(
        "--seed",
        type=int,
        metavar="S",
        help="the seed: the same seed makes the same quiz (default: a random one, printed)",
    )
    parser.add_argument(
        "--format", "-f", choices=FORMATS, help="json, moodle, gift or html (default: from -o's suffix)"
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="the file to write (default: standard output)")
    parser.add_argument("--section", "-s", metavar="S", help="only this section's rules (e.g. insulinoma)")
    parser.add_argument(
        "--distractors",
        type=int,
        default=4,
        metavar="N",
        help="wrong answers per question, at most (default 4; 0 to 10)",
    )
    add_kb_option(parser)


def output_format(args: argparse.Namespace) -> str:
    """The format asked for: --format, else the output's suffix, else JSON; an unknown suffix is an error."""
    from pnet_expert.core import codes
    from pnet_expert.core.diagnostics import Diagnostic
    from pnet_expert.core.errors import InputError

    if args.format:
        return str(args.format)
    if not args.output:
        return "json"
    suffix = Path(args.output).suffix.lower()
    if suffix not in SUFFIXES:
        allowed = ", ".join(SUFFIXES)
        raise InputError(
            Diagnostic(
                codes.FILE_UNKNOWN_SUFFIX,
                args.output,
                f"{suffix or 'no suffix'} does not say which format to write",
                hint=f"use --format ({', '.join(FORMATS)}) or a file name ending in {allowed}",
            )
        )
    return SUFFIXES[suffix]


def run(args: argparse.Namespace) -> int:
    """Build the quiz, render it, write it; say what it covers on standard error."""
    import json
    import random

    from pnet_expert.tutor.quiz import build_quiz

    kind = output_format(args)  # a bad suffix fails before any work
    kb = knowledge_base(args)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1_000_000)
    quiz = build_quiz(kb, args.count, seed, args.section, args.distractors)
    if kind == "moodle":
        from pnet_expert.tutor.moodle import quiz_moodle

        text = quiz_moodle(quiz)
    elif kind == "gift":
        from pnet_expert.tutor.gift import quiz_gift

        text = quiz_gift(quiz)
    elif kind == "html":
        from pnet_expert.tutor.report import quiz_html

        text = quiz_html(quiz)
    else:
        text = json.dumps(quiz.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        write_output(args.output, text)
    else:
        sys.stdout.write(text)
    where = f"wrote {args.output}" if args.output else "quiz"
    missing = f"; not covered: {', '.join(quiz.not_covered)}" if quiz.not_covered else ""
    print(
        f"pnet-expert: {where}: {len(quiz.questions)} questions (seed {seed}), "
        f"covering {len(quiz.covered)} of {len(quiz.rules)} rules{missing}",
        file=sys.stderr,
    )
    return 0
