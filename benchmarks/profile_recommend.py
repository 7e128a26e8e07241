"""Where the time of ``recommend(case).to_dict()`` goes: cProfile over the benchmark's cases.

Run: python benchmarks/profile_recommend.py [--cases 2000] [--top 25]

Prints the share of own time by area (experta's Rete network, its engine loop
and agenda, our engine glue, the explanation, validation, ...) and the
functions with the most own time. cProfile slows small functions more than
big ones, so read the shares as a map, not as a stopwatch (benchmarks/run.py
is the stopwatch).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases import generate

AREAS = (
    ("experta/matchers/", "experta: Rete network (match, tokens, memories)"),
    ("experta/fact", "experta: facts (build, freeze, fact list)"),
    ("experta/", "experta: engine loop, agenda, activations, rules"),
    ("pnet_expert/engine/", "pnet_expert engine: matcher, strategy, encode, read firings"),
    ("pnet_expert/explain/", "pnet_expert explanation: Consultation, reasons, gaps"),
    ("pnet_expert/logic", "pnet_expert three-valued logic (gaps)"),
    ("pnet_expert/case", "pnet_expert case validation"),
    ("pnet_expert/", "pnet_expert other"),
    ("json/", "json"),
    ("logging/", "logging (experta's watchers: off, but called on the hot path)"),
)


def area(filename: str) -> str:
    """The area a function's file belongs to."""
    for part, name in AREAS:
        if part in filename:
            return name
    return "Python runtime and builtins"


def main(argv: Sequence[str] | None = None) -> int:
    """Profile the consultations and print the summary."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)

    from pnet_expert import recommend

    cases = generate(args.cases, args.seed)
    for case in cases[:200]:
        recommend(case).to_dict()
    profile = cProfile.Profile()
    profile.enable()
    for case in cases:
        recommend(case).to_dict()
    profile.disable()

    stats = pstats.Stats(profile)
    raw = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values())
    shares: dict[str, float] = {}
    for (filename, _, _), (_, _, own, _, _) in raw.items():
        shares[area(filename)] = shares.get(area(filename), 0.0) + own
    print(f"{args.cases} consultations, {total:.2f} s of own time under cProfile")
    print()
    print("| area | share of time |")
    print("|---|---|")
    for name, own in sorted(shares.items(), key=lambda kv: -kv[1]):
        print(f"| {name} | {own / total:.0%} |")
    print()
    print(f"Top {args.top} functions by own time:")
    stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
