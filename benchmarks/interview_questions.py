"""How many questions the interactive consultation asks, beside the number of case facts.

Each public example case (examples/cases/*.yaml, or the cases of a public.json
given as argument) is answered from its own facts, "unknown" where it has none,
exactly as a student who knows the case would answer ``pnet-expert consult``; a
tumor's count, site and size are questions of their own. Prints one line per
case, then the mean.

Usage (from the project root): python benchmarks/interview_questions.py [CASES.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pnet_expert import load_knowledge_base
from pnet_expert.consult.interview import Interview, answer_from_case

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "cases"
META_KEYS = ("id", "title", "description", "notes")


def example_cases() -> list[dict[str, object]]:
    """The project's public example cases, as public.json holds them: id and case (its facts)."""
    from pnet_expert.files.casefile import read_case

    out = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        data = dict(read_case(path))
        out.append({"id": data["id"], "case": {k: v for k, v in data.items() if k not in META_KEYS}})
    return out


def main() -> int:
    cases = json.loads(Path(sys.argv[1]).read_text()) if len(sys.argv) > 1 else example_cases()
    kb = load_knowledge_base()
    questions, facts = [], []
    for case in cases:
        interview = Interview(kb)
        asked = []
        while (question := interview.next_question()) is not None:
            asked.append(question)
            interview.answer(question, answer_from_case(question, case["case"]))
        distinct = list(dict.fromkeys(q.fact for q in asked))
        questions.append(len(asked))
        facts.append(len(distinct))
        slots = ", ".join(q.slot for q in asked)
        print(f"{case['id']:<32} {len(asked):>2} questions on {len(distinct):>2} facts: {slots}")
    count = len(cases)
    print(
        f"mean over {count} cases: {sum(questions) / count:.2f} questions "
        f"({sum(facts) / count:.2f} distinct facts), beside the {len(kb.facts)} facts of a case (SPEC §1)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
