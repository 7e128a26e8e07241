"""A bad case file's problems carry file:line:col, as the knowledge base's do (YAML, JSON and TOML)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pnet_expert import CaseError, KnowledgeBase, recommend
from pnet_expert.cli import main
from pnet_expert.files.casefile import case_text, read_case

BAD_YAML = """\
id: bad-case
tumor_type: insulinoma
tumors:
  - {site: tail, size: tiny}
  - site: hed
spread: [lymph_nodes, lungs]
sevre_symptoms: true
"""
BAD_JSON = """\
{
  "tumor_type": "insulinoma",
  "tumors": [{"site": "tail", "size": "tiny"}, {"sit": "head"}],
  "spread": ["lymph_nodes",
             "lungs"],
  "sevre_symptoms": true
}
"""
BAD_TOML = """\
tumor_type = "insulinoma"
spread = ["lymph_nodes", "lungs"]
sevre_symptoms = true

[[tumors]]
site = "tail"
size = "tiny"

[[tumors]]
sit = "head"
"""


def places(path: Path, text: str, kb: KnowledgeBase) -> dict[str, str]:
    """Each problem's path -> its place (line:col), for a case file with this text."""
    path.write_text(text)
    with pytest.raises(CaseError) as caught:
        recommend(read_case(path), kb)
    found = {}
    for d in caught.value.diagnostics:
        assert d.origin is not None, d
        assert d.origin.file == str(path), d
        found[f"{d.code} {d.path}"] = f"{d.origin.line}:{d.origin.column}"
    return found


def test_yaml_problems_are_placed_exactly(tmp_path: Path, kb: KnowledgeBase) -> None:
    """YAML: each value (an unknown key: the key) at its own line and column."""
    assert places(tmp_path / "bad.yaml", BAD_YAML, kb) == {
        "CASE-E003 tumors[0].size": "4:24",
        "CASE-E003 tumors[1].site": "5:11",
        "CASE-E003 spread[1]": "6:23",
        "CASE-E004 sevre_symptoms": "7:1",
    }


def test_json_problems_are_placed_exactly(tmp_path: Path, kb: KnowledgeBase) -> None:
    """JSON: the same, an item on its own line included; a missing field at its record."""
    assert places(tmp_path / "bad.json", BAD_JSON, kb) == {
        "CASE-E003 tumors[0].size": "3:39",
        "CASE-E004 tumors[1]": "3:48",
        "CASE-E005 tumors[1].site": "3:48",
        "CASE-E003 spread[1]": "5:14",
        "CASE-E004 sevre_symptoms": "6:3",
    }


def test_toml_problems_are_placed_by_key_table_and_item(tmp_path: Path, kb: KnowledgeBase) -> None:
    """TOML: keys by their line, [[tumors]] by their header, an inline array's item by its place."""
    assert places(tmp_path / "bad.toml", BAD_TOML, kb) == {
        "CASE-E003 spread[1]": "2:26",
        "CASE-E004 sevre_symptoms": "3:1",
        "CASE-E003 tumors[0].size": "7:8",
        "CASE-E004 tumors[1]": "9:1",
        "CASE-E005 tumors[1].site": "9:1",
    }


def test_a_missing_fact_and_a_contradiction_are_placed_too(tmp_path: Path, kb: KnowledgeBase) -> None:
    """A missing tumor_type: the top of the file; a constraint broken: the fact that breaks it."""
    assert places(tmp_path / "a.yaml", "spread: []\n", kb) == {"CASE-E005 tumor_type": "1:1"}
    contradiction = "tumor_type: gastrinoma\nspread: []\nliver_dominant: true\n"
    assert places(tmp_path / "b.yaml", contradiction, kb) == {"CASE-E012 liver_dominant": "3:17"}


def test_the_command_line_prints_the_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """pnet-expert recommend: file:line:col after the code, word for word."""
    path = tmp_path / "bad.yaml"
    path.write_text("tumor_type: gastrinoma\nspread: [lungs]\n")
    assert main(["recommend", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"pnet-expert: error: [CASE-E003] {path}:2:10: spread[0]: 'lungs' is not one of lymph_nodes, liver, "
        "distant\n"
    )


def test_a_mapping_not_from_a_file_has_no_place(kb: KnowledgeBase) -> None:
    """A dict from Python: the problem as before, with no origin."""
    with pytest.raises(CaseError) as caught:
        recommend({"tumor_type": "gastrinoma", "spread": ["lungs"]}, kb)
    assert str(caught.value) == "spread[0]: 'lungs' is not one of lymph_nodes, liver, distant"


PLANTED = st.sampled_from(["spread", "size", "site", "tumor_type", "key"])


@settings(max_examples=60, deadline=None)
@given(
    where=PLANTED,
    kind=st.sampled_from([".json", ".yaml", ".toml"]),
    count=st.integers(min_value=1, max_value=3),
    spread=st.lists(st.sampled_from(["lymph_nodes", "liver", "distant"]), unique=True),
    indent=st.sampled_from([None, 1, 4]),
    data=st.data(),
)
def test_a_planted_bad_value_is_placed_where_it_is_written(
    kb: KnowledgeBase,
    tmp_path_factory: pytest.TempPathFactory,
    where: str,
    kind: str,
    count: int,
    spread: list[str],
    indent: int | None,
    data: st.DataObject,
) -> None:
    """Whatever the case and the format, the place given is where the bad value (or key) starts."""
    tumors: list[dict[str, str]] = [{"site": "head", "size": "small"} for _ in range(count)]
    case: dict[str, object] = {"tumor_type": "insulinoma", "tumors": tumors, "spread": list(spread)}
    bad = "zzbad"
    index = data.draw(st.integers(min_value=0, max_value=count - 1))
    if where == "spread":
        spread_list = case["spread"]
        assert isinstance(spread_list, list)
        spread_list.insert(data.draw(st.integers(min_value=0, max_value=len(spread))), bad)
    elif where in ("size", "site"):
        tumors[index][where] = bad
    elif where == "tumor_type":
        case["tumor_type"] = bad
    else:
        case[bad] = True
    if kind == ".json":
        text = json.dumps(case, indent=indent)
    elif kind == ".yaml":
        text = yaml.safe_dump(case, sort_keys=False, default_flow_style=indent is None)
    else:
        text = case_text(case, ".toml")
    path = tmp_path_factory.mktemp("planted") / f"case{kind}"
    path.write_text(text)
    with pytest.raises(CaseError) as caught:
        recommend(read_case(path), kb)
    (problem,) = caught.value.diagnostics
    assert problem.origin is not None
    line = text.splitlines()[problem.origin.line - 1]
    assert line[problem.origin.column - 1 :].lstrip("\"'").startswith(bad), (text, problem)
