"""Median milliseconds per recommend() over the public cases, and the engine's build time.

Run: python benchmarks/public_cases.py [--repeat N]
(The full benchmark, with generated cases, batch and cold start, is benchmarks/run.py.)
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "cases"


def load_cases() -> list[dict[str, object]]:
    """The public example cases, as the project's case files hold them (examples/cases/)."""
    from pnet_expert.files.casefile import read_case

    return [dict(read_case(p)) for p in sorted(EXAMPLES.glob("*.yaml"))]


def main() -> None:
    """Time engine build and per-case recommend() with its full explanation (to_dict)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200, help="rounds over the cases (default 200)")
    args = parser.parse_args()

    from pnet_expert import load_knowledge_base, recommend
    from pnet_expert.engine import session

    kb = load_knowledge_base()
    start = time.perf_counter()
    session.compiled(kb)
    build_ms = (time.perf_counter() - start) * 1000
    cases = load_cases()
    start = time.perf_counter()
    recommend(cases[0]).to_dict()  # the engine instance, and the Rete network of its module, built here
    network_ms = (time.perf_counter() - start) * 1000

    for case in cases:  # warm up
        recommend(case).to_dict()
    times = []
    for _ in range(args.repeat):
        for case in cases:
            t0 = time.perf_counter()
            recommend(case).to_dict()
            times.append((time.perf_counter() - t0) * 1000)
    print(f"cases: {len(cases)} public cases x {args.repeat} rounds")
    print(f"engine class build: {build_ms:.1f} ms; first consultation (network built): {network_ms:.1f} ms")
    print(
        f"recommend() + to_dict(): median {statistics.median(times):.3f} ms, "
        f"p90 {statistics.quantiles(times, n=10)[-1]:.3f} ms"
    )


if __name__ == "__main__":
    main()
