"""An edited knowledge base is input too (issue 12): past a limit it does not load, and says which limit.

Each attack of the red team on an edited copy (a count of a million, sixteen
aliased ``any``, a thousand rules, files that are links, FIFOs or not UTF-8)
is refused when the knowledge base loads, fast, at its ``file:line:col``.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest
from helpers import append, edit, within

from pnet_expert import KnowledgeBaseError, load_knowledge_base


def _problems(path: Path) -> list[tuple[str, str, str]]:
    """(code, file, text) of every problem of the knowledge base at ``path``, which must not load."""
    with pytest.raises(KnowledgeBaseError) as caught:
        within(20, lambda: load_knowledge_base(path))
    return [(d.code, d.origin.file if d.origin else "", str(d)) for d in caught.value.diagnostics]


def _add_finding(kb: Path, count: str) -> None:
    append(
        kb / "findings.yaml",
        "\n  - id: extra_finding\n    label: extra\n    rule:\n      id: FND-51\n      when:\n"
        f"        - count: tumors\n          where: {{site: [head]}}\n          {count}\n",
    )


@pytest.mark.parametrize("count", ["at_least: 1000000", "exactly: 50"])
def test_a_count_past_its_limit_does_not_load(kb_copy: Path, count: str) -> None:
    """``at_least: 1000000`` hung recommend --kb, ``exactly: 50`` made kb check run for minutes."""
    _add_finding(kb_copy, count)
    ((code, file, text),) = _problems(kb_copy)
    assert (code, file) == ("KB-E017", "findings.yaml")
    assert "FND-51.when[0]." in text
    assert text.endswith("at most 10 records (limit kb_count)")


def test_sixteen_aliased_any_do_not_load(kb_copy: Path) -> None:
    """16 aliased four-way ``any`` (4^16 branches) took 70 s and 658 MB; now the branches are counted."""
    anchor = (
        "      - &choice\n        any:\n"
        "          - {fact: spread, contains: lymph_nodes}\n          - {fact: spread, contains: liver}\n"
        "          - {fact: spread, contains: distant}\n          - {fact: resectable, is: true}\n"
    )
    marker = "  - id: GAS-02\n    when:\n"
    edit(kb_copy / "rules" / "gastrinoma.yaml", marker, marker + anchor + "      - *choice\n" * 15)
    ((code, file, text),) = _problems(kb_copy)
    assert (code, file) == ("KB-E017", "rules/gastrinoma.yaml")
    assert "GAS-02.when: the condition opens into 4,294,967,296 branches" in text
    assert "limit kb_branches" in text


def test_a_thousand_added_rules_do_not_load(kb_copy: Path) -> None:
    """kb check on 1,000 added rules ran past 400 s; a knowledge base holds at most 300 rules."""
    rules = "".join(
        f"\n  - id: OTH-{100 + i}\n    when:\n      - {{fact: resectable, is: true}}\n"
        "    offers: [{treatment: supportive_care}]\n    strength: may include\n"
        '    quote: "Treatment of other pancreatic neuroendocrine tumors may include the following:"\n'
        for i in range(1000)
    )
    append(kb_copy / "rules" / "other.yaml", rules)
    ((code, file, text),) = _problems(kb_copy)
    assert (code, file) == ("KB-E017", "rules/other.yaml")
    assert "rules: 1,041 rules; at most 300 rules (limit kb_rules)" in text


@pytest.mark.parametrize(
    ("count", "limit"),
    [(13, "kb_set_values"), (65, "kb_values")],
)
def test_a_fact_with_too_many_values_does_not_load(kb_copy: Path, count: int, limit: str) -> None:
    """A set fact of 13 values (2^13 subsets to reason over), a choice of 65: refused."""
    fact = "spread" if limit == "kb_set_values" else "tumor_type"
    first = "      lymph_nodes: the lymph nodes\n" if fact == "spread" else "      gastrinoma: gastrinoma\n"
    extra = "".join(f"      extra_{i}: extra {i}\n" for i in range(count - (3 if fact == "spread" else 6)))
    edit(kb_copy / "facts.yaml", first, first + extra)
    (code, file, text), *_ = _problems(kb_copy)  # (then the fact is not declared where rules name it)
    assert (code, file) == ("KB-E017", "facts.yaml")
    assert f"{fact}.values: {count} values; at most" in text
    assert text.endswith(f"(limit {limit})")


# ---------------------------------------------------------------- the files themselves


def test_a_file_that_is_not_utf8_is_a_problem_of_the_load(kb_copy: Path) -> None:
    """Invalid UTF-8 in a rules file was an internal error (UnicodeDecodeError); now KB-E209, placed."""
    (kb_copy / "rules" / "vipoma.yaml").write_bytes(b"\xff\xfe rules: []\n")
    problems = _problems(kb_copy)
    assert ("KB-E209", "rules/vipoma.yaml") in [(c, f) for c, f, _ in problems]


def test_a_dangling_link_is_a_problem_of_the_load(kb_copy: Path) -> None:
    """A rules file that is a symbolic link to nothing was an internal error (FileNotFoundError)."""
    target = kb_copy / "rules" / "vipoma.yaml"
    target.unlink()
    target.symlink_to(kb_copy / "nowhere.yaml")
    problems = _problems(kb_copy)
    assert ("KB-E209", "rules/vipoma.yaml") in [(c, f) for c, f, _ in problems]


def test_a_file_without_read_permission_is_a_problem_of_the_load(
    kb_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rules file the user may not read was an internal error (PermissionError).

    Root reads a file of mode 0 all the same, so there the system's refusal is
    played by ``os.open`` itself (EACCES for that one file), as it comes to others.
    """
    locked = kb_copy / "rules" / "vipoma.yaml"
    locked.chmod(0)
    if os.name != "posix" or os.geteuid() == 0:
        real_open = os.open

        def refusing_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
            if Path(path) == locked:
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", refusing_open)
    problems = _problems(kb_copy)
    assert ("KB-E209", "rules/vipoma.yaml") in [(c, f) for c, f, _ in problems]


