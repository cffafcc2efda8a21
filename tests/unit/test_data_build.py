"""Dataset building (thce.data.build): sources, column mapping, checking, splitting, outputs."""

from __future__ import annotations

import json
import sys
import types
from collections import Counter
from pathlib import Path

import pytest
import yaml

from thce.data.build import build_dataset, iter_source, map_columns, split_indices, to_stage_record
from thce.data.config import parse_data_config
from thce.data.formats import (
    build_stage_1_example,
    build_stage_3_example,
    format_reasoned_answer,
    get_gold,
)
from thce.data.quality import DataQualityChecker
from thce.errors import DataError

CODES = {
    "ICD10": [("E11.9", "type 2 diabetes"), ("I10", "essential hypertension"), ("J44.1", "COPD exacerbation"),
              ("E78.5", "hyperlipidemia"), ("K21.9", "reflux disease"), ("N39.0", "urinary tract infection"),
              ("F32.9", "depression"), ("J06.9", "upper respiratory infection"), ("R07.9", "chest pain"),
              ("E66.9", "obesity")],
    "CPT": [("99213", "established office visit"), ("99214", "longer established office visit"),
            ("93000", "electrocardiogram with report"), ("80053", "comprehensive metabolic panel"),
            ("71046", "two-view chest radiograph"), ("85025", "complete blood count")],
    "HCPCS": [("J1100", "dexamethasone injection"), ("G0008", "influenza vaccine administration"),
              ("J3420", "vitamin B12 injection"), ("A4253", "glucose test strips"),
              ("E0601", "CPAP device"), ("J1885", "ketorolac injection")],
}  # fmt: skip


def examples() -> list[dict]:
    """22 valid stage-1 examples (10 ICD10, 6 CPT, 6 HCPCS) with distinct narratives."""
    out = []
    for code_type, items in CODES.items():
        for code, topic in items:
            narrative = f"Adult patient seen in clinic; the note documents {topic} and the plan was reviewed."
            out.append(build_stage_1_example(narrative, code_type, code, id=f"{code_type}-{code}"))
    return out


def write_jsonl(path: Path, rows: list) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join((json.dumps(r) if not isinstance(r, str) else r) + "\n" for r in rows))
    return path


def write_config(path: Path, datasets: list[dict], **fields) -> Path:
    config = {"name": "test_build", "description": "unit test", "stage": 1, "test_size": 0.25, "seed": 7,
              "skip_checks": ["phi"], "datasets": datasets}  # fmt: skip
    config.update(fields)
    path.write_text(yaml.safe_dump(config))
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def setup(tmp_path):
    data = write_jsonl(tmp_path / "src" / "main.jsonl", examples())
    config = write_config(
        tmp_path / "src" / "cfg.yaml", [{"name": "main", "source_path": "main.jsonl"}]
    )
    return config, data, tmp_path / "out"


def test_build_writes_split_outputs_and_metadata(setup):
    config, _, out = setup
    meta = build_dataset(config, out)
    train, test = read_jsonl(out / "train.jsonl"), read_jsonl(out / "test.jsonl")
    assert (len(train), len(test)) == (16, 6)  # round(22 * 0.25) = 6
    assert meta["counts"] == {"read": 22, "kept": 22, "rejected": 0, "train": 16, "test": 6}
    assert meta["stratified"] is True
    # Stratified: each system's share of the test set follows its share of the data.
    assert meta["code_types"]["test"] == {"CPT": 2, "HCPCS": 1, "ICD10": 3} or meta["code_types"][
        "test"
    ] == {"CPT": 1, "HCPCS": 2, "ICD10": 3}
    assert Counter(get_gold(r).code_type for r in test) == meta["code_types"]["test"]
    assert meta["sources"]["main"] == {
        "location": "main.jsonl",
        "entries": "all",
        "read": 22,
        "kept": 22,
        "rejected": 0,
        "train": 16,
        "test": 6,
    }
    assert {r["id"] for r in train} | {r["id"] for r in test} == {e["id"] for e in examples()}
    assert all(r["metadata"]["source"] == "main" for r in train + test)
    assert (out / "rejects.jsonl").read_text() == ""
    on_disk = json.loads((out / "metadata.json").read_text())
    assert on_disk == meta
    assert len(meta["config_hash"]) == 64 and meta["seed"] == 7 and meta["test_size"] == 0.25
    assert "phi" not in meta["checks"] and "duplicate" in meta["checks"]
    assert meta["created"].endswith("+00:00")
    assert sorted(p.name for p in out.iterdir()) == [
        "metadata.json",
        "rejects.jsonl",
        "test.jsonl",
        "train.jsonl",
    ]


