"""pnet_expert's benchmark: one command, every figure of issue 6, on this machine.

Run from the project root, in the environment where pnet_expert is installed:

    python benchmarks/run.py [--cases 2000] [--batch 10000] [--seed 6] [--quick]

It prints a Markdown table (the README's "Performance" section is its output):

* ``recommend()`` per case over a fixed, seeded set of generated valid cases
  (``benchmarks/cases.py``), from the case mapping to the full Consultation
  (validation, engine run, every reason, finding and gap), then with
  ``to_dict()`` as well: median and 90th percentile, and the targets;
* the same cases through the plain-Python evaluation of the same knowledge base
  (``pnet_expert.verify.plain``, generated from the knowledge base's data), the
  floor, and the ratio between the two;
* the engine's build time, and the number of builds over the whole run (one per
  knowledge base per process);
* peak memory (Python allocations while consulting, and the processes' RSS);
* ``pnet-expert recommend`` cold start on a small case (the whole process);
* ``pnet-expert batch`` on generated cases with ``--jobs 1`` and ``--jobs 2``,
  the speed-up, and whether the two outputs are byte-identical.

Timings are wall-clock medians, so other work on the machine shows in them;
run it on a quiet machine. It takes about a minute on two cores.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases import generate  # noqa: E402

TARGET_MS = 1.0
TARGET_COLD_S = 0.4
TARGET_SPEEDUP = 1.7
SMALL_CASE = ROOT / "examples" / "cases" / "insulinoma-small-tail.yaml"


def _ms(samples: Sequence[float]) -> tuple[float, float]:
    """Median and 90th percentile, in milliseconds, of samples in seconds."""
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p90 * 1000


def _per_case(
    items: Sequence[Any], calls: Sequence[Callable[[Any], object]], rounds: int
) -> list[list[float]]:
    """Seconds per call of each of ``calls`` on every item, ``rounds`` times, after a warm-up round.

    The calls take turns, round by round, so that a machine that speeds up or
    slows down during the run weighs on each of them alike.
    """
    clock = time.perf_counter
    for call in calls:
        for item in items:
            call(item)
    samples: list[list[float]] = [[] for _ in calls]
    for _ in range(rounds):
        for call, times in zip(calls, samples, strict=True):
            for item in items:
                start = clock()
                call(item)
                times.append(clock() - start)
    return samples


def machine() -> str:
    """CPU model, cores and Python, as the table's caption."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import version

    return (
        f"{model}, {os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"experta {version('experta')}"
    )


def consult(cases: list[dict[str, Any]], rounds: int) -> list[tuple[str, str, str]]:
    """recommend(), recommend().to_dict(), the plain floor, builds, memory."""
    from pnet_expert import load_knowledge_base, recommend
    from pnet_expert.core.case import validate_case
    from pnet_expert.engine import session
    from pnet_expert.knowledge.loader import bundled_path
    from pnet_expert.verify.plain import compile_plain

    rows: list[tuple[str, str, str]] = []

    # The engine's build: a fresh knowledge base object gets an engine of its own.
    fresh = load_knowledge_base(bundled_path())
    start = time.perf_counter()
    session.compiled(fresh)
    built = time.perf_counter() - start
    start = time.perf_counter()
    recommend(cases[0], fresh)
    first = time.perf_counter() - start
    rows.append(
        ("engine build (compile the knowledge base to an experta engine class)", f"{built * 1000:.1f} ms", "")
    )
    rows.append(("first consultation on a fresh engine (Rete network built)", f"{first * 1000:.1f} ms", ""))
    del fresh

    builds_before = session.builds  # the bundled knowledge base is not compiled yet
    kb = load_knowledge_base()
    plain = compile_plain(kb)
    gc.collect()
    full, full_dict, floor = _per_case(
        cases,
        [
            recommend,
            lambda case: recommend(case).to_dict(),
            lambda case: plain.evaluate(validate_case(case, kb)),
        ],
        rounds,
    )
    builds = session.builds - builds_before

    median, p90 = _ms(full)
    median_d, p90_d = _ms(full_dict)
    median_f, p90_f = _ms(floor)
    ok = "met" if median_d <= TARGET_MS else "NOT met"
    rows.append(
        (
            f"`recommend(case)`: validation, engine, full Consultation ({len(cases)} cases x {rounds})",
            f"median {median:.3f} ms, p90 {p90:.3f} ms",
            "",
        )
    )
    rows.append(
        (
            "`recommend(case).to_dict()`: the same, serialised as the JSON contract needs",
            f"median {median_d:.3f} ms, p90 {p90_d:.3f} ms",
            f"median <= {TARGET_MS} ms: {ok}",
        )
    )
    rows.append(
        (
            "plain-Python evaluation of the same knowledge base (validation + generated function), the floor",
            f"median {median_f:.3f} ms, p90 {p90_f:.3f} ms",
            "",
        )
    )
    rows.append(("ratio `recommend()` / plain floor (medians)", f"{median / median_f:.1f}x", ""))
    rows.append(
        (
            "engine classes built while consulting",
            f"{builds} (for {len(cases) * (2 * rounds + 2)} consultations)",
            "once per knowledge base per process: " + ("met" if builds == 1 else "NOT met"),
        )
    )

    tracemalloc.start()
    for case in cases[:500]:
        recommend(case).to_dict()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(
        (
            "peak memory: Python allocations while consulting 500 cases (tracemalloc); whole benchmark RSS",
            f"{peak / 1024:.0f} KiB; {rss:.0f} MiB",
            "",
        )
    )
    return rows


