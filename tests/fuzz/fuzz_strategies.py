"""Hypothesis strategies for bad user files: what a new user's real files look like on a bad day.

Every strategy starts from a *valid* file of its kind (a shipped example, config or fixture)
and breaks it the ways real files break: random bytes, Excel's Windows-1252/Latin-1, UTF-8
and UTF-16 byte-order marks, truncation (a crash mid-write), huge lines, deep nesting, lone
surrogate escapes, empty files, CSV where JSONL belongs, JSON values of the wrong type in a
known field, YAML with unknown keys or wrong types. ``invalid=True`` keeps only breakages
that a command must refuse (for commands that would otherwise go on to load a model).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml
from hypothesis import strategies as st

REPO_ROOT = Path(__file__).resolve().parents[2]
# Huge lines: a few hundred KB by default, MBs in the long profile.
HUGE = 2_000_000 if os.environ.get("THCE_FUZZ_PROFILE", "").lower() == "ci" else 200_000


def _first_line(path: Path) -> str:
    return path.read_text("utf-8").splitlines()[0]


STAGE_1_LINE = _first_line(REPO_ROOT / "data" / "examples" / "test.jsonl")
STAGE_3_LINE = _first_line(REPO_ROOT / "data" / "examples" / "sample_stage_3.jsonl")
PHI_LINE = _first_line(REPO_ROOT / "tests" / "fixtures" / "phi_annotated.jsonl")
PREDICTION_LINE = json.dumps(
    {
        "id": "t-001",
        "gold_type": "ICD10",
        "gold_code": "E11.9",
        "pred_type": "ICD10",
        "pred_code": "E11.65",
        "candidates": ["ICD10:E11.65", "ICD10:E11.9"],
        "raw_output": "ICD10: E11.65 (Type 2 diabetes mellitus with hyperglycemia)",
        "confidence": 0.4,
        "well_formed": True,
        "narrative": "58 yo with type 2 diabetes on metformin.",
        "stage": 1,
    }
)
CODES_CSV = "id,code,code_type\n1,E11.9,ICD10\n2,99213,CPT\n3,J1100,HCPCS\n"
CPT_CSV = "code,description\n99213,Office visit established patient low complexity\n"
HCPCS_TEXT = (REPO_ROOT / "tests" / "fixtures" / "hcpcs_anweb_sample.txt").read_bytes()
TRAIN_CONFIG = (REPO_ROOT / "post_training" / "config" / "thce_stage_1.yaml").read_text("utf-8")
PIPELINE_CONFIG = (REPO_ROOT / "configs" / "pipeline.yaml").read_text("utf-8")
DATA_CONFIG = """\
name: fuzz
stage: 1
test_size: 0.0
skip_checks: [phi]
datasets:
  - name: source
    source_path: SOURCE
    entries: all
