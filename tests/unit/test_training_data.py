"""Loading stage data for training: formats, line-numbered errors, dataset folders."""

from __future__ import annotations

import json

import pytest

from thce.errors import DataError
from thce.training.data import check_record, load_examples, to_dataset, training_file


def _write(path, records):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return path


def test_load_sft_and_dpo_examples(training_data):
    sft = load_examples(training_data[1], "sft")
    assert len(sft) == 4
    assert set(sft[0]) == {"messages", "id", "_line"}
    assert sft[0]["_line"] == 1 and sft[0]["id"] == "s1-0"
    dpo = load_examples(training_data[3], "dpo", max_examples=2)
    assert len(dpo) == 2 and set(dpo[0]) == {"prompt", "chosen", "rejected", "id", "_line"}
    dataset = to_dataset(dpo)
    assert dataset.column_names == ["prompt", "chosen", "rejected"]


def test_bad_records_are_reported_with_line_numbers(tmp_path, training_data):
    good = json.loads(training_data[1].read_text().splitlines()[0])
    records = [
        good,
        "{not json",
        {"messages": [{"role": "user", "content": "only a question"}]},
        {"messages": [{"role": "robot", "content": "x"}, {"role": "assistant", "content": "y"}]},
        {"text": "plain"},
    ]
    with pytest.raises(DataError) as info:
        load_examples(_write(tmp_path / "bad.jsonl", records), "sft")
    message = str(info.value)
    assert "4 record(s)" in message
    assert "line 2: invalid JSON" in message
    assert "line 3: the last message must be the assistant's answer" in message
    assert "line 4: messages[0].role must be one of" in message
    assert "line 5: missing 'messages'" in message


@pytest.mark.parametrize(
    ("record", "stage_type", "fragment"),
    [
        ({"prompt": [], "chosen": [], "rejected": []}, "sft", "preference (DPO) record"),
        ({"messages": []}, "dpo", "SFT record"),
        ({"prompt": [{"role": "user", "content": "n"}]}, "dpo", "missing chosen, rejected"),
        (
            {
                "prompt": [{"role": "user", "content": "n"}],
                "chosen": [
                    {"role": "assistant", "content": "a"},
                    {"role": "assistant", "content": "b"},
                ],
                "rejected": [{"role": "assistant", "content": "c"}],
            },
            "dpo",
            "chosen must be exactly one assistant message",
        ),
        (
            {
                "prompt": [{"role": "system", "content": "s"}],
                "chosen": [{"role": "assistant", "content": "a"}],
                "rejected": [{"role": "assistant", "content": "c"}],
            },
            "dpo",
            "prompt must end with the user message",
        ),
        (
            {
                "messages": [
                    {"role": "system", "content": "s"},
                    {"role": "assistant", "content": "a"},
                ]
            },
            "sft",
            "no user message",
        ),
        (
            {"messages": [{"role": "user", "content": " "}, {"role": "assistant", "content": "a"}]},
            "sft",
            "non-empty string",
        ),
    ],
)
def test_check_record(record, stage_type, fragment):
    assert fragment in check_record(record, stage_type)


def test_dataset_folder_uses_train_jsonl(tmp_path, training_data):
    (tmp_path / "train.jsonl").write_text(training_data[1].read_text())
    assert training_file(tmp_path) == tmp_path / "train.jsonl"
    assert len(load_examples(tmp_path, "sft")) == 4
    with pytest.raises(DataError, match=r"has no test\.jsonl"):
        training_file(tmp_path, "test")
    with pytest.raises(DataError, match="not found"):
        training_file(tmp_path / "missing.jsonl")
    (tmp_path / "empty.jsonl").write_text("\n")
    with pytest.raises(DataError, match="holds no examples"):
        load_examples(tmp_path / "empty.jsonl", "sft")
