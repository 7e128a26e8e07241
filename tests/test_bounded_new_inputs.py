"""The inputs other issues added are bounded too: web request bodies, FHIR bundle files, tutor progress
files, and the searches of the cautions' check and the tutor's teaching cases (issue 12, after the rebase).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import within

from pnet_expert import KnowledgeBase
from pnet_expert.cli import main
from pnet_expert.core import space
from pnet_expert.tutor.progress import ProgressError, load_progress
from pnet_expert.verify.cautions import caution_reach


def _alias_bomb() -> str:
    """382 bytes of YAML that expand to 9^10 values."""
    text = 'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n'
    for i in range(1, 10):
        name, previous = chr(ord("a") + i), chr(ord("a") + i - 1)
        text += f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]\n"
    return text + "tumor_type: gastrinoma\n"


DEEP_JSON = '{"tumor_type": "gastrinoma", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (_alias_bomb(), "application/yaml"),
        (DEEP_JSON.replace("[" * 80_000, "").replace("]" * 80_000, ""), "application/json"),
    ],
    ids=["alias-bomb", "deep-json"],
)
def test_a_web_body_past_a_limit_is_a_client_error(body: str, kind: str) -> None:
    """An alias bomb or 20,000 nested lists in a request body (within its size limit): a 4xx naming the
    limit, at once."""
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    from pnet_expert.web.app import create_app

    with TestClient(create_app(), raise_server_exceptions=True) as client:
        response = within(
            20, lambda: client.post("/api/recommend", content=body, headers={"content-type": kind})
        )
    assert 400 <= response.status_code < 500
    assert "FILE-E013" in response.text


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fhir_bundle_that_is_a_fifo_or_a_device_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """fhir to-case on a FIFO waited forever, on a link to /dev/zero read 5 MiB of zeros: both refused."""
    os.mkfifo(tmp_path / "bundle.json")
    (tmp_path / "zero.json").symlink_to("/dev/zero")
    for name, code in (("bundle.json", "FILE-E012"), ("zero.json", "FILE-E012")):
        assert within(20, lambda n=name: main(["fhir", "to-case", str(tmp_path / n)])) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"pnet-expert: error: [{code}] ")
        assert "Traceback" not in err


def test_a_fhir_bundle_nested_too_deeply_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bundle of 100,000 nested lists: exit 2, the nesting limit named."""
    (tmp_path / "deep.json").write_text(
        '{"resourceType": "Bundle", "entry": ' + "[" * 100_000 + "]" * 100_000 + "}"
    )
    assert within(20, lambda: main(["fhir", "to-case", str(tmp_path / "deep.json")])) == 2
    assert "limit nesting_depth" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_progress_file_that_is_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    """A tutor progress file that is a FIFO: FILE-E012 at once (it hung the tutor)."""
    os.mkfifo(tmp_path / "progress.json")
    with pytest.raises(ProgressError) as caught:
        within(10, lambda: load_progress(tmp_path / "progress.json"))
    assert caught.value.code == "FILE-E012"


def test_a_progress_file_nested_too_deeply_is_refused(tmp_path: Path) -> None:
    """A progress file of 100,000 nested lists: FILE-E013 naming the nesting limit, no RecursionError."""
    (tmp_path / "progress.json").write_text(
        json.dumps({"format": 1})[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    )
    with pytest.raises(ProgressError) as caught:
        load_progress(tmp_path / "progress.json")
    assert (caught.value.code, "limit nesting_depth" in caught.value.problem) == ("FILE-E013", True)


def test_a_caution_whose_search_is_too_big_is_a_warning_not_a_crash(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the search's budget, a caution's reach is not decided: a warning (CHECK-W603), not an error."""

    def too_big(*_: object, **__: object) -> object:
        raise space.SearchTooBig(1)

    monkeypatch.setattr(space, "witness", too_big)
    caution = kb.cautions[0]
    reach = caution_reach(kb, caution)
    assert reach.example is None
    assert reach.undecided
    (issue,) = reach.issues()
    assert (issue.code, issue.severity, "limit check_search" in issue.message) == (
        "CHECK-W603",
        "warning",
        True,
    )
