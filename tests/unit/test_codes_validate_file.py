"""Validating files: formats, encodings, row numbers, per-row systems (thce.codes.validate_file)."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest

from thce.codes import CodeValidator, clear_cache
from thce.codes.code_files import CodeFileReader
from thce.codes.validate_file import RESULT_FIELDS, validate_file
from thce.errors import CodeError


@pytest.fixture(autouse=True, scope="module")
def _no_imported_databases(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("THCE_HOME", str(tmp_path_factory.mktemp("home")))
    clear_cache()
    yield
    mp.undo()
    clear_cache()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def rows_of(path: Path, **options) -> list[tuple[int, str, str | None, str | None]]:
    reader = CodeFileReader(path, **options)
    return [tuple(row) for row in reader.rows()]


# -- reading -----------------------------------------------------------------------------------------
def test_text_file_one_code_per_line_blank_lines_kept(tmp_path):
    path = write(tmp_path / "codes.txt", "E11.9\n\n  i10 \r\nlast-no-newline")
    assert rows_of(path) == [
        (1, "E11.9", None, None),
        (2, "", None, None),
        (3, "  i10 ", None, None),
        (4, "last-no-newline", None, None),
    ]


@pytest.mark.parametrize(
    ("name", "text", "delimiter"),
    [
        ("a.csv", "id,code\n1,E11.9\n2,I10\n", ","),
        ("a.csv", "id;code\n1;E11.9\n2;I10\n", ";"),
        ("a.tsv", "id\tcode\n1\tE11.9\n2\tI10\n", "\t"),
        ("a.csv", "id|code\n1|E11.9\n2|I10\n", "|"),
    ],
)
def test_csv_delimiters_are_sniffed(tmp_path, name, text, delimiter):
    reader = CodeFileReader(write(tmp_path / name, text))
    rows = [tuple(row) for row in reader.rows()]
    assert rows == [(2, "E11.9", None, None), (3, "I10", None, None)]
    assert reader.delimiter == delimiter and reader.column == "code"


def test_csv_line_numbers_follow_quoted_newlines_and_short_rows(tmp_path):
    text = 'id,note,dx\n1,"two\nlines",E11.9\n2,x,I10\n3\n\n4,y,J45.909\n'
    rows = rows_of(write(tmp_path / "a.csv", text), column="dx")
    assert [(r[0], r[1]) for r in rows] == [
        (2, "E11.9"),
        (4, "I10"),
        (5, ""),
        (6, ""),
        (7, "J45.909"),
    ]
    assert rows[2][3] == "only 1 field(s); the header has 3"
    assert rows[3][3] is None  # a blank line: an empty code, which the validator reports


def test_csv_header_column_matching_and_errors(tmp_path):
    path = write(tmp_path / "a.csv", "Claim,DX_Code,Amount\n1,E11.9,3\n")
    assert rows_of(path)[0][1] == "E11.9"  # guessed from a well-known name
    assert rows_of(path, column="dx_code")[0][1] == "E11.9"  # case-insensitive
    with pytest.raises(CodeError, match=r"a.csv line 1: no column 'code' .*'Claim', 'DX_Code'"):
        rows_of(path, column="code")
    other = write(tmp_path / "b.csv", "x,y\n1,2\n")
    with pytest.raises(CodeError, match="which column holds the codes"):
        rows_of(other)
    with pytest.raises(CodeError, match="no column 'kind'"):
        rows_of(path, type_column="kind")


def test_headerless_single_column_csv(tmp_path):
    reader = CodeFileReader(write(tmp_path / "codes.csv", "E11.9\nI10\n"))
    assert [row.code for row in reader.rows()] == ["E11.9", "I10"]
    assert "no header" in reader.column


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""), ("cp1252", b"")],
)
def test_encodings(tmp_path, encoding, prefix):
    text = "code,note\nE11.9,café\nI10,naïve\n"
    path = tmp_path / "enc.csv"
    path.write_bytes(prefix + text.encode(encoding))  # utf-16 writes its own BOM
    reader = CodeFileReader(path)
    rows = [tuple(row) for row in reader.rows()]
    assert [(r[0], r[1]) for r in rows] == [(2, "E11.9"), (3, "I10")]
    assert reader.column == "code"  # no BOM left in the first column's name
    if encoding == "cp1252":
        assert reader.fallback_lines == 2 and reader.first_fallback_line == 2


def test_mixed_encodings_fall_back_line_by_line(tmp_path):
    data = b"code,note\nE11.9,ok\n" + b"I10,caf\xe9\nJ45.909,\x81 latin-1 only\n"
    (tmp_path / "m.csv").write_bytes(data)
    reader = CodeFileReader(tmp_path / "m.csv")
    rows = [row.code for row in reader.rows()]
    assert rows == ["E11.9", "I10", "J45.909"]
    assert reader.fallback_lines == 2 and reader.first_fallback_line == 3


def test_bad_utf16_names_the_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes("E11.9\nI10\n".encode("utf-16") + b"\x00\xd8")  # a lone surrogate
    with pytest.raises(CodeError, match=r"bad.txt line \d+: not valid UTF-16.*UTF-8"):
        rows_of(path)


def test_jsonl_fields_types_and_bad_lines(tmp_path):
    lines = [
        json.dumps({"code": "E11.9", "system": "ICD10"}),
        json.dumps({"code": 99213}),
        "",
        "{not json",
        json.dumps(["E11.9"]),
        json.dumps({"other": 1}),
        json.dumps({"code": None}),
        json.dumps({"code": ["E11.9"]}),
    ]
    rows = rows_of(write(tmp_path / "a.jsonl", "\n".join(lines) + "\n"), type_column="system")
    assert [r[0] for r in rows] == list(range(1, 9))
    assert rows[0] == (1, "E11.9", "ICD10", None)
    assert rows[1] == (2, "99213", None, None)
    assert rows[2][3] == "blank line (no JSON record)"
    assert rows[3][3].startswith("invalid JSON")
    assert rows[4][3] == "expected a JSON object, got list"
    assert rows[5][3] == "no field 'code'"
    assert rows[6] == (7, "", None, None)
    assert "is a list, not text" in rows[7][3]


def test_jsonl_first_record_decides_field_names(tmp_path):
    path = write(tmp_path / "a.jsonl", json.dumps({"dx": "E11.9"}) + "\n")
    with pytest.raises(CodeError, match=r"line 1: no field 'code' \(fields: dx\); pass --column"):
        rows_of(path)
    assert rows_of(path, column="dx")[0][1] == "E11.9"
    array = write(tmp_path / "b.json", '["E11.9"]\n')
    with pytest.raises(CodeError, match="JSON array"):
        rows_of(array)


def test_gzip_and_missing_files(tmp_path):
    path = tmp_path / "codes.csv.gz"
    path.write_bytes(gzip.compress(b"code\nE11.9\nI10\n"))
    assert [r[1] for r in rows_of(path)] == ["E11.9", "I10"]
    with pytest.raises(CodeError, match="does not exist"):
        CodeFileReader(tmp_path / "nope.csv")
    with pytest.raises(CodeError, match="is a folder"):
        CodeFileReader(tmp_path)
    # Naming a column makes a .txt file CSV (a tab- or comma-separated export).
    named = write(tmp_path / "t.txt", "kind\tcode\nICD10\tE11.9\n")
    assert rows_of(named, type_column="kind") == [(2, "E11.9", "ICD10", None)]


# -- validating and writing ------------------------------------------------------------------------------
def test_one_result_row_per_input_row_with_row_numbers(tmp_path):
    text = "id,dx\n1,E11.9\n2,E11.99\n3,\n4,Ｅ１１．９\n5,hello\n"
    out = tmp_path / "out" / "results.csv"
    summary = validate_file(write(tmp_path / "in.csv", text), output=out)
    rows = read_csv(out)
    assert list(rows[0]) == list(RESULT_FIELDS)
    assert [(r["row"], r["line"], r["input"]) for r in rows] == [
        ("1", "2", "E11.9"),
        ("2", "3", "E11.99"),
        ("3", "4", ""),
        ("4", "5", "Ｅ１１．９"),
        ("5", "6", "hello"),
    ]
    assert [r["valid"] for r in rows] == ["true", "false", "false", "true", "false"]
    assert rows[1]["suggestion"] == "E11.9" and "did you mean E11.9" in rows[1]["error"]
    assert rows[0]["description"] == "Type 2 diabetes mellitus without complications"
    assert rows[3]["code"] == "E11.9" and rows[2]["error"].startswith("Empty code")
    assert (summary.rows, summary.valid, summary.invalid) == (5, 2, 3)
    assert summary.by_system["ICD10"] == {"rows": 3, "valid": 2, "invalid": 1}
    assert summary.by_system["unknown"] == {"rows": 2, "valid": 0, "invalid": 2}
    assert [e["row"] for e in summary.examples] == [2, 3, 5]
    assert not list(out.parent.glob(".*.tmp"))  # written atomically, nothing left behind


def test_per_row_systems(tmp_path):
    text = "code,system\nJ1100,HCPCS\nJ1100,ICD-10-CM\nJ1100,\n99213,cpt\nE11.9,ICD9\n"
    out = tmp_path / "r.csv"
    summary = validate_file(write(tmp_path / "in.csv", text), type_column="system", output=out)
    rows = read_csv(out)
    assert [(r["code"], r["code_type"]) for r in rows[:4]] == [
        ("J1100", "HCPCS"),
        ("J11.00", "ICD10"),
        ("J11.00", "ICD10"),
        ("99213", "CPT"),
    ]
    assert rows[2]["also_valid_as"] == "HCPCS J1100" and rows[0]["also_valid_as"] == ""
    assert rows[4]["valid"] == "false" and "unknown code type 'ICD9'" in rows[4]["error"]
    assert summary.ambiguous == 1 and summary.invalid == 1
    with pytest.raises(CodeError, match=r"either --type .* or --type-column"):
        validate_file(tmp_path / "in.csv", type_column="system", code_type="ICD10")


def test_fixed_type_and_billable_only(tmp_path):
    path = write(tmp_path / "c.txt", "E11\nE11.9\nJ1100\n")
    plain = validate_file(path, code_type="ICD10")
    assert (plain.valid, plain.non_billable) == (3, 1)
    strict = validate_file(path, code_type="ICD10", billable_only=True, output=tmp_path / "r.csv")
    assert (strict.valid, strict.invalid, strict.non_billable) == (2, 1, 1)
    row = read_csv(tmp_path / "r.csv")[0]
    assert row["valid"] == "false" and "category header, not billable" in row["error"]
    assert row["suggestion"] == "E11.9"


def test_jsonl_and_tsv_outputs(tmp_path):
    path = write(tmp_path / "in.jsonl", '{"code": "E11.9"}\n{"code": "E11.99"}\n')
    validate_file(path, output=tmp_path / "r.jsonl")
    records = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert [list(r) for r in records] == [list(RESULT_FIELDS)] * 2
    assert records[0]["valid"] is True and records[1]["suggestion"] == "E11.9"
    assert records[0]["row"] == 1 and records[1]["line"] == 2
    validate_file(path, output=tmp_path / "r.tsv")
    assert (tmp_path / "r.tsv").read_text().splitlines()[0].split("\t") == list(RESULT_FIELDS)


def test_chunks_keep_counts_and_row_numbers(tmp_path):
    codes = ["E11.9", "E11.99", "I10", "bad"] * 25
    out = tmp_path / "r.csv"
    summary = validate_file(
        write(tmp_path / "c.txt", "\n".join(codes) + "\n"), output=out, chunk_rows=7
    )
    rows = read_csv(out)
    assert [int(r["row"]) for r in rows] == list(range(1, 101))
    assert [int(r["line"]) for r in rows] == list(range(1, 101))
    assert (summary.rows, summary.valid, summary.invalid) == (100, 50, 50)


def test_suggestions_only_for_rows_shown_or_written(tmp_path):
    typos = [f"E11.9{i}{j}" for i in range(10) for j in range(10)]  # none is a code
    path = write(tmp_path / "typos.txt", "\n".join(typos) + "\n")
    validator = CodeValidator()
    summary = validate_file(path, validator=validator, max_examples=3)
    assert summary.invalid == 100 and len(summary.examples) == 3
    computed = [r.suggestions_computed for r in validator._caches[None].values()]
    assert computed.count(True) == 3  # the three examples shown, nothing else
    validate_file(path, validator=validator, output=tmp_path / "r.csv")
    assert all(r.suggestions_computed for r in validator._caches[None].values())


def test_output_errors_and_previous_output_kept(tmp_path):
    path = write(tmp_path / "in.csv", "code\nE11.9\n")
    with pytest.raises(CodeError, match="is the input file"):
        validate_file(path, output=path)
    out = write(tmp_path / "r.csv", "previous")
    with pytest.raises(CodeError):
        validate_file(path, column="nope", output=out)
    assert out.read_text() == "previous"


def test_progress_is_reported(tmp_path):
    path = write(tmp_path / "c.txt", "E11.9\n" * 30)
    seen = []
    validate_file(path, progress=lambda done, total: seen.append((done, total)), chunk_rows=10)
    assert len(seen) == 3 and seen[-1] == (path.stat().st_size, path.stat().st_size)


@pytest.mark.parametrize("chunk_rows", [1, 2, 50_000])
def test_csv_chunks_keep_line_numbers_and_quote_inputs(tmp_path, chunk_rows):
    text = 'id,note,dx\n1,"two\nlines",E11.9\n2,x,"I10,x"\n\n3,"a ""q""",J45.909\n'
    out = tmp_path / "r.csv"
    summary = validate_file(write(tmp_path / "a.csv", text), output=out, chunk_rows=chunk_rows)
    rows = read_csv(out)
    assert [(r["row"], r["line"], r["input"]) for r in rows] == [
        ("1", "2", "E11.9"),
        ("2", "4", "I10,x"),  # a comma inside the input: quoted in the output
        ("3", "5", ""),
        ("4", "6", "J45.909"),
    ]
    assert summary.rows == 4 and summary.invalid == 2


