"""The web server under a bounded load on loopback, against recommend() in-process.

Run from the project root, in the environment where pnet_expert is installed
with its 'web' extra:

    python benchmarks/web_load.py [--requests 400] [--concurrency 4] [--seed 15] [--check]

It starts ``pnet-expert serve --port 0`` (127.0.0.1, any free port), waits for
its start line, and sends ``--requests`` POST /api/recommend, at most
``--concurrency`` at a time (one keep-alive connection per client thread), the
cases drawn from the seeded generated set (``benchmarks/cases.py``). Every
answer is compared with ``recommend(case).to_dict()`` computed in this process.
It stops by itself: after the requests are sent, or at the ``--deadline`` (120 s)
whichever comes first; then it stops the server with SIGTERM and checks that
it exited 0. Only 127.0.0.1 is ever addressed.

It prints a Markdown table: latency (median, p90, p99) and throughput under
that load, then the same cases through ``recommend(case).to_dict()`` in
process, one after the other, and the ratios. With ``--check`` (the test
suite's ``tests/test_web_server.py`` uses it) it exits 1 when any answer was
not 200 or differed from the library's, or the server did not stop cleanly.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases import generate

from pnet_expert import load_knowledge_base, recommend


def _quantile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def start_server() -> tuple[subprocess.Popen[str], str, int]:
    """``pnet-expert serve --port 0`` on 127.0.0.1; the process, its host and port (from its start line)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pnet_expert", "serve", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"http://(127\.0\.0\.1):(\d+)/", line)
    if match is None:
        process.kill()
        message = f"the server did not start: {line!r} {process.stderr.read() if process.stderr else ''}"
        raise RuntimeError(message)
    return process, match.group(1), int(match.group(2))


def stop_server(process: subprocess.Popen[str]) -> int:
    """SIGTERM, then its exit status (killed after 15 s: a status of -9 says it did not stop)."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def load(
    host: str, port: int, bodies: list[bytes], concurrency: int, deadline: float
) -> tuple[list[float], list[tuple[int, bytes]], float]:
    """Send each body once, ``concurrency`` at a time, until done or out of time: latencies, answers, time."""
    latencies: list[float] = [0.0] * len(bodies)
    answers: list[tuple[int, bytes]] = [(0, b"")] * len(bodies)
    next_index = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + deadline

    def client() -> None:
        nonlocal next_index
        connection = http.client.HTTPConnection(host, port, timeout=30)
        try:
            while time.monotonic() < stop_at:
                with lock:
                    index = next_index
                    next_index += 1
                if index >= len(bodies):
                    return
                start = time.perf_counter()
                connection.request(
                    "POST", "/api/recommend", body=bodies[index], headers={"content-type": "application/json"}
                )
                response = connection.getresponse()
                data = response.read()
                latencies[index] = time.perf_counter() - start
                answers[index] = (response.status, data)
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    done = [i for i, (status, _) in enumerate(answers) if status]
    return [latencies[i] for i in done], answers, elapsed


def main() -> int:
    """Run the load, print the table; with --check, exit 1 on any wrong answer or unclean stop."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--deadline", type=float, default=120.0, help="seconds; the load stops then")
    parser.add_argument("--check", action="store_true", help="exit 1 unless every answer is the library's")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead")
    args = parser.parse_args()

    kb = load_knowledge_base()
    distinct = generate(min(args.requests, 200), args.seed, kb)
    cases = [distinct[i % len(distinct)] for i in range(args.requests)]
    bodies = [json.dumps(c).encode() for c in cases]
    expected = [recommend(c, kb).to_dict() for c in distinct]  # also warms this process's engine

    process, host, port = start_server()
    try:
        latencies, answers, elapsed = load(host, port, bodies, args.concurrency, args.deadline)
    finally:
        status = stop_server(process)

    wrong = sum(
        1
        for i, (code, data) in enumerate(answers)
        if code and (code != 200 or json.loads(data) != expected[i % len(distinct)])
    )
    sent = len(latencies)

    in_process = []
    for case in cases:
        start = time.perf_counter()
        recommend(case, kb).to_dict()
        in_process.append(time.perf_counter() - start)
    local_total = sum(in_process)

    figures: dict[str, Any] = {
        "requests": sent,
        "concurrency": args.concurrency,
        "wrong_answers": wrong,
        "server_exit_status": status,
        "http_median_ms": statistics.median(latencies) * 1000 if latencies else None,
        "http_p90_ms": _quantile(latencies, 0.9) * 1000 if latencies else None,
        "http_p99_ms": _quantile(latencies, 0.99) * 1000 if latencies else None,
        "http_throughput_per_s": sent / elapsed if elapsed else None,
        "local_median_ms": statistics.median(in_process) * 1000,
        "local_throughput_per_s": len(in_process) / local_total,
        "cores": os.cpu_count(),
    }
    if latencies:
        figures["latency_ratio"] = figures["http_median_ms"] / figures["local_median_ms"]
        figures["throughput_ratio"] = figures["local_throughput_per_s"] / figures["http_throughput_per_s"]
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(
            f"POST /api/recommend on 127.0.0.1: {sent} requests, {args.concurrency} at a time, "
            f"{os.cpu_count()} cores; every answer compared with recommend(case).to_dict()\n"
        )
        print("| measure | HTTP, under load | recommend() in process | ratio |")
        print("|---|---|---|---|")
        if latencies:
            print(
                f"| latency median | {figures['http_median_ms']:.2f} ms "
                f"| {figures['local_median_ms']:.2f} ms | {figures['latency_ratio']:.1f}x |"
            )
            print(
                f"| latency p90 / p99 | {figures['http_p90_ms']:.2f} / {figures['http_p99_ms']:.2f} ms | | |"
            )
            print(
                f"| throughput | {figures['http_throughput_per_s']:.0f} /s | "
                f"{figures['local_throughput_per_s']:.0f} /s | {figures['throughput_ratio']:.1f}x |"
            )
        print(
            f"\nwrong answers: {wrong}; requests not sent by the deadline: {args.requests - sent}; "
            f"server exit status after SIGTERM: {status}"
        )
    ok = wrong == 0 and status == 0 and sent == args.requests
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
