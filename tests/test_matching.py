"""Typed words to ids (core/matching.py): one policy for the REPL, how/whynot, change and the command line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pnet_expert import InputError, KnowledgeBase
from pnet_expert.cli import main
from pnet_expert.core import codes
from pnet_expert.core.diagnostics import closest
from pnet_expert.core.matching import Named, Wording, match, match_many, named

TREATMENTS = Wording("a treatment id", "treatments", "treatment")


def _spaced(text: str, upper: list[bool]) -> str:
    """The text with '_' read as a space and some letters in upper case."""
    return "".join(
        c.upper() if u else c
        for c, u in zip(text.replace("_", " "), upper + [False] * len(text), strict=False)
    )


@given(st.data())
def test_every_treatment_is_named_by_its_id_label_or_number_in_any_case(
    kb: KnowledgeBase, data: st.DataObject
) -> None:
    """Id, label, number; any letter case; spaces for '_': always the same treatment."""
    choices = named(kb.treatments)
    number = data.draw(st.integers(min_value=1, max_value=len(choices)))
    choice = choices[number - 1]
    upper = data.draw(st.lists(st.booleans(), max_size=60))
    assert match(str(number), choices, TREATMENTS, numbered=True) == choice.id
    assert match(_spaced(choice.id, upper), choices, TREATMENTS) == choice.id
    assert match(_spaced(choice.label, upper), choices, TREATMENTS) == choice.id


@given(st.data())
def test_a_start_names_a_choice_exactly_when_it_starts_no_other(
    kb: KnowledgeBase, data: st.DataObject
) -> None:
    """A start of an id: that id when no other id starts so; else the error lists the candidates."""
    choices = named(kb.treatments)
    choice = data.draw(st.sampled_from(choices))
    start = choice.id[: data.draw(st.integers(min_value=1, max_value=len(choice.id)))]
    others = [c.id for c in choices if c.id.startswith(start)]
    exact = [c.id for c in choices if c.id == start or c.label.lower() == start]
    if len(others) == 1 or exact:
        assert match(start, choices, TREATMENTS) == (exact or others)[0]
    else:
        with pytest.raises(InputError) as caught:
            match(start, choices, TREATMENTS)
        assert caught.value.code == codes.INPUT_AMBIGUOUS
        assert all(c in caught.value.problem for c in others)


def test_the_words_of_a_label_name_it_word_by_word(kb: KnowledgeBase) -> None:
    """'surg liver': each typed word starts the label's words, in order."""
    assert match("surg liver", named(kb.treatments), TREATMENTS) == "liver_resection"


def test_no_match_is_an_error_with_a_different_suggestion(kb: KnowledgeBase) -> None:
    """Nothing close: no suggestion; a near miss: the id, never what was typed."""
    with pytest.raises(InputError) as caught:
        match("chemoembolisation", named(kb.treatments), TREATMENTS)
    assert (
        str(caught.value)
        == "treatment: 'chemoembolisation' is not a treatment id (did you mean 'chemoembolization'?)"
    )
    assert caught.value.code == codes.INPUT_UNKNOWN_NAME
    with pytest.raises(InputError, match="'7' is not a number from 1 to 2"):
        match("7", [Named("a"), Named("b")], numbered=True)
    assert closest("none", ["none", "nine"]) == "nine"
    assert closest("None", ["none"]) == ""


def test_a_list_takes_the_longest_names_first() -> None:
    """'lymph nodes liver' is two places; '1 3' the first and third; a place twice is an error."""
    places = (
        Named("lymph_nodes", "the lymph nodes"),
        Named("liver", "the liver"),
        Named("distant", "other parts"),
    )
    assert match_many("lymph nodes liver", places) == ("lymph_nodes", "liver")
    assert match_many("Lymph Nodes; the liver", places) == ("lymph_nodes", "liver")
    assert match_many("1 3", places, numbered=True) == ("lymph_nodes", "distant")
    with pytest.raises(InputError) as caught:
        match_many("liver, the liver", places)
    assert caught.value.code == codes.INPUT_ANSWER_TWICE


@pytest.mark.parametrize(
    ("args", "first"),
    [
        (["kb", "show", "gas-09"], "GAS-09: a rule of the section 'Gastrinoma'"),
        (["kb", "show", "liver metastases"], "FND-06: the rule that derives the finding liver_metastases"),
        (["kb", "rules", "--section", "Insulinoma"], "8 rules in section insulinoma"),
        (["kb", "rules", "--section", "recurrent or progressive"], "3 rules in section recurrent"),
    ],
)
def test_the_command_line_reads_names_the_same_way(
    args: list[str], first: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """kb show and --section take ids in any case, words and unique starts."""
    assert main(args) == 0
    assert first in " ".join(capsys.readouterr().out.split())


def test_an_ambiguous_section_on_the_command_line_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """--section g could be two sections: exit 2, both named, the ambiguity code."""
    assert main(["kb", "rules", "--section", "g"]) == 2
    assert capsys.readouterr().err == (
        "pnet-expert: error: [INPUT-E012] --section: 'g' could be 2 sections: gastrinoma, glucagonoma; "
        "type more of it, or the id\n"
    )
