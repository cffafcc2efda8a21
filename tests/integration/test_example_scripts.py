"""The committed example data and fixtures are exactly what ``scripts/build_data_files.py``
produces from their YAML sources, and the script stops on the mistakes it promises to catch."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from thce.resources import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "build_data_files.py"


@pytest.fixture(scope="module")
def build():
    """The build script as a module, for its checks."""
    spec = importlib.util.spec_from_file_location("build_data_files", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_generated_files_are_up_to_date():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "test codes also seen in training: 60%" in result.stdout


def test_every_generated_file_has_a_source(build):
    outputs = {p.relative_to(REPO_ROOT).as_posix() for p in build.build_all()}
    shipped = {f"data/examples/{p.name}" for p in (REPO_ROOT / "data" / "examples").glob("*.jsonl")}
    assert shipped <= outputs
    assert "tests/fixtures/sample_narratives.json" in outputs
    assert len(outputs) == 10


NARRATIVE = " ".join(["word"] * 25)


def test_unknown_key_is_an_error(build, tmp_path):
    path = tmp_path / "cases.yaml"
    path.write_text(f"- code_type: ICD10\n  code: E11.9\n  narative: {NARRATIVE}\n")
    with pytest.raises(SystemExit, match=r"cases.yaml case 1: unknown key\(s\) narative"):
        build.load_cases(path)


def test_inconsistent_pair_is_an_error(build):
    case = build.Case(
        "x.yaml case 1",
        "ICD10",
        "E11.65",
        NARRATIVE,
        reasoning="Hyperglycemia is documented. So E11.65.",
        mistake="wrong_code_type",
        rejected={"code_type": "ICD10", "code": "E11.9", "reasoning": "No. Really."},
    )
    with pytest.raises(SystemExit, match="only wrong_code_type pairs change the code system"):
        build.check_pair(case)


def test_held_out_overlap_stops_the_build(build):
    train = build.Case("train.yaml case 3", "ICD10", "I10", "Essential hypertension " + NARRATIVE)
    test = build.Case("test.yaml case 1", "ICD10", "I10", "essential hypertension " + NARRATIVE)
    with pytest.raises(SystemExit, match=r"test.yaml case 1 ~ train.yaml case 3: identical"):
        build.check_held_out([test], [train], "test")


def test_unknown_code_stops_the_build(build):
    with pytest.raises(SystemExit, match=r"E11\.99 is not in THCE.s databases"):
        build.Builder().describe("ICD10", "E11.99", "x.yaml case 1")