def _command() -> list[str]:
    """The installed ``pnet-expert`` script beside this Python, else ``python -m pnet_expert``."""
    script = Path(sys.executable).parent / "pnet-expert"
    if script.is_file():
        return [str(script)]
    found = shutil.which("pnet-expert")
    return [found] if found else [sys.executable, "-m", "pnet_expert"]


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, max RSS (MiB) and exit status of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, proc.returncode


def _installed_env(work: Path) -> dict[str, str]:
    """The environment of a command as installed: Python byte code cached, a knowledge base cache.

    ``pip install`` compiles the package's modules to byte code, and Python
    writes byte code for a source checkout on first use, unless
    ``PYTHONDONTWRITEBYTECODE`` is set (some sandboxes set it: then every start
    compiles every module of the source checkout again). The byte code goes to
    a temporary folder (``PYTHONPYCACHEPREFIX``), never into the checkout.
    """
    env = dict(os.environ, PNET_EXPERT_CACHE_DIR=str(work / "cache"))
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def cold_start(work: Path, repeat: int) -> list[tuple[str, str, str]]:
    """``pnet-expert recommend`` on a small case, the whole process, median of ``repeat`` runs."""
    rows: list[tuple[str, str, str]] = []
    env = _installed_env(work)
    small_json = work / "small.json"
    from pnet_expert.files.casefile import read_case

    small_json.write_text(json.dumps(dict(read_case(SMALL_CASE))))
    base = _command()
    status = _run([*base, "recommend", str(SMALL_CASE)], env)[2]  # writes the byte code and the cache
    if status != 0:
        message = f"pnet-expert recommend failed (status {status})"
        raise SystemExit(message)
    empty = [dict(env, PNET_EXPERT_CACHE_DIR=str(work / f"empty-cache-{n}")) for n in range(3)]
    first = statistics.median(_run([*base, "recommend", str(SMALL_CASE)], e)[0] for e in empty)
    no_bytecode = dict(os.environ, PNET_EXPERT_CACHE_DIR=str(work / "cache"), PYTHONDONTWRITEBYTECODE="1")
    variants = {
        "YAML": ([*base, "recommend", str(SMALL_CASE)], env),
        "JSON": ([*base, "recommend", str(small_json)], env),
        "no byte code": ([*base, "recommend", str(SMALL_CASE)], no_bytecode),
        "python": ([sys.executable, "-c", "pass"], env),
    }
    runs: dict[str, list[tuple[float, float, int]]] = {label: [] for label in variants}
    for _ in range(repeat):  # taking turns, as above
        for label, (argv, environment) in variants.items():
            runs[label].append(_run(argv, environment))
    for label in ("YAML", "JSON"):
        wall = statistics.median(r[0] for r in runs[label])
        rss = max(r[1] for r in runs[label])
        ok = "met" if wall < TARGET_COLD_S else "NOT met"
        rows.append(
            (
                f"`pnet-expert recommend` cold start, small {label} case (whole process, median of {repeat})",
                f"{wall:.3f} s (max RSS {rss:.0f} MiB)",
                f"< {TARGET_COLD_S} s: {ok}",
            )
        )
    rows.append(
        (
            "the same (YAML), with no byte code cached (`PYTHONDONTWRITEBYTECODE=1`: every start compiles "
            "the checkout's modules)",
            f"{statistics.median(r[0] for r in runs['no byte code']):.3f} s",
            "",
        )
    )
    rows.append(("the same (YAML), with an empty knowledge base cache (median of 3)", f"{first:.3f} s", ""))
    bare = statistics.median(r[0] for r in runs["python"])
    rows.append(("for scale: `python -c pass`", f"{bare:.3f} s", ""))
    return rows


