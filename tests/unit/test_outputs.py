"""The output layer (thce.outputs), atomic writes refusing bad paths, and missing extras."""

from __future__ import annotations

import sys

import pytest

from thce import extras
from thce.errors import MissingExtraError, OutputError
from thce.io import atomic_write
from thce.outputs import check_output_dir, check_output_file


@pytest.fixture
def place(tmp_path):
    (tmp_path / "afile").write_text("x\n")
    (tmp_path / "folder").mkdir()
    return tmp_path


def test_good_output_paths_pass_and_create_nothing(place):
    assert check_output_file(place / "new" / "deeper" / "out.jsonl").name == "out.jsonl"
    assert check_output_file(place / "afile") == place / "afile"  # replaced atomically later
    assert check_output_dir(place / "new" / "run") == place / "new" / "run"
    assert check_output_dir(place / "folder") == place / "folder"
    assert sorted(p.name for p in place.iterdir()) == ["afile", "folder"]


@pytest.mark.parametrize(
    ("check", "path", "message"),
    [
        (check_output_file, "folder", "is a folder; give a file name"),
        (check_output_file, "afile/clean.jsonl", "afile is a file, not a folder"),
        (check_output_file, "afile/deeper/clean.jsonl", "afile is a file, not a folder"),
        (check_output_dir, "afile", "is a file, but this command writes a folder"),
        (check_output_dir, "afile/run", "afile is a file, not a folder"),
        (check_output_file, "", "is empty"),
    ],
)
def test_bad_output_paths(place, monkeypatch, check, path, message):
    monkeypatch.chdir(place)
    with pytest.raises(OutputError, match=message) as info:
        check(path, option="--output")
    assert "--output" in str(info.value)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
def test_unwritable_place_is_refused_even_for_root():
    with pytest.raises(OutputError, match=r"--rejects /proc/nope/r.jsonl: cannot write in /proc"):
        check_output_file("/proc/nope/r.jsonl", option="--rejects")
    with pytest.raises(OutputError, match="cannot write in /proc"):
        check_output_dir("/proc/nope/run")


def test_an_input_is_never_an_output(place):
    with pytest.raises(OutputError, match="is also an input"):
        check_output_file(place / "afile", inputs=[None, place / "afile"])
    with pytest.raises(OutputError, match="is also an input"):
        check_output_dir(place / "folder", inputs=[place / "folder"])


def test_atomic_write_refuses_bad_paths_in_one_line(place):
    with pytest.raises(OutputError, match="is a folder"), atomic_write(place / "folder"):
        pass
    with pytest.raises(OutputError, match="cannot be written"), atomic_write(place / "afile" / "x"):
        pass
    assert sorted(p.name for p in place.iterdir()) == ["afile", "folder"]


def test_require_extra_names_the_extra(monkeypatch):
    extras.require_extra("thce codes", ("json",))  # installed: nothing happens
    monkeypatch.setitem(sys.modules, "trl", None)  # as if `pip install -e .` (no extras)
    with pytest.raises(MissingExtraError) as info:
        extras.require_extra("thce train")
    message = str(info.value)
    assert "`thce train` needs the train extra (trl is not installed)" in message
    assert 'pip install "thce[train]"' in message
    assert extras.extra_of("openai.types") == "api" and extras.extra_of("numpy") is None


def test_missing_module_message():
    exc = ModuleNotFoundError("No module named 'transformers'", name="transformers")
    assert "thce[train]" in extras.missing_module_message(exc)
    assert extras.missing_module_message(ModuleNotFoundError("x", name="yaml")) is None