def test_build_is_deterministic_and_seed_changes_split(setup, tmp_path):
    config, _, out = setup
    build_dataset(config, out)
    first = (out / "test.jsonl").read_text()
    build_dataset(config, tmp_path / "again")
    assert (tmp_path / "again" / "test.jsonl").read_text() == first
    meta = build_dataset(config, tmp_path / "other", seed=123)
    assert meta["seed"] == 123
    assert (tmp_path / "other" / "test.jsonl").read_text() != first


def test_test_size_zero_puts_everything_in_train(setup):
    config, _, out = setup
    meta = build_dataset(config, out, test_size=0)
    assert meta["counts"]["train"] == 22 and meta["counts"]["test"] == 0
    assert (out / "test.jsonl").read_text() == ""
    with pytest.raises(DataError, match=r"--test-size must be in \[0, 1\)"):
        build_dataset(config, out, test_size=1.5)


def test_failing_records_go_to_rejects_with_reasons(tmp_path):
    rows = examples()[:6]
    short = build_stage_1_example("too short", "ICD10", "E11.9")
    rows += [
        short,
        "{not json",
        rows[0],
        build_stage_1_example(
            "Adult patient seen today with a code nobody knows.", "ICD10", "E11.999"
        ),
    ]
    write_jsonl(tmp_path / "d.jsonl", rows)
    config = write_config(tmp_path / "c.yaml", [{"name": "d", "source_path": "d.jsonl"}])
    meta = build_dataset(config, tmp_path / "out")
    rejects = read_jsonl(tmp_path / "out" / "rejects.jsonl")
    assert [(r["source"], r["line"]) for r in rejects] == [("d", 7), ("d", 8), ("d", 9), ("d", 10)]
    assert rejects[0]["record"] == short and "narrative_length" in rejects[0]["reasons"]
    assert rejects[1]["record"] == "{not json" and "schema" in rejects[1]["reasons"]
    assert "duplicate" in rejects[2]["reasons"]
    assert "unknown_code" in rejects[3]["reasons"]
    assert meta["counts"]["rejected"] == 4 and meta["counts"]["kept"] == 6
    assert meta["rejected_by_check"] == {
        "duplicate": 1,
        "narrative_length": 1,
        "schema": 1,
        "unknown_code": 1,
    }


def test_raw_sources_with_column_mapping_entries_and_multiple_sources(tmp_path):
    raw_rows = [
        {
            "note": f"Adult patient {i} with essential hypertension, stable on therapy today.",
            "dx": "I10",
            "system": "icd10",
            "clinic": "north",
        }
        for i in range(5)
    ]
    write_jsonl(tmp_path / "raw.jsonl", raw_rows)
    write_jsonl(tmp_path / "main.jsonl", examples())
    config = write_config(
        tmp_path / "c.yaml",
        [
            {
                "name": "raw",
                "source_path": "raw.jsonl",
                "entries": 3,
                "columns": {"note": "narrative", "dx": "code", "system": "code_type"},
            },
            {"name": "main", "source_path": "main.jsonl", "entries": 10},
        ],
        test_size=0.2,
    )
    meta = build_dataset(config, tmp_path / "out")
    assert meta["sources"]["raw"]["read"] == 3 and meta["sources"]["raw"]["kept"] == 3
    assert meta["sources"]["main"]["read"] == 10
    assert meta["counts"]["train"] + meta["counts"]["test"] == 13
    rows = read_jsonl(tmp_path / "out" / "train.jsonl") + read_jsonl(
        tmp_path / "out" / "test.jsonl"
    )
    converted = [r for r in rows if r["metadata"]["source"] == "raw"]
    assert converted[0]["id"].startswith("raw-")
    assert converted[0]["messages"][2]["content"].startswith("ICD10: I10")
    assert converted[0]["metadata"]["clinic"] == "north"


