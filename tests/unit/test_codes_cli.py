"""`thce codes ...` through the main CLI app (typer CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thce.cli import app
from thce.codes import clear_cache

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "hcpcs_anweb_sample.txt"
runner = CliRunner()


@pytest.fixture(autouse=True, scope="module")
def _module_home(tmp_path_factory):
    # One THCE home for the module keeps the loaded databases and search indexes warm.
    mp = pytest.MonkeyPatch()
    mp.setenv("THCE_HOME", str(tmp_path_factory.mktemp("home")))
    mp.setenv("COLUMNS", "200")
    clear_cache()
    yield
    mp.undo()
    clear_cache()


@pytest.fixture
def thce_home(tmp_path, monkeypatch):
    """A fresh home for tests that import files; restores the module's state afterwards."""
    monkeypatch.setenv("THCE_HOME", str(tmp_path / "home"))
    clear_cache()
    yield tmp_path / "home"
    monkeypatch.undo()
    clear_cache()


def run(*args: str):
    return runner.invoke(app, ["codes", *args])


def test_validate_all_valid_exits_0():
    result = run("validate", "E11.9", "99213", "J0696")
    assert result.exit_code == 0, result.output
    assert "Type 2 diabetes mellitus without complications" in result.output
    assert "✓ 99213" in result.output


def test_validate_any_invalid_exits_1_with_suggestion():
    result = run("validate", "E11.9", "E11.99")
    assert result.exit_code == 1
    assert "E11.99 is not an ICD-10-CM code; did you mean E11.9?" in result.output


