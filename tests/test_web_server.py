"""``pnet-expert serve`` as a process on 127.0.0.1: its start line, answers, clean stop, and a bounded load.

Every server here listens on the loopback address only, on a port the
system picks (``--port 0``: the start line names it). The load test is
``benchmarks/web_load.py --check`` with a few hundred requests, four at a
time, which stops by itself (and at a deadline) and exits 1 unless every
answer is the library's and the server stopped cleanly. Also here: the core
install without the 'web' extra (its libraries made unimportable).
"""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import EXAMPLES, ROOT

from pnet_expert import recommend
from pnet_expert.web.server import is_loopback

pytestmark = pytest.mark.slow

CASE = {"tumor_type": "insulinoma", "tumors": [{"site": "head", "size": "small"}]}


def start(*extra: str) -> tuple[subprocess.Popen[str], str]:
    """Start ``python -m pnet_expert serve --port 0`` on 127.0.0.1; the process, and its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pnet_expert", "serve", "--host", "127.0.0.1", "--port", "0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.fullmatch(r"pnet-expert: serving (http://127\.0\.0\.1:\d+/) \(Ctrl-C to stop\)\n", line)
    if match is None:
        process.kill()
        pytest.fail(f"unexpected start line {line!r}; stderr: {process.communicate()[1]}")
    return process, match.group(1)


def post(url: str, body: bytes, content_type: str = "application/json") -> tuple[int, Any]:
    """POST a body; the status and the JSON answer (errors included)."""
    request = urllib.request.Request(url, data=body, headers={"content-type": content_type}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def server() -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A server for one test, stopped (and reaped) at its end whatever happened."""
    process, url = start()
    try:
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def port_is_free(url: str) -> bool:
    """Whether the URL's port can be bound again on 127.0.0.1 (as the server binds: TIME_WAIT allowed)."""
    port = int(url.rsplit(":", 1)[1].strip("/"))
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_answers_then_stops_cleanly_on_a_signal(
    server: tuple[subprocess.Popen[str], str], sig: int
) -> None:
    """An answer equal to the library's, then SIGTERM or Ctrl-C: exit 0, 'stopped', the port free again."""
    process, url = server
    status, answer = post(url + "api/recommend", json.dumps(CASE).encode())
    assert status == 200
    assert answer == recommend(CASE).to_dict()
    with urllib.request.urlopen(url, timeout=10) as page:
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-content-type-options"] == "nosniff"
    process.send_signal(sig)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert f"pnet-expert: stopped ({signal.Signals(sig).name})" in err
    assert "Traceback" not in err
    assert port_is_free(url)


def test_bad_and_oversized_bodies_over_http(server: tuple[subprocess.Popen[str], str]) -> None:
    """Over a real connection: 400 for broken JSON, 422 naming the field, 413 past the limit; never a 500."""
    _, url = server
    assert post(url + "api/recommend", b"{")[0] == 400
    status, answer = post(url + "api/recommend", b'{"tumor_type": "gastrinoma", "spread": ["lungs"]}')
    assert status == 422
    assert answer["diagnostics"][0]["path"] == "spread[0]"
    status, answer = post(url + "api/recommend", b" " * (1 << 20))
    assert (status, answer["diagnostics"][0]["code"]) == (413, "WEB-E001")
    status, answer = post(url + "api/recommend", json.dumps(CASE).encode())
    assert status == 200


def test_a_port_in_use_is_a_clear_error(server: tuple[subprocess.Popen[str], str]) -> None:
    """A second server on the same port: exit 2, the port named, no traceback."""
    _, url = server
    port = url.rsplit(":", 1)[1].strip("/")
    done = subprocess.run(
        [sys.executable, "-m", "pnet_expert", "serve", "--port", port],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(
        f"pnet-expert: error: [INPUT-E002] --port: {port} cannot be used on 127.0.0.1"
    )
    assert "Traceback" not in done.stderr


def test_a_host_beyond_this_machine_warns_once() -> None:
    """A host beyond loopback gets one warning line first (here one the machine lacks: nothing listens)."""
    done = subprocess.run(
        [sys.executable, "-m", "pnet_expert", "serve", "--host", "192.0.2.1", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    warnings = [line for line in done.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1
    assert warnings[0].startswith("pnet-expert: warning: --host 192.0.2.1 serves every machine")
    assert done.returncode == 2  # 192.0.2.1 (TEST-NET-1) is nobody's address here: nothing was served
    assert all(is_loopback(host) for host in ("127.0.0.1", "127.0.0.2", "::1", "localhost"))
    assert not is_loopback("0.0.0.0")


def test_a_bounded_load_gets_the_librarys_answers() -> None:
    """300 requests, 4 at a time, on 127.0.0.1: every answer is the library's; the server stops cleanly."""
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "web_load.py"),
            "--requests",
            "300",
            "--concurrency",
            "4",
            "--deadline",
            "90",
            "--check",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(done.stdout)
    assert figures["requests"] == 300
    assert figures["wrong_answers"] == 0
    assert figures["server_exit_status"] == 0


BLOCK_WEB = (
    "import sys\n"
    "for name in ('starlette', 'uvicorn', 'multipart', 'python_multipart', 'anyio'):\n"
    "    sys.modules[name] = None  # as if the 'web' extra were not installed\n"
    "from pnet_expert.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def test_without_the_web_extra_the_core_works_and_serve_says_how_to_install() -> None:
    """With the server's libraries missing: recommend works; serve exits 2 naming the pip command."""
    case_file = EXAMPLES / "cases" / "gastrinoma-liver-severe.yaml"
    done = subprocess.run(
        [sys.executable, "-c", BLOCK_WEB, "recommend", str(case_file), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["fired_rules"] == ["GAS-01", "GAS-07", "GAS-09", "GAS-11"]
    done = subprocess.run(
        [sys.executable, "-c", BLOCK_WEB, "serve"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.startswith("pnet-expert: error: [INPUT-E008] serve: the web server is not installed")
    assert "install it with: pip install 'pnet-expert[web]'" in done.stderr
    assert "Traceback" not in done.stderr
    imported = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, pnet_expert; pnet_expert.recommend({'tumor_type': 'vipoma'}); "
            "print(sorted(m for m in ('starlette', 'uvicorn', 'anyio', 'multipart') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert imported.stdout.strip() == "[]"