retrieval: null
"""

# JSON values of every type, small.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)

_ODD_TEXT = "Caf\u00e9 na\u00efve \u2013 \u201cquoted\u201d \u00e9\u00e8 \u00b0 "


def _encodings(text: str) -> st.SearchStrategy[bytes]:
    """The text with Windows-1252 characters, saved the ways editors and Excel save it."""
    odd = text.replace("type", _ODD_TEXT + "type", 1) if "type" in text else _ODD_TEXT + text
    return st.sampled_from(
        [
            odd.encode("cp1252", errors="replace"),
            odd.encode("latin-1", errors="replace"),
            b"\xef\xbb\xbf" + odd.encode("utf-8"),
            odd.encode("utf-16"),  # with a BOM
            odd.encode("utf-16-le"),  # without one: NUL bytes everywhere
            odd.replace("\n", "\r\n").encode("utf-8"),
            odd.replace("\n", "\r").encode("cp1252", errors="replace"),  # old Mac Excel
        ]
    )


def _truncated(data: bytes) -> st.SearchStrategy[bytes]:
    """Cut inside the content (at least its last character goes): a crash mid-write."""
    end = max(1, len(data.rstrip()) - 1)
    return st.integers(min_value=1, max_value=end).map(lambda n: data[:n])


def _common_breakage(valid: bytes) -> list[st.SearchStrategy[bytes]]:
    return [
        st.binary(max_size=600),
        st.sampled_from([b"", b"\n", b"  \n\t\n", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe"]),
        _truncated(valid),
        st.just(b"x" * HUGE),
        st.just(valid + b"\n" + b"\xff\xfe\x00" * 50 + b"\n" + valid),
        st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.just(valid.replace(b"e", b"[/nope][bold]e[link=x]", 3)),  # rich markup in the text
    ]


def jsonl_files(valid_line: str, invalid: bool = False) -> st.SearchStrategy[bytes]:
    """Bad JSONL files built from one valid line (see the module docstring)."""
    valid = (valid_line + "\n").encode("utf-8")
    record = json.loads(valid_line)

    def with_field(item: tuple[str, object]) -> bytes:
        key, value = item
        return (json.dumps({**record, key: value}) + "\n").encode("utf-8")

    broken = [
        *_common_breakage(valid),
        st.just(b'{"a": "' + b"y" * HUGE + b'"}\n'),
        st.just(b"[" * 50_000 + b"]" * 50_000 + b"\n"),
        st.just(b'{"a":' * 3000 + b"1" + b"}" * 3000 + b"\n"),
        st.just(b'{"narrative": "\\ud800 lone", "code": "E11.9"}\n'),
        st.just(("1" * 5000 + "\n").encode()),
        st.just(b"narrative,code\n58 yo with type 2 diabetes,E11.9\nheadache,R51.9\n"),
        st.just(b"[" + valid.strip() + b"]\n"),
        st.lists(json_values, min_size=1, max_size=4).map(
            lambda values: "".join(json.dumps(v) + "\n" for v in values).encode()
        ),
        st.tuples(st.sampled_from(sorted(record)), json_values).map(
            lambda item: with_field(item) if not invalid else with_field(item) + b"{\n"
        ),
    ]
    if not invalid:  # these can be valid files: fine for commands that only read data
        broken.append(_encodings(valid.decode("utf-8") * 3))
    return st.one_of(broken)


def csv_files() -> st.SearchStrategy[bytes]:
    """Bad CSV files (a data-build source, a file of codes)."""
    valid = b"narrative,code\n58 yo with type 2 diabetes on metformin,E11.9\n"
    return st.one_of(
        *_common_breakage(valid),
        _encodings("narrative;code\n58 yo with type 2 diabetes on metformin;E11.9\n"),
        st.just(b'narrative,code\n"unterminated quote,E11.9\n'),
        st.just(b"narrative,narrative\nx,y\n"),
        st.just(b"a,b\n1,2,3,4\n\n,\n"),
        st.just(b"narrative,code\n" + b"z" * HUGE + b",E11.9\n"),
        st.just(b'{"narrative": "json in a csv", "code": "E11.9"}\n'),
    )


def text_files(valid: bytes) -> st.SearchStrategy[bytes]:
    """Bad plain-text files (code lists, CMS fixed-width files)."""
    return st.one_of(*_common_breakage(valid), _encodings(valid.decode("latin-1")))


def yaml_files(valid: str, invalid: bool = False) -> st.SearchStrategy[bytes]:
    """Bad YAML configs; with ``invalid=True`` every one is one the loader must refuse."""
    data = yaml.safe_load(valid)
    keys = sorted(data)
    unknown = valid + "\nnot_a_real_key: 1\n"

    def with_value(item: tuple[str, object]) -> bytes:
        key, value = item
        text = yaml.safe_dump({**data, key: value}, allow_unicode=True)
        return (text + ("\nnot_a_real_key: 1\n" if invalid else "")).encode("utf-8")

    broken = [
        st.binary(max_size=400),
        st.sampled_from([b"", b"\n", b"\xef\xbb\xbf", b"- a\n- b\n", b"just text\n", b"42\n"]),
        _truncated(valid.encode("utf-8")).map(lambda b: b + (b"\n]]" if invalid else b"")),
        _encodings(unknown),
        st.just(("a:\n" + "".join(" " * i + "- b:\n" for i in range(1, 400))).encode()),
        st.just(b"[" * 5000 + b"]" * 5000),
        st.just(b"key: !!python/object:os.system ls\n"),
        st.just(valid.replace("  ", "\t", 3).encode("utf-8")),
        st.just(b"a: " + b"x" * HUGE + b"\n"),
        st.tuples(st.sampled_from(keys), json_values).map(with_value),
        st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    ]
    return st.one_of(broken)


# Shipped-style valid inputs, by command.
stage_1_files = jsonl_files(STAGE_1_LINE)
stage_1_invalid_files = jsonl_files(STAGE_1_LINE, invalid=True)
stage_3_files = jsonl_files(STAGE_3_LINE)
phi_files = jsonl_files(PHI_LINE)
prediction_files = jsonl_files(PREDICTION_LINE)
codes_csv_files = st.one_of(csv_files(), text_files(CODES_CSV.encode()))
cpt_files = st.one_of(csv_files(), text_files(CPT_CSV.encode()))
hcpcs_files = text_files(HCPCS_TEXT)
train_configs = yaml_files(TRAIN_CONFIG, invalid=True)
pipeline_configs = yaml_files(PIPELINE_CONFIG, invalid=True)
data_configs = yaml_files(DATA_CONFIG.replace("SOURCE", "source.jsonl"))
