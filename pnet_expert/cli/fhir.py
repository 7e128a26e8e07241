"""``pnet-expert fhir to-bundle|to-case|codesystem``: a case as a FHIR R4 bundle (mCODE), and back."""

from __future__ import annotations

import argparse
import json
import sys

from pnet_expert.cli.common import add_kb_option, knowledge_base, write_output
from pnet_expert.core.limits import BUNDLE_BYTES

HELP = "a case as a FHIR R4 bundle shaped by mCODE (to-bundle), a bundle as a case (to-case), the CodeSystem"
MAX_BYTES = BUNDLE_BYTES
"""The largest bundle file read (FHIR-E005): a case's bundle is a few kilobytes."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """to-bundle CASE, to-case BUNDLE, codesystem; each with -o and --kb."""
    sub = parser.add_subparsers(dest="fhir_command", metavar="COMMAND")
    sub.required = True
    to_bundle = sub.add_parser("to-bundle", help="write a case file as a FHIR bundle (JSON)")
    to_bundle.add_argument("case", metavar="CASE", help="a case file (.json, .yaml, .yml, .toml), or -")
    to_case = sub.add_parser("to-case", help="read a FHIR bundle (JSON) back as a case")
    to_case.add_argument("bundle", metavar="BUNDLE", help="a FHIR Bundle as a JSON file, or -")
    to_case.add_argument("--format", "-f", choices=("json", "yaml"), default="json", help="the case's format")
    sub.add_parser("codesystem", help="the project's CodeSystem for the facts no standard code names")
    for command in sub.choices.values():
        command.add_argument(
            "-o", "--output", metavar="FILE", help="write to FILE instead of standard output"
        )
        add_kb_option(command)


def _read_bundle(path: str) -> object:
    """A bundle file's JSON (a regular file or standard input, bounded in size; errors name the file)."""
    from pnet_expert.core import codes
    from pnet_expert.core.diagnostics import Diagnostic
    from pnet_expert.core.errors import CaseError
    from pnet_expert.files.casefile import parse_case_text
    from pnet_expert.files.safe_read import ReadProblem, read_stream, read_text

    name = "<stdin>" if path == "-" else path
    try:
        text = read_stream(sys.stdin, "bundle_bytes") if path == "-" else read_text(path, "bundle_bytes")
    except ReadProblem as exc:
        if exc.code != codes.FILE_PAST_LIMIT:
            raise CaseError(exc.diagnostic(name)) from None
        message = f"larger than the limit of {MAX_BYTES // (1 << 20)} MiB for a bundle (limit bundle_bytes)"
        raise CaseError(Diagnostic(codes.FHIR_TOO_LARGE, name, message)) from None
    return parse_case_text(text, "json", name)


def run(args: argparse.Namespace) -> int:
    """Convert, and print or write the result."""
    from pnet_expert.interop import fhir, terminology

    kb = knowledge_base(args)
    if args.fhir_command == "to-bundle":
        from pnet_expert.files.casefile import read_case

        data: object = fhir.to_bundle(read_case(args.case), kb)
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    elif args.fhir_command == "to-case":
        case = fhir.to_case(_read_bundle(args.bundle), kb, name=args.bundle)
        from pnet_expert.files.casefile import case_text

        text = case_text(case, ".yaml" if args.format == "yaml" else ".json")
    else:
        text = json.dumps(terminology.codesystem(kb), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        write_output(args.output, text)
        print(f"pnet-expert: wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
