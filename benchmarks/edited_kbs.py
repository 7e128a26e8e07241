"""How fast edited knowledge bases consult and check, beside the bundled one (issue 12).

    python benchmarks/edited_kbs.py [--cases 500] [--seed 12]

For the bundled knowledge base and a few edited copies (two count findings
added, as the red team did; seven; a tumor's grade added and counted; 259
rules added, 300 in all), in one process each:

* the load (from the files, the cache off);
* the first consultation of a case whose tumors a constraint restricts (an
  insulinoma with no tumor found): the one case that pays for the search of
  representative lists of tumors, once per knowledge base and process;
* ``recommend(case).to_dict()`` over the same generated cases (median, p90);
* ``kb check`` (the whole check, as a function).

It prints a Markdown table; the README's "Reliability" section quotes it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from attacks import seven_counts, two_counts  # noqa: E402


def grade(kb: Path) -> None:
    """A tumor's grade declared in facts.yaml, and a finding that counts high-grade tumors."""
    facts = (kb / "facts.yaml").read_text()
    field = (
        "      - id: grade\n        required: false\n        label: grade\n"
        "        question: What grade is tumor {n}?\n"
        "        values:\n          low: low\n          high: high\n"
    )
    (kb / "facts.yaml").write_text(facts.replace("      - id: size\n", field + "      - id: size\n", 1))
    with open(kb / "findings.yaml", "a", encoding="utf-8") as out:
        out.write(
            "\n  - id: high_grade\n    label: a high-grade tumor\n    rule:\n      id: FND-40\n      when:\n"
            "        - count: tumors\n          where: {grade: high}\n          at_least: 2\n"
        )


def rules_300(kb: Path) -> None:
    """259 rules added to other.yaml (300 in all: the limit), on pairs of yes/no facts."""
    facts = ["resectable", "liver_dominant", "severe_symptoms", "acid_symptoms", "residual_after_surgery"]
    treatments = ["supportive_care", "chemotherapy", "targeted_therapy", "tumor_resection"]
    rules = []
    for i in range(259):
        first, second = facts[i % 5], facts[(i // 5) % 5]
        rules.append(
            f"\n  - id: OTH-{100 + i}\n    when:\n"
            f"      - {{fact: {first}, is: {'true' if i % 2 else 'false'}}}\n"
            f"      - {{fact: {second}, is: {'true' if (i // 2) % 2 else 'false'}}}\n"
            f"    offers: [{{treatment: {treatments[i % 4]}}}]\n    strength: may include\n"
            '    quote: "Treatment of other pancreatic neuroendocrine tumors may include the following:"\n'
        )
    with open(kb / "rules" / "other.yaml", "a", encoding="utf-8") as out:
        out.write("".join(rules))


EDITS: dict[str, Callable[[Path], None] | None] = {
    "bundled": None,
    "+2 count findings (the red team's)": two_counts,
    "+7 count findings": seven_counts,
    "+ a tumor's grade, counted": grade,
    "300 rules": rules_300,
}

MEASURE = r"""
import json, statistics, sys, time
sys.path.insert(0, sys.argv[4])
from cases import generate
from pnet_expert import load_knowledge_base, recommend
from pnet_expert.verify.check import check_knowledge_base
path = sys.argv[1] or None
started = time.perf_counter(); kb = load_knowledge_base(path); load = time.perf_counter() - started
restricted = {"tumor_type": "insulinoma", "tumor_found": False, "spread": []}
started = time.perf_counter(); first = recommend(restricted, kb); first_s = time.perf_counter() - started
cases = generate(int(sys.argv[2]), int(sys.argv[3]), kb)
for case in cases[:50]:
    recommend(case, kb).to_dict()
times = []
for case in cases:
    started = time.perf_counter(); recommend(case, kb).to_dict(); times.append(time.perf_counter() - started)
times.sort()
started = time.perf_counter(); report = check_knowledge_base(path); check = time.perf_counter() - started
warnings = sum(1 for d in report.issues if d.severity == "warning")
print(json.dumps({
    "load": load, "first": first_s, "median": statistics.median(times),
    "p90": times[int(0.9 * (len(times) - 1))],
    "explored": all(getattr(g, "fully_explored", True) for g in first.gap_details),
    "check": check, "warnings": warnings,
    "errors": len(report.errors),
}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--checkout", type=Path, default=ROOT, help="whose pnet_expert (and KB) to time")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per knowledge base, at most")
    args = parser.parse_args()
    print("| knowledge base | load | first restricted case | recommend().to_dict() median / p90 | kb check |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="pnet-edited-") as scratch:
        for name, edit in EDITS.items():
            path = ""
            if edit is not None:
                target = Path(scratch) / name.replace(" ", "_").replace("'", "").replace("+", "plus")
                shutil.copytree(
                    args.checkout / "knowledge_base",
                    target,
                    ignore=shutil.ignore_patterns("__pycache__", "__init__.py"),
                )
                edit(target)
                path = str(target)
            env = dict(os.environ, PNET_EXPERT_CACHE_DIR="", PYTHONPATH=str(args.checkout.resolve()))
            try:
                done = subprocess.run(
                    [sys.executable, "-c", MEASURE, path, str(args.cases), str(args.seed), str(HERE)],
                    capture_output=True,
                    text=True,
                    env=env,
                    cwd=scratch,  # not the checkout: python -c puts the current folder first on the path
                    check=True,
                    timeout=args.timeout,
                )
            except subprocess.TimeoutExpired:
                print(f"| {name} | more than {args.timeout:.0f} s in all (stopped) | | | |", flush=True)
                continue
            m = json.loads(done.stdout)
            explored = "" if m["explored"] else " (gap: not fully explored)"
            check = f"{m['check']:.2f} s" + (f", {m['warnings']} warnings" if m["warnings"] else "")
            check += f", {m['errors']} errors" if m["errors"] else ""
            print(
                f"| {name} | {m['load'] * 1000:.0f} ms | {m['first'] * 1000:.1f} ms{explored} | "
                f"{m['median'] * 1000:.2f} / {m['p90'] * 1000:.2f} ms | {check} |",
                flush=True,
            )
    print(f"\n({args.cases} generated cases per knowledge base, seed {args.seed}; one process each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
