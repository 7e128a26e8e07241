"""Run the web app on uvicorn: bind first, say where, serve until Ctrl-C or SIGTERM, then stop cleanly.

The socket is bound here, before uvicorn starts, so that a port in use is a
clear error (not a log line from a server that then exits), ``--port 0``
takes a free port, and the one line printed on start names the real address.
Uvicorn then serves on that socket with the limits of :class:`.limits.Limits`
(connections at once, keep-alive, shutdown grace) and without its access log.
On SIGINT or SIGTERM it stops taking connections, lets open requests finish
(within ``Limits.shutdown_seconds``) and returns: the command exits 0 and the
port is free.
"""

from __future__ import annotations

import ipaddress
import signal
import socket
from collections.abc import Callable
from types import FrameType

import uvicorn

from pnet_expert.core import codes
from pnet_expert.core.diagnostics import Diagnostic
from pnet_expert.core.errors import InputError
from pnet_expert.core.schema import KnowledgeBase
from pnet_expert.web.app import create_app
from pnet_expert.web.limits import Limits


def is_loopback(host: str) -> bool:
    """Whether a host is this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (an InputError naming --host or --port when it cannot be had)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise InputError(
            Diagnostic(codes.INPUT_BAD_OPTION, "--host", f"{host!r} is not an address here: {exc.strerror}")
        ) from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        message = f"{port} cannot be used on {host}: {exc.strerror or exc}"
        raise InputError(
            Diagnostic(
                codes.INPUT_BAD_OPTION, "--port", message, hint="choose another port, or 0 for any free one"
            )
        ) from None
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    """The address a bound socket serves, as a URL."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(
    kb: KnowledgeBase,
    host: str,
    port: int,
    on_start: Callable[[str], None],
    limits: Limits | None = None,
) -> str | None:
    """Serve until stopped (``on_start(url)`` once the socket listens); return the signal that stopped it."""
    limits = limits or Limits()
    app = create_app(kb, limits)
    warm_up(kb)
    sock = bind(host, port)
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        server_header=False,
        limit_concurrency=limits.max_connections,
        timeout_keep_alive=int(limits.keep_alive_seconds),
        timeout_graceful_shutdown=int(limits.shutdown_seconds),
        lifespan="off",
    )
    server = uvicorn.Server(config)
    received: list[str] = []

    def note(sig: int, frame: FrameType | None) -> None:
        """Uvicorn raises the signal again once it has stopped: take it quietly."""
        del frame
        received.append(signal.Signals(sig).name)

    previous = {sig: signal.signal(sig, note) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        on_start(url_of(sock))
        server.run(sockets=[sock])
    finally:
        sock.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return received[0] if received else None


def warm_up(kb: KnowledgeBase) -> None:
    """Build the engine's network for each value of the first required fact (the type of tumor) before
    the first request, so that no early request pays for it (about 20 ms each)."""
    from pnet_expert.core.errors import PnetError
    from pnet_expert.explain.recommend import recommend

    required = [s for s in kb.facts.values() if s.required and s.value_ids]
    if not required:
        return
    base = {s.id: s.value_ids[0] for s in required}
    for value in required[0].value_ids:
        try:
            recommend({**base, required[0].id: value}, kb)
        except PnetError:
            return  # a case the constraints refuse: the engine warms up on first use instead