def test_a_link_out_of_the_knowledge_base_is_not_followed(kb_copy: Path, tmp_path: Path) -> None:
    """``rules/x.yaml`` linked to a file outside (/etc/passwd, say) is not read, so not quoted back."""
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (kb_copy / "rules" / "x.yaml").symlink_to(secret)
    problems = _problems(kb_copy)
    assert [(c, f) for c, f, _ in problems] == [("KB-E208", "rules/x.yaml")]
    assert "root:" not in problems[0][2]


def test_a_link_inside_the_knowledge_base_is_read(kb_copy: Path) -> None:
    """A rules file may be a link to another file of the knowledge base (a shared copy, say)."""
    (kb_copy / "shared").mkdir()
    (kb_copy / "rules" / "vipoma.yaml").rename(kb_copy / "shared" / "vipoma.yaml")
    (kb_copy / "rules" / "vipoma.yaml").symlink_to(kb_copy / "shared" / "vipoma.yaml")
    assert "VIP-01" in load_knowledge_base(kb_copy).rules


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_among_the_rules_is_refused_without_waiting(kb_copy: Path) -> None:
    """A FIFO named like a rules file would block the load forever: it is refused on sight."""
    os.mkfifo(kb_copy / "rules" / "x.yaml")
    problems = _problems(kb_copy)
    assert [(c, f) for c, f, _ in problems] == [("KB-E208", "rules/x.yaml")]


def test_a_yaml_alias_bomb_in_a_knowledge_base_is_refused(kb_copy: Path) -> None:
    """The same measure as for cases: the file is placed, and the limit named."""
    bomb = "".join(
        f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}"] * 9 if i else ['"a"'] * 9) + "]\n" for i in range(10)
    )
    (kb_copy / "treatments.yaml").write_text(bomb + (kb_copy / "treatments.yaml").read_text())
    (code, file, text), *_ = _problems(kb_copy)  # (then every treatment is undeclared)
    assert (code, file, "limit yaml_nodes" in text) == ("FILE-E013", "treatments.yaml", True)


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("    when: []\n", "    when: &w [*w]\n", "FILE-E013"),
        ("    when: []\n", "    when: [{count: tumors, at_least: !!int abc}]\n", "FILE-E007"),
    ],
)
def test_yaml_python_cannot_take_in_a_knowledge_base_is_placed(
    kb_copy: Path, old: str, new: str, code: str
) -> None:
    """An alias holding itself (an endless walk) or ``!!int abc`` (a ValueError): a load problem, placed."""
    edit(kb_copy / "rules" / "other.yaml", old, new)
    (found, file, _), *_ = _problems(kb_copy)  # (then the section has no rules file that reads)
    assert (found, file) == (code, "rules/other.yaml")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_source_dev_zero_is_refused() -> None:
    """``kb check --source /dev/zero`` grew until memory ran out; a device is no source text."""
    from pnet_expert import InputError
    from pnet_expert.verify.check import check_knowledge_base

    with pytest.raises(InputError) as caught:
        within(20, lambda: check_knowledge_base(None, "/dev/zero"))
    assert (caught.value.code, caught.value.field) == ("FILE-E012", "/dev/zero")