def test_unquoted_csv_fast_path_and_switch_to_the_csv_module(tmp_path):
    # No quotes in the first chunks (regex fast path, with a blank line and a short row),
    # then a quoted field spanning lines (the csv module from there on).
    text = (
        'id,dx,kind\n1,E11.9,ICD10\n\n3\n4,I10,\n5,J1100,HCPCS\n6,"I10",ICD10\n7,"x\ny",\n8,E11,\n'
    )
    path = write(tmp_path / "a.csv", text)
    for chunk_rows in (1, 2, 3, 100):
        reader = CodeFileReader(path, type_column="kind")
        rows = [tuple(row) for chunk in reader.chunks(chunk_rows) for row in chunk.rows()]
        assert rows == [
            (2, "E11.9", "ICD10", None),
            (3, "", None, None),
            (4, "", None, "only 1 field(s); the header has 3"),
            (5, "I10", "", None),
            (6, "J1100", "HCPCS", None),
            (7, "I10", "ICD10", None),
            (8, "x\ny", "", None),
            (10, "E11", "", None),
        ], chunk_rows


def test_unwritable_output_and_unreadable_input_are_clear_errors(tmp_path):
    import os

    path = write(tmp_path / "in.txt", "E11.9\n")
    with pytest.raises(CodeError, match="is a folder; give a file name"):
        validate_file(path, output=tmp_path)
    if os.geteuid() != 0:  # root reads and writes anything
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(CodeError, match="cannot be written"):
            validate_file(path, output=locked / "sub" / "r.csv")
        path.chmod(0o000)
        with pytest.raises(CodeError, match="cannot be opened"):
            validate_file(path)
