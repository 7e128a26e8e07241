"""How many questions the interactive consultation asks, against the proven fewest (the lower bound).

Each case is answered from its own facts, "unknown" where it has none, exactly
as a student who knows the case would answer ``pnet-expert consult``; for each,
the minimum certificate is computed and proved
(:mod:`pnet_expert.verify.certificate`). Prints, per case, the interview's
count, the bound and the certificate (the questions, each with the case's
answer), then the means: for the public example cases (examples/cases/*.yaml,
or the cases of a public.json given with ``--public``) and for generated cases
(``benchmarks/cases.py``: seeded, valid, every fact present or unknown with
even odds, up to four tumors).

Definitions (those of issue 17):

- **The result** of a case is the set of recommendation rules that fire on it,
  and so its options, each with the rules that offer it. Gaps, cautions and
  silences are words about the case, not options.
- **A question** is what the interview asks: a fact (``tumor_type``,
  ``spread``, ...), how many records a records fact holds (how many tumors),
  or one field of one record (``tumors[0].site``, ``tumors[0].size``): a
  tumor's count, site and size are one question each. "unknown" is an answer:
  a question answered unknown counts, and stays unknown.
- **The bound** of a case is the size of a smallest set of questions whose
  answers (the case's, unknown included) force the case's result over every
  valid completion of the other facts (any value or unknown, the constraints of
  facts.yaml kept). It is proved by a concrete case for every smaller set,
  which answers that set as the case does, is valid, and gets another result
  from ``recommend``; :func:`~pnet_expert.verify.certificate.refute_smaller`
  checks every smaller set against them.
- Tumor lists of up to 3 tumors are every list there is, here: a rule sees the
  tumors only through the knowledge base's counts (exactly one and at least
  two in the pancreas, at least one in the duodenum, none at all, and the site
  and size of "exactly one"), and any longer list has the same outcome on every
  count as one that keeps at most two tumors in the pancreas and one in the
  duodenum (``pnet_expert.core.space.record_values`` finds these from the
  knowledge base; the longest is printed as "longest list needed").

The bound knows the case's answers in advance; the interview learns them one at a time, so
on some cases no interview can meet it. Take an insulinoma spread to the liver that has
recurred (recurrent-liver), and one spread to the liver that grows during treatment and has
not recurred, all else unknown: every smallest certificate (6 questions) of the first holds
``recurrent`` and not ``progressing``, of the second the reverse. The two differ only in
those two facts, so an interview asks the same questions of both until it asks one of the
two, and then asks 7 on one of them. The interview meets the bound on every public case;
the generated cases' means show the price of not knowing the answers.

Usage (from the project root):
    python benchmarks/interview_questions.py [--generated 300] [--seed 17] [--public PUBLIC.json] [--quiet]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pnet_expert import KnowledgeBase, load_knowledge_base
from pnet_expert.consult.interview import Interview, answer_from_case
from pnet_expert.verify.certificate import longest_needed_list, minimum_certificate, refute_smaller

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases import generate  # benchmarks/ is not a package

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "cases"
META_KEYS = ("id", "title", "description", "notes")


def example_cases() -> list[dict[str, Any]]:
    """The project's public example cases, as public.json holds them: id and case (its facts)."""
    from pnet_expert.files.casefile import read_case

    out = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        data = dict(read_case(path))
        out.append({"id": data["id"], "case": {k: v for k, v in data.items() if k not in META_KEYS}})
    return out


def interview_questions(kb: KnowledgeBase, case: Mapping[str, Any]) -> list[str]:
    """The slots the interview asks, answered from the case (unknown where it has none)."""
    interview = Interview(kb)
    asked = []
    while (question := interview.next_question()) is not None:
        asked.append(question.slot)
        interview.answer(question, answer_from_case(question, case))
    return asked


def _answer(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def measure(
    kb: KnowledgeBase, cases: Sequence[Mapping[str, Any]], title: str, quiet: bool
) -> tuple[float, float]:
    """Print one line per case (and its certificate), then the means; return them."""
    print(f"\n## {title} ({len(cases)} cases)\n")
    asked_total, bound_total, met, checked = 0, 0, 0, 0
    worse: list[str] = []
    for item in cases:
        case = item["case"]
        asked = interview_questions(kb, case)
        certificate = minimum_certificate(kb, case)
        checked += refute_smaller(certificate)
        asked_total += len(asked)
        bound_total += certificate.size
        met += len(asked) == certificate.size
        if len(asked) > certificate.size:
            worse.append(str(item["id"]))
        if not quiet or len(asked) != certificate.size:
            shown = ", ".join(f"{q}={_answer(certificate.answers[q])}" for q in certificate.questions)
            print(
                f"{item['id']:<30} interview {len(asked):>2}  bound {certificate.size:>2}  "
                f"certificate: {shown}"
            )
            if len(asked) != certificate.size:
                print(f"{'':<30} the interview asked: {', '.join(asked)}")
    count = len(cases)
    print(
        f"\nmean over {count} cases: interview {asked_total / count:.2f} questions, "
        f"bound {bound_total / count:.2f} "
        f"({asked_total} against {bound_total} in total); the bound met on {met} of {count}"
        f"{'; above it: ' + ', '.join(worse) if worse else ''}; {checked} smaller sets refuted"
    )
    return asked_total / count, bound_total / count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=int, default=300, help="how many generated cases (default 300)")
    parser.add_argument("--seed", type=int, default=17, help="the generated cases' seed (default 17)")
    parser.add_argument(
        "--public", type=Path, help="a public.json (id and case per entry) instead of the examples"
    )
    parser.add_argument(
        "--quiet", action="store_true", help="print only the cases off the bound, and the means"
    )
    args = parser.parse_args(argv)
    kb = load_knowledge_base()
    start = time.perf_counter()
    public = json.loads(args.public.read_text()) if args.public else example_cases()
    print(f"# Interview questions against the lower bound (knowledge base {kb.name} {kb.version})")
    longest = {f.id: longest_needed_list(kb, f.id) for f in kb.facts.values() if f.kind == "records"}
    print("longest list needed: " + ", ".join(f"{fact}: {n}" for fact, n in longest.items()))
    means = [measure(kb, public, "Public example cases", args.quiet)]
    if args.generated:
        generated = [
            {"id": f"generated-{i}", "case": c} for i, c in enumerate(generate(args.generated, args.seed, kb))
        ]
        means.append(measure(kb, generated, f"Generated cases (seed {args.seed})", args.quiet))
    print()
    for (asked, bound), name in zip(means, ("public", "generated"), strict=False):
        print(f"{name}: interview mean {asked:.2f}, bound mean {bound:.2f}")
    print(f"({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