def test_duplicates_are_caught_across_sources(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", examples()[:4])
    write_jsonl(tmp_path / "b.jsonl", examples()[:2])
    config = write_config(
        tmp_path / "c.yaml",
        [{"name": "a", "source_path": "a.jsonl"}, {"name": "b", "source_path": "b.jsonl"}],
    )
    meta = build_dataset(config, tmp_path / "out")
    assert meta["sources"]["b"]["rejected"] == 2 and meta["rejected_by_check"] == {"duplicate": 2}


def test_stage_3_build(tmp_path):
    chosen = format_reasoned_answer(
        "Hypertension is documented without organ damage.", "ICD10", "I10"
    )
    rows = [
        build_stage_3_example(
            f"Adult patient number {i} with essential hypertension, stable today.",
            chosen,
            "ICD10: I11.9",
        )
        for i in range(5)
    ]
    write_jsonl(tmp_path / "p.jsonl", rows)
    config = write_config(
        tmp_path / "c.yaml", [{"name": "p", "source_path": "p.jsonl"}], stage=3, test_size=0.2
    )
    meta = build_dataset(config, tmp_path / "out")
    assert meta["counts"] == {"read": 5, "kept": 5, "rejected": 0, "train": 4, "test": 1}
    assert meta["stratified"] is False  # a single code system
    raw_config = write_config(
        tmp_path / "r.yaml", [{"name": "p", "source_path": "raw.jsonl"}], stage=3
    )
    write_jsonl(
        tmp_path / "raw.jsonl", [{"narrative": "Adult patient with hypertension.", "code": "I10"}]
    )
    with pytest.raises(DataError, match="no record"):
        build_dataset(raw_config, tmp_path / "out3")
    reasons = read_jsonl(tmp_path / "out3" / "rejects.jsonl")[0]["reasons"]
    assert "cannot make stage-3 examples" in reasons["schema"]


def test_all_rejected_raises_with_rejects_written(tmp_path):
    write_jsonl(tmp_path / "bad.jsonl", ["{x", "{y"])
    config = write_config(tmp_path / "c.yaml", [{"name": "bad", "source_path": "bad.jsonl"}])
    with pytest.raises(DataError, match=r"no record of .* passed the quality checks"):
        build_dataset(config, tmp_path / "out")
    assert len(read_jsonl(tmp_path / "out" / "rejects.jsonl")) == 2
    assert not (tmp_path / "out" / "train.jsonl").exists()
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["rejects.jsonl"]  # temp file removed


def test_output_must_be_a_folder(setup, tmp_path):
    config, _, _ = setup
    file = tmp_path / "file.txt"
    file.write_text("x")
    with pytest.raises(DataError, match="is not a folder"):
        build_dataset(config, file)


def test_custom_checker_is_used(setup):
    config, _, out = setup
    meta = build_dataset(config, out, checker=DataQualityChecker(checks=["schema"]))
    assert meta["checks"] == ["schema"]


def test_hub_source_through_datasets(monkeypatch, tmp_path):
    calls = []
    rows = [
        {
            "text": f"Adult patient {i} with obesity, counselled on diet and exercise today.",
            "label": "E66.9",
            "kind": "ICD10",
        }
        for i in range(4)
    ]

    def load_dataset(path, name=None, split=None, streaming=False, **kwargs):
        calls.append((path, name, split, streaming))
        return iter(rows)

    monkeypatch.setitem(sys.modules, "datasets", types.SimpleNamespace(load_dataset=load_dataset))
    config = write_config(
        tmp_path / "c.yaml",
        [
            {
                "name": "hub",
                "hub_id": "org/notes",
                "subset": "en",
                "split": "validation",
                "entries": 3,
                "columns": {"label": "code", "kind": "code_type"},
            }
        ],
    )
    meta = build_dataset(config, tmp_path / "out", test_size=0)
    assert calls == [("org/notes", "en", "validation", True)]
    assert meta["sources"]["hub"] | {} == {
        "location": "org/notes",
        "entries": 3,
        "read": 3,
        "kept": 3,
        "rejected": 0,
        "train": 3,
        "test": 0,
    }


def test_hub_errors_become_data_errors(monkeypatch, tmp_path):
    def load_dataset(*args, **kwargs):
        raise ConnectionError("offline\nmore detail")

    monkeypatch.setitem(sys.modules, "datasets", types.SimpleNamespace(load_dataset=load_dataset))
    config = write_config(tmp_path / "c.yaml", [{"name": "hub", "hub_id": "org/notes"}])
    with pytest.raises(
        DataError, match=r"dataset 'hub': cannot load org/notes \(split 'train'\): offline$"
    ):
        build_dataset(config, tmp_path / "out")
    monkeypatch.setitem(sys.modules, "datasets", None)  # not installed
    with pytest.raises(DataError, match="needs the `datasets` package"):
        build_dataset(config, tmp_path / "out")


def test_unsupported_file_type(tmp_path):
    (tmp_path / "notes.txt").write_text("hi")
    source = parse_data_config(
        {"name": "x", "datasets": [{"name": "t", "source_path": "notes.txt"}]}
    ).datasets[0]
    with pytest.raises(DataError, match=r"unsupported file type .txt"):
        list(iter_source(source, tmp_path / "c.yaml"))


def test_map_columns_and_to_stage_record():
    assert map_columns({"a": 1}, {}) == {"a": 1}
    assert map_columns({"note": "x", "keep": 2}, {"note": "narrative"}) == {
        "narrative": "x",
        "keep": 2,
    }
    example = examples()[0]
    assert to_stage_record(example, 1) is example
    converted = to_stage_record(
        {"narrative": "Adult with type 2 diabetes.", "code": "E11.9", "code_type": "ICD10"}, 1
    )
    assert converted["messages"][2]["content"].startswith("ICD10: E11.9")
    with pytest.raises(DataError, match="cannot convert"):
        to_stage_record({"narrative": "no code"}, 1)


@pytest.mark.parametrize("n", [2, 3, 10, 57])
def test_split_indices_properties(n):
    labels = ["ICD10" if i % 2 else "CPT" for i in range(n)]
    test, stratified = split_indices(labels, 0.3, seed=1)
    assert 1 <= len(test) <= n - 1
    assert len(test) == min(n - 1, max(1, round(n * 0.3)))
    assert test == split_indices(labels, 0.3, seed=1)[0]
    train_labels = {labels[i] for i in range(n) if i not in test}
    if stratified:
        assert train_labels == {"ICD10", "CPT"}  # every system stays in train


def test_split_indices_edge_cases():
    assert split_indices([], 0.2, 1) == (set(), False)
    assert split_indices(["A"], 0.5, 1) == (set(), False)
    assert split_indices(["A", "B"], 0.0, 1) == (set(), False)
    test, stratified = split_indices(["A", "A", "A", "B"], 0.5, 1)  # B has one record: no strata
    assert not stratified and len(test) == 2
    test, stratified = split_indices(["A"] * 6 + ["B"] * 4, 0.5, 3)
    assert stratified and len(test) == 5


def test_missing_second_source_fails_before_anything_is_written(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", examples()[:3])
    config = write_config(
        tmp_path / "c.yaml",
        [{"name": "a", "source_path": "a.jsonl"}, {"name": "b", "source_path": "missing.jsonl"}],
    )
    with pytest.raises(DataError, match=r"dataset 'b' in .*source_path 'missing.jsonl' not found"):
        build_dataset(config, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []
