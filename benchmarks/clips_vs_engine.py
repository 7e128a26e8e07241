"""CLIPS against the engine, side by side on the same cases: ``python benchmarks/clips_vs_engine.py``.

Needs the ``clips`` extra (``pip install -e '.[clips]'``, clipspy). The same
seeded, generated valid cases (``benchmarks/cases.py``) go through

* ``recommend(case).to_dict()``: validation, the experta engine, the full
  consultation (every reason, finding and gap) and its JSON contract;
* the knowledge base exported to CLIPS (``pnet_expert.interop.clips``), loaded
  once: per case one call into CLIPS, ``(progn (reset) (assert ...) (run)
  (fired-rules))``, reading back the ids of the rules that fired; timed with
  and without turning the case mapping into CLIPS facts (validation included,
  as ``recommend`` has it).

It checks first that CLIPS fires exactly the rules the engine fires on every
case, then prints a Markdown table of median and 90th-percentile times per case.
The two do not do the same work: CLIPS only decides which rules fire, the
engine's consultation also explains each option and looks for gaps.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import clips
from cases import generate

from pnet_expert import load_knowledge_base, recommend
from pnet_expert.core.case import validate_case
from pnet_expert.interop.clips import case_facts, knowledge_base_source


def _ms(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p90 * 1000


def _time(items: Sequence[Any], calls: Sequence[Callable[[Any], object]], rounds: int) -> list[list[float]]:
    """Seconds per call of each call on every item, the calls taking turns round by round, after a warm-up."""
    for call in calls:
        for item in items:
            call(item)
    samples: list[list[float]] = [[] for _ in calls]
    clock = time.perf_counter
    for _ in range(rounds):
        for call, times in zip(calls, samples, strict=True):
            for item in items:
                start = clock()
                call(item)
                times.append(clock() - start)
    return samples


def main(argv: Sequence[str] | None = None) -> int:
    """Check agreement, then time both on the same cases."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args(argv)

    kb = load_knowledge_base()
    cases = generate(args.cases, args.seed, kb)
    env = clips.Environment()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "kb.clp"
        path.write_text(knowledge_base_source(kb), encoding="utf-8")
        started = time.perf_counter()
        env.load(str(path))
        load_ms = (time.perf_counter() - started) * 1000
    facts = [case_facts(kb, validate_case(case, kb)) for case in cases]

    def run_clips(facts_of_case: list[str]) -> list[str]:
        # One call into CLIPS per case. Separate reset(), assert and run() calls from Python
        # leave garbage CLIPS never reclaims (mem-used grows about 150 bytes a case here, and
        # each case gets slower: 0.27 -> 0.7 ms after 6,000 cases); one (progn ...) does not.
        fired = env.eval(f"(progn (reset) (assert {' '.join(facts_of_case)}) (run) (fired-rules))")
        return sorted(str(rule) for rule in fired)

    def clips_from_mapping(case: dict[str, Any]) -> list[str]:
        return run_clips(case_facts(kb, validate_case(case, kb)))

    def engine(case: dict[str, Any]) -> dict[str, Any]:
        return recommend(case, kb).to_dict()

    disagree = sum(
        1 for case, f in zip(cases, facts, strict=True) if run_clips(f) != engine(case)["fired_rules"]
    )
    calls: list[Callable[[int], object]] = [
        lambda i: engine(cases[i]),
        lambda i: clips_from_mapping(cases[i]),
        lambda i: run_clips(facts[i]),
    ]
    engine_s, clips_s, only_s = _time(range(len(cases)), calls, args.rounds)
    rows = [
        ("`recommend(case).to_dict()` (experta engine, full consultation)", _ms(engine_s)),
        ("CLIPS from the case mapping (validation, facts, reset, assert, run, read `fired`)", _ms(clips_s)),
        ("CLIPS alone (reset, assert the facts, run, read `fired`)", _ms(only_s)),
    ]
    base = _ms(engine_s)[0]
    print(
        f"{len(cases)} cases (seed {args.seed}) x {args.rounds} rounds; Python {platform.python_version()}, "
        f"clipspy {getattr(clips, '__version__', '?')}, CLIPS knowledge base loaded in {load_ms:.1f} ms"
    )
    print(f"CLIPS fires exactly the engine's rules on {len(cases) - disagree} of {len(cases)} cases")
    print()
    print("| per case | median | p90 | engine / this (medians) |")
    print("|---|---|---|---|")
    for name, (median, p90) in rows:
        print(f"| {name} | {median:.3f} ms | {p90:.3f} ms | {base / median:.1f}x |")
    return 1 if disagree else 0


if __name__ == "__main__":
    raise SystemExit(main())
