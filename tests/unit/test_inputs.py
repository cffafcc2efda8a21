"""The input layer (thce.inputs): encodings, BOMs, broken lines, CSV, and whole-file errors."""

from __future__ import annotations

import json

import pytest

from thce.errors import DataError, EvaluationError, InputError
from thce.inputs import (
    DecodedFile,
    check_input_file,
    first_line,
    iter_csv,
    iter_jsonl,
    read_text,
)

RECORD = {"narrative": "Café visit, naïve patient – type 2 diabetes", "code": "E11.9"}


def jsonl_bytes(encoding: str) -> bytes:
    return (json.dumps(RECORD, ensure_ascii=False) + "\n").encode(encoding)


@pytest.mark.parametrize(
    ("data", "warned"),
    [
        (jsonl_bytes("utf-8"), False),
        (b"\xef\xbb\xbf" + jsonl_bytes("utf-8"), False),  # Notepad's UTF-8 with a BOM
        (jsonl_bytes("utf-16"), False),  # UTF-16 with its BOM
        (jsonl_bytes("cp1252"), True),  # an Excel export
    ],
    ids=["utf-8", "utf-8-bom", "utf-16", "cp1252"],
)
def test_iter_jsonl_reads_every_common_encoding(tmp_path, capsys, data, warned):
    path = tmp_path / "notes.jsonl"
    path.write_bytes(data)
    [(line, record, _, error)] = list(iter_jsonl(path))
    assert (line, record, error) == (1, RECORD, None)
    err = capsys.readouterr().err
    assert ("line 1 is not UTF-8" in err) is warned
    if warned:  # one line, naming the file and the fix
        assert err.count("\n") == 1 and str(path) in err and "Save the file as UTF-8" in err


def test_only_the_odd_lines_fall_back(tmp_path, capsys):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(jsonl_bytes("utf-8") + jsonl_bytes("cp1252") + jsonl_bytes("cp1252"))
    records = [record for _, record, _, _ in iter_jsonl(path)]
    assert records == [RECORD] * 3
    assert capsys.readouterr().err.count("Warning") == 1  # once per file, at line 2
    source = DecodedFile(path)
    list(source.lines())
    assert (source.fallback_lines, source.first_fallback_line) == (2, 2)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "invalid JSON"),
        ("[" * 5000 + "]" * 5000, "nested too deeply"),
        ('{"a":' * 3000 + "1" + "}" * 3000, "nested too deeply"),
        ("1" * 5000, "invalid JSON"),  # more digits than int() converts
        ('{"narrative": "\\ud800"}', "lone UTF-16 surrogate"),
        ("narrative,code", "looks like CSV"),
        ("[1, 2]", "expected a JSON object, got list"),
    ],
    ids=["truncated", "deep-list", "deep-dict", "huge-int", "surrogate", "csv", "list"],
)
def test_broken_lines_are_reported_not_raised(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n" + json.dumps(RECORD) + "\n", encoding="utf-8")
    rows = list(iter_jsonl(path))
    assert rows[0][1] is None and message in rows[0][3]
    assert rows[1][1] == RECORD


def test_huge_line_without_line_end(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps({"a": "x" * 3_000_000}), encoding="utf-8")  # 3 blocks, no \n
    [(_, record, _, _)] = list(iter_jsonl(path))
    assert len(record["a"]) == 3_000_000


def test_whole_file_problems_raise_the_callers_error(tmp_path):
    with pytest.raises(EvaluationError, match="cannot be opened"):
        list(iter_jsonl(tmp_path / "missing.jsonl", EvaluationError))
    with pytest.raises(DataError, match="is a folder"):
        list(iter_jsonl(tmp_path))
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(b"\xff\xfe\x00")  # a UTF-16 BOM and half a character
    with pytest.raises(DataError, match="not valid UTF-16"):
        list(iter_jsonl(broken))


def test_check_input_file(tmp_path):
    (tmp_path / "f.yaml").write_text("a: 1\n")
    assert check_input_file(tmp_path / "f.yaml") == tmp_path / "f.yaml"
    with pytest.raises(InputError, match=r"--config .*missing.yaml does not exist"):
        check_input_file(tmp_path / "missing.yaml", what="--config")
    with pytest.raises(InputError, match="is a folder"):
        check_input_file(tmp_path)


def test_read_text_and_first_line(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: caf\xc3\xa9\n")
    assert read_text(path) == "name: café\n"
    path.write_bytes(b"\n  \nname: caf\xe9\n")
    assert read_text(path).endswith("name: café\n")
    assert first_line(path) == "name: café"
    path.write_bytes(b" \n\n")
    assert first_line(path) is None


def test_iter_csv(tmp_path, capsys):
    path = tmp_path / "notes.csv"
    path.write_bytes(
        "narrative;code;note\n"
        "Café visit, type 2 diabetes;E11.9;\n"
        "\n"
        '"two\nlines";I10;x\n'
        "too;many;cells;here\n"
        "short\n".encode("cp1252")
    )
    rows = list(iter_csv(path))
    assert [row[0] for row in rows] == [2, 4, 6, 7]
    assert rows[0][1] == {"narrative": "Café visit, type 2 diabetes", "code": "E11.9", "note": None}
    assert rows[1][1]["narrative"] == "two\nlines"
    assert rows[2][1] is None and "4 cells, the header has 3" in rows[2][3]
    assert rows[3][1] == {"narrative": "short", "code": None, "note": None}
    assert "line 2 is not UTF-8" in capsys.readouterr().err


def test_iter_csv_refuses_a_bad_header(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("code,code\n1,2\n")
    with pytest.raises(DataError, match="column 'code' appears twice"):
        list(iter_csv(path))
    path.write_text("")
    assert list(iter_csv(path)) == []
