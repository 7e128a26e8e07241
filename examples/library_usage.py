"""Use pnet_expert as a library: consult a case, read the options, ask HOW and WHY NOT.

Run: python examples/library_usage.py
"""

from pnet_expert import CaseError, recommend


def main() -> None:
    """Consult one case and show what the library gives back."""
    consultation = recommend(
        {
            "id": "library-demo",
            "tumor_type": "gastrinoma",
            "tumors": [{"site": "duodenum"}],
            "spread": ["lymph_nodes", "liver"],
            "liver_dominant": True,
            "severe_symptoms": True,
        }
    )
    print(repr(consultation))  # one line: the case, its options by strength, the rules that fired
    print(consultation)  # a short summary, with the notice
    print("\nOptions:")
    for option in consultation.treatments:
        print(f"  {option.strength:12} {option.id:28} offered by {', '.join(option.rules)}")
    print("\nFired rules:", ", ".join(consultation.fired_rules))
    print("Unknown facts:", ", ".join(consultation.unknown_facts))

    print("\n" + consultation.explain("chemoembolization"))
    print(consultation.why_not("regional_chemotherapy"))

    # kb= takes a loaded knowledge base or the path of one (pnet-expert kb init DIR makes a copy to edit).
    gap = recommend({"tumor_type": "insulinoma", "tumors": [{"site": "body", "size": "small"}], "spread": []})
    print("A gap:", gap.gaps[0])

    try:
        recommend({"tumor_type": "insulinoma", "spread": ["lungs"]})
    except CaseError as error:
        print("\nA bad case is rejected:", error)


if __name__ == "__main__":
    main()
