"""Packaging: every package is listed, the wheel ships the knowledge base, a fresh install works anywhere."""

from __future__ import annotations

import configparser
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import EXAMPLES, ROOT

pytestmark = pytest.mark.slow
"""Every test here starts a process (or a browser, or a terminal)."""


def listed_packages() -> list[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    return config["options"]["packages"].split()


def test_every_subpackage_is_listed_in_setup_cfg() -> None:
    """setup.cfg lists packages by hand (knowledge_base/ is mapped in): none may be missing."""
    found = sorted(
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "pnet_expert").rglob("__init__.py")
    )
    assert sorted(set(listed_packages()) - {"pnet_expert.knowledge_base"}) == found
    assert "pnet_expert.knowledge_base" in listed_packages()


def test_pyproject_holds_the_build_system_only() -> None:
    """Metadata lives in setup.cfg; pyproject.toml names the build system only."""
    import tomllib

    assert set(tomllib.loads((ROOT / "pyproject.toml").read_text())) == {"build-system"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from the source tree."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("pnet_expert-*.whl")
    return built


def test_wheel_ships_the_knowledge_base_and_templates(wheel: Path) -> None:
    """The wheel holds every knowledge base file (as pnet_expert/knowledge_base), the source text
    among them, and every template."""
    names = set(zipfile.ZipFile(wheel).namelist())
    files = [*ROOT.joinpath("knowledge_base").rglob("*.yaml"), *ROOT.joinpath("knowledge_base").rglob("*.md")]
    assert "pnet_expert/knowledge_base/source/pdq-pnet-treatment-patient-2012-02-06.md" in names
    for file in files:
        relative = file.relative_to(ROOT / "knowledge_base").as_posix()
        assert f"pnet_expert/knowledge_base/{relative}" in names
    for folder in (("explain", "reports", "templates"), ("tutor", "templates")):
        for template in ROOT.joinpath("pnet_expert", *folder).glob("*.j2"):
            assert f"pnet_expert/{'/'.join(folder)}/{template.name}" in names
    assert "pnet_expert/py.typed" in names


def test_fresh_install_runs_from_another_directory(wheel: Path, tmp_path: Path) -> None:
    """A non-editable install in a fresh venv: pip check is clean and pnet-expert recommend works anywhere."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip"]
    install = subprocess.run([*pip, "install", "-q", str(wheel)], capture_output=True, text=True, check=False)
    if install.returncode != 0 and "No matching distribution" in install.stderr:
        pytest.skip("the package index is not reachable from here")
    assert install.returncode == 0, install.stderr
    check = subprocess.run([*pip, "check"], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    case = EXAMPLES / "cases" / "insulinoma-small-tail.yaml"
    done = subprocess.run(
        [str(venv / "bin" / "pnet-expert"), "recommend", str(case), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["fired_rules"] == ["INS-01"]
