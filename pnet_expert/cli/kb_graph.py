"""``pnet-expert kb graph -o OUT``: the knowledge base as a diagram (facts → findings → rules → treatments).

The output's suffix picks the format: ``.dot`` (Graphviz), ``.mmd`` (Mermaid)
or ``.svg`` (drawn by Graphviz's ``dot``, which must be installed).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pnet_expert.cli.common import add_kb_option, knowledge_base, write_output

HELP = "draw the knowledge base (or one section) as a diagram: .dot, .mmd, or .svg when Graphviz is installed"
FORMATS = {".dot": "dot", ".gv": "dot", ".mmd": "mermaid", ".svg": "svg"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """-o OUT, --section, --format, --kb."""
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT",
        help="the file to write (.dot, .mmd or .svg); - for stdout",
    )
    parser.add_argument("--section", "-s", metavar="S", help="only this section's rules and what they use")
    parser.add_argument(
        "--format",
        "-f",
        choices=("dot", "mermaid", "svg"),
        help="the format (default: from OUT's suffix; dot for standard output)",
    )
    add_kb_option(parser)


def output_format(output: str, chosen: str | None) -> str:
    """The format to write: the one chosen, or the one OUT's suffix names; InputError otherwise."""
    from pnet_expert.core import codes
    from pnet_expert.core.diagnostics import Diagnostic
    from pnet_expert.core.errors import InputError

    if chosen is not None:
        return chosen
    if output == "-":
        return "dot"
    suffix = Path(output).suffix.lower()
    if suffix not in FORMATS:
        message = f"unknown kind of diagram file {suffix or '(no suffix)'!r}"
        hint = "use .dot, .mmd or .svg (or --format)"
        raise InputError(Diagnostic(codes.FILE_UNKNOWN_SUFFIX, output, message, hint=hint))
    return FORMATS[suffix]


def run(args: argparse.Namespace) -> int:
    """Build the graph, render it, write it."""
    from pnet_expert.cli.kb_rules import check_section
    from pnet_expert.core import codes
    from pnet_expert.core.diagnostics import Diagnostic
    from pnet_expert.core.errors import InputError
    from pnet_expert.explain.reports.graph import dot_available, kb_graph, to_svg
    from pnet_expert.knowledge.identity import identify

    kb = knowledge_base(args)
    section = check_section(kb, args.section)
    kind = output_format(args.output, args.format)
    graph = kb_graph(kb, section)
    # which knowledge base it draws, as a comment: one line, no character that could end the comment
    about = " ".join(identify(kb).line().split())
    if kind == "mermaid":
        text = f"%% {about}\n{graph.to_mermaid()}"
    elif kind == "dot":
        text = f"// {about}\n{graph.to_dot()}"
    else:
        if not dot_available():
            message = "an SVG needs Graphviz's 'dot', which is not installed"
            hint = "write .dot or .mmd instead"
            raise InputError(Diagnostic(codes.INPUT_TOOL_MISSING, args.output, message, hint=hint))
        svg = to_svg(graph.to_dot())
        if svg is None:
            message = "Graphviz's 'dot' failed to draw the diagram"
            raise InputError(Diagnostic(codes.INPUT_TOOL_FAILED, args.output, message))
        text = svg
    if args.output == "-":
        sys.stdout.write(text)
        return 0
    write_output(args.output, text)
    nodes, edges = len(graph.nodes), len(graph.edges)
    print(f"wrote {args.output} ({kind}: {nodes} nodes, {edges} edges)", file=sys.stderr)
    return 0