def test_validate_json_lists_result_objects():
    result = run("validate", "e119", "I1O", "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert [d["code"] for d in data] == ["E11.9", "I1O"]
    for item in data:
        assert {
            "is_valid",
            "code",
            "code_type",
            "description",
            "category",
            "billable",
            "parent_code",
            "error_message",
            "suggestions",
        } <= set(item)
    assert data[1]["suggestions"][0] == "I10"


def test_validate_dual_system_and_type_option():
    both = run("validate", "J1100")
    assert both.exit_code == 0
    assert "J11.00  ICD10" in both.output and "J1100  HCPCS" in both.output
    only = run("validate", "j1100", "--type", "hcpcs", "--json")
    data = json.loads(only.output)
    assert data[0]["code_type"] == "HCPCS" and data[0]["alternatives"] == []


def test_validate_flags_headers_but_exits_0():
    result = run("validate", "E11")
    assert result.exit_code == 0
    assert "category header, not billable" in result.output


def test_validate_bad_type_is_a_usage_error():
    result = run("validate", "E11.9", "--type", "ICD9")
    assert result.exit_code == 2
    assert "ICD9" in result.output


def test_lookup():
    result = run("lookup", "E11.9")
    assert result.exit_code == 0
    for text in ("ICD-10-CM", "E08-E13", "Endocrine", "Parent", "E11: Type 2 diabetes mellitus"):
        assert text in result.output
    data = json.loads(run("lookup", "E11", "--json").output)
    assert data[0]["billable"] is False and "E11.9" in data[0]["children"]
    assert data[0]["chapter"]["number"] == "4"
    cpt = run("lookup", "99213")
    assert cpt.exit_code == 0 and "unofficial THCE description" in cpt.output
    dual = json.loads(run("lookup", "A0100", "--json").output)
    assert [d["code_type"] for d in dual] == ["ICD10", "HCPCS"]


def test_lookup_unknown_code_exits_1():
    result = run("lookup", "E11.99")
    assert result.exit_code == 1 and "did you mean E11.9" in result.output
    data = json.loads(run("lookup", "E11.99", "--json").output)
    assert data[0]["is_valid"] is False


def test_search():
    result = run("search", "type 2 diabetes without complications", "--type", "ICD10", "-k", "3")
    assert result.exit_code == 0 and "E11.9" in result.output
    data = json.loads(run("search", "screening mammogram", "--json", "--top-k", "2").output)
    assert len(data) == 2
    assert set(data[0]) >= {"code", "code_type", "description", "score"}
    headers = run(
        "search", "type 2 diabetes mellitus", "--type", "icd10", "-k", "50", "--all-codes"
    )
    assert "(header)" in headers.output
    billable_default = run("search", "type 2 diabetes mellitus", "--type", "icd10", "-k", "50")
    assert "(header)" not in billable_default.output
    billable = json.loads(
        run("search", "type 2 diabetes mellitus", "--billable-only", "--json", "-k", "50").output
    )
    assert all(hit["billable"] for hit in billable)


def test_search_without_hits_exits_1():
    assert run("search", "zzzqqq").exit_code == 1
    assert json.loads(run("search", "zzzqqq", "--json").output) == []


def test_stats():
    result = run("stats")
    assert result.exit_code == 0
    assert "98186" in result.output and "partial" in result.output
    data = json.loads(run("stats", "--json").output)
    assert [row["code_type"] for row in data] == ["ICD10", "CPT", "HCPCS"]
    assert data[0]["complete"] is True and data[1]["complete"] is False
    assert data[0]["billable_codes"] == 74719


def test_import_hcpcs_then_validate(thce_home):
    result = run("import-hcpcs", str(SAMPLE))
    assert result.exit_code == 0, result.output
    assert "Imported 7 HCPCS codes" in result.output and "line " in result.output
    assert (thce_home / "code_databases" / "hcpcs_full.json.gz").exists()
    terminated = run("validate", "G0202", "--type", "HCPCS")
    assert terminated.exit_code == 1 and "terminated on 2017-12-31" in terminated.output
    stats = json.loads(run("stats", "--json").output)
    assert stats[2]["complete"] is True and stats[2]["total_codes"] == 7
    as_json = json.loads(run("import-hcpcs", str(SAMPLE), "--json").output)
    assert as_json["codes"] == 7 and as_json["rejected"] == 3


def test_import_cpt(tmp_path, thce_home):
    csv_file = tmp_path / "cpt.csv"
    csv_file.write_text("code,description\n99213,Visit\n", encoding="utf-8")
    result = run("import-cpt", str(csv_file), "--output", str(tmp_path / "c.json.gz"))
    assert result.exit_code == 0 and "Imported 1 CPT codes" in result.output


def test_import_errors_exit_2(tmp_path, thce_home):
    bad = tmp_path / "bad.txt"
    bad.write_text("nothing here\n", encoding="utf-8")
    result = run("import-hcpcs", str(bad))
    assert result.exit_code == 2
    assert "No HCPCS records found" in result.output
    missing = run("import-hcpcs", str(tmp_path / "missing.txt"))
    assert missing.exit_code == 2


def test_codes_help_lists_commands():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("validate", "lookup", "search", "stats", "import-hcpcs", "import-cpt"):
        assert command in result.output


# -- validate --file and the rough edges of issue 14 ------------------------------------------------
def test_validate_file_writes_results_and_exits_1_on_invalid(tmp_path):
    source = tmp_path / "claims.csv"
    source.write_text("claim;dx;system\n1;E11.9;ICD10\n2;E11.99;\n3;J1100;HCPCS\n", "utf-8")
    out = tmp_path / "results.csv"
    result = run("validate", "--file", str(source), "--type-column", "system", "-o", str(out))
    assert result.exit_code == 1, result.output
    assert "3 rows" in result.output and "invalid 1" in result.output
    assert "row 2 (line 3)" in result.output and "did you mean E11.9" in result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 and lines[3].startswith("3,4,J1100,J1100,HCPCS,true")


def test_validate_file_all_valid_exits_0_and_json_summary(tmp_path):
    source = tmp_path / "codes.txt"
    source.write_text("E11.9\n99213\nE11\n", "utf-8")
    result = run("validate", "--file", str(source), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["rows"], data["valid"], data["non_billable"]) == (3, 3, 1)
    assert data["by_system"]["CPT"]["valid"] == 1 and data["format"] == "text"
    strict = run("validate", "--file", str(source), "--billable-only")
    assert strict.exit_code == 1 and "category header" in strict.output


def test_validate_file_to_stdout(tmp_path):
    source = tmp_path / "codes.jsonl"
    source.write_text('{"code": "I10"}\n', "utf-8")
    result = run("validate", "--file", str(source), "--output", "-")
    assert result.exit_code == 0
    assert "row,line,input,code,code_type,valid" in result.output
    assert "1,1,I10,I10,ICD10,true" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--file", "missing.csv"], "does not exist"),
        (["E11.9", "--file", "codes.txt"], "not both"),
        ([], "Give one or more codes"),
        (["E11.9", "--column", "dx"], "--column works with --file only"),
        (["--file", "codes.txt", "--type", "ICD10", "--type-column", "t"], "not both"),
        (["--file", "codes.csv", "--column", "nope"], "no column 'nope'"),
    ],
)
def test_validate_bad_input_is_one_line_exit_2(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "codes.txt").write_text("E11.9\n", "utf-8")
    (tmp_path / "codes.csv").write_text("code\nE11.9\n", "utf-8")
    result = run("validate", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_validate_billable_only_arguments():
    result = run("validate", "E11", "E11.9", "--billable-only")
    assert result.exit_code == 1 and "✗ E11" in result.output and "✓ E11.9" in result.output


def test_validate_long_and_fullwidth_arguments():
    long = run("validate", "E" * 10_000)
    assert long.exit_code == 1
    assert len(long.output) < 600 and "(10000 characters)" in long.output
    wide = run("validate", "Ｅ１１．９")
    assert wide.exit_code == 0 and "✓ E11.9" in wide.output


def test_search_empty_query_exits_2():
    result = run("search", "  ")
    assert result.exit_code == 2 and "Empty search query" in result.output


def test_cold_validate_imports_nothing_heavy():
    """`thce codes validate E11.9` from a fresh interpreter: no numpy, torch, loguru, asyncio."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "thce", "codes", "validate", "E11.9"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    heavy = {"numpy", "torch", "transformers", "loguru", "asyncio", "multiprocessing"}
    assert not heavy & imported
