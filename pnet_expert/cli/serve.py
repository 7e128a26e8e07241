"""``pnet-expert serve``: the classroom web app and HTTP API (the optional 'web' extra)."""

from __future__ import annotations

import argparse
import sys

from pnet_expert.cli.common import add_kb_option, knowledge_base

HELP = "serve the web app and the HTTP API (needs: pip install 'pnet-expert[web]')"
INSTALL = "pip install 'pnet-expert[web]'"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--host, --port, --kb."""
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 for a classroom)",
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="the port to listen on (default: 8000; 0: any free port)"
    )
    add_kb_option(parser)


def run(args: argparse.Namespace) -> int:
    """Check the extra is installed, load the knowledge base, then serve until Ctrl-C or SIGTERM."""
    from pnet_expert.core import codes
    from pnet_expert.core.diagnostics import Diagnostic
    from pnet_expert.core.errors import InputError

    try:
        from pnet_expert.web.server import is_loopback, serve
    except ImportError as exc:
        message = f"the web server is not installed ({exc})"
        raise InputError(
            Diagnostic(codes.INPUT_TOOL_MISSING, "serve", message, hint=f"install it with: {INSTALL}")
        ) from None
    if not 0 <= args.port <= 65535:
        raise InputError(
            Diagnostic(codes.INPUT_BAD_OPTION, "--port", f"{args.port} is not a port", hint="use 0 to 65535")
        )
    kb = knowledge_base(args)
    if not is_loopback(args.host):
        print(
            f"pnet-expert: warning: --host {args.host} serves every machine that can reach this one "
            "(for a classroom); the pages and the API have no login",
            file=sys.stderr,
            flush=True,
        )

    def started(url: str) -> None:
        print(f"pnet-expert: serving {url} (Ctrl-C to stop)", flush=True)

    stopped_by = serve(kb, args.host, args.port, started)
    print(f"pnet-expert: stopped{f' ({stopped_by})' if stopped_by else ''}", file=sys.stderr, flush=True)
    return 0