def batch(work: Path, count: int, seed: int) -> list[tuple[str, str, str]]:
    """``pnet-expert batch`` with --jobs 1 and --jobs 2: time, speed-up, identical output."""
    cases = work / "cases.jsonl"
    cases.write_text("".join(json.dumps(c) + "\n" for c in generate(count, seed)))
    env = _installed_env(work)
    times: dict[int, float] = {}
    rss: dict[int, float] = {}
    for jobs in (1, 2):
        out = work / f"out{jobs}.jsonl"
        argv = [*_command(), "batch", str(cases), "-o", str(out), "--jobs", str(jobs), "--no-progress"]
        times[jobs], rss[jobs], status = _run(argv, env)
        if status != 0:
            message = f"pnet-expert batch --jobs {jobs} failed (status {status})"
            raise SystemExit(message)
    same = (work / "out1.jsonl").read_bytes() == (work / "out2.jsonl").read_bytes()
    speedup = times[1] / times[2]
    ok = "met" if speedup >= TARGET_SPEEDUP else "NOT met"
    return [
        (
            f"`pnet-expert batch` {count} cases, `--jobs 1`",
            f"{times[1]:.2f} s ({count / times[1]:,.0f} cases/s, max RSS {rss[1]:.0f} MiB)",
            "",
        ),
        (
            f"`pnet-expert batch` {count} cases, `--jobs 2`",
            f"{times[2]:.2f} s ({count / times[2]:,.0f} cases/s)",
            "",
        ),
        ("speed-up `--jobs 2` / `--jobs 1`", f"{speedup:.2f}x", f">= {TARGET_SPEEDUP}x: {ok}"),
        ("`--jobs 2` output byte-identical to `--jobs 1`, in input order", "yes" if same else "NO", ""),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Run every measurement and print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--cases", type=int, default=2000, help="generated cases for recommend() (default 2000)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds over those cases (default 3)")
    parser.add_argument("--batch", type=int, default=10000, help="cases for the batch runs (default 10000)")
    parser.add_argument("--seed", type=int, default=6, help="the generator's seed (default 6)")
    parser.add_argument("--repeat", type=int, default=11, help="cold-start runs of each case (default 11)")
    parser.add_argument("--quick", action="store_true", help="small numbers, to try the script")
    args = parser.parse_args(argv)
    if args.quick:
        args.cases, args.rounds, args.batch, args.repeat = 200, 1, 600, 3
    began = time.perf_counter()
    cases = generate(args.cases, args.seed)
    rows = consult(cases, args.rounds)
    with tempfile.TemporaryDirectory(prefix="pnet-bench-") as tmp:
        rows += cold_start(Path(tmp), args.repeat)
        rows += batch(Path(tmp), args.batch, args.seed + 1)
    print(f"Machine: {machine()}")
    print()
    print("| measure | result | target |")
    print("|---|---|---|")
    for what, result, target in rows:
        print(f"| {what} | {result} | {target} |")
    print()
    print(f"Benchmark wall time: {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
