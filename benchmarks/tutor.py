"""The tutor's figures: grading speed, quiz building time and rule coverage, tutor start-up.

- ``grade()``: median and p90 over seeded generated cases (benchmarks/cases.py), each
  graded with one offered option left out and one not offered added (the usual
  student answer: the consultation, the comparison, every WHY NOT, ``to_dict()``);
- ``build_quiz(count=12)``: the first quiz of a process (teaching cases and witnesses
  computed), then other seeds (witnesses partly remembered), then a seed again;
- rule coverage of 12-question quizzes over many seeds (at most 38 of 41: fifteen
  kinds of case exclude one another, and a rule of each needs a question of its own);
- ``pnet-expert tutor`` from start to its first prompt and out (``quit`` on standard input).

Usage (from the project root): python benchmarks/tutor.py [--quick]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases import generate

from pnet_expert import load_knowledge_base, recommend
from pnet_expert.tutor import grade
from pnet_expert.tutor.quiz import build_quiz


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def main() -> int:
    quick = "--quick" in sys.argv
    kb = load_knowledge_base()
    started = time.perf_counter()
    first = build_quiz(kb, count=12, seed=0)
    cold = time.perf_counter() - started
    seeds = range(1, 6 if quick else 21)
    times, covered = [], [len(first.covered)]
    for seed in seeds:
        started = time.perf_counter()
        quiz = build_quiz(kb, count=12, seed=seed)
        times.append(time.perf_counter() - started)
        covered.append(len(quiz.covered))
    started = time.perf_counter()
    build_quiz(kb, count=12, seed=0)
    again = time.perf_counter() - started
    median = statistics.median(times)
    print(f"build_quiz(count=12): first in a process {cold:.2f} s; other seeds median {median:.2f} s")
    print(f"  (max {max(times):.2f} s); a seed again {again * 1000:.0f} ms")
    print(
        f"rule coverage of 12 questions over {len(covered)} seeds: min {min(covered)}, "
        f"mean {statistics.mean(covered):.1f}, max {max(covered)} of {len(first.rules)}"
    )

    cases = generate(200 if quick else 2000, seed=7, kb=kb)
    answers = []
    for case in cases:
        offered = [o.id for o in recommend(case, kb).treatments]
        extra = next(t for t in kb.treatments if t not in offered)
        answers.append((case, [*offered[1:], extra]))
    durations = []
    for case, proposed in answers:
        started = time.perf_counter()
        grade(case, proposed, kb).to_dict()
        durations.append(time.perf_counter() - started)
    durations.sort()
    p90 = durations[int(len(durations) * 0.9)]
    median = statistics.median(durations)
    print(f"grade(case, ids).to_dict() over {len(durations)} cases: median {_ms(median)}, p90 {_ms(p90)}")

    runs = []
    for _ in range(3 if quick else 5):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pnet_expert", "tutor", "--seed", "1"],
            input="quit\n",
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(time.perf_counter() - started)
    print(f"pnet-expert tutor, start to first case and quit: median {statistics.median(runs):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
