"""Every ``thce`` command that reads a user file, fed generated bad files (hypothesis).

Each test builds a case in a sandbox and lets :func:`fuzz_harness.run_case` check the
invariants: exit code 0/1/2, no traceback, nothing written outside the outputs, nothing
written at all on exit 2. Commands that would load a model or train are given options that
make them stop after reading their input (see ``fuzz_strategies``: ``invalid=True``).
"""

from __future__ import annotations

import fuzz_strategies as fs
import pytest
from fuzz_harness import Case, fuzz_settings, run_case
from hypothesis import given
from hypothesis import strategies as st

pytestmark = pytest.mark.filterwarnings("ignore")


@fuzz_settings
@given(content=fs.stage_1_files, rejects=st.booleans())
def test_data_check(content, rejects):
    args = ["data", "check", "in.jsonl", "--stage", "1"]
    run_case(
        Case(
            "data check",
            args + (["--rejects", "out/rejects.jsonl"] if rejects else []),
            {"in.jsonl": content},
            ["out"],
        )
    )


@fuzz_settings
@given(content=fs.stage_1_files)
def test_data_preprocess(content):
    run_case(
        Case(
            "data preprocess",
            ["data", "preprocess", "in.jsonl", "--output", "out/clean.jsonl", "--no-phi"],
            {"in.jsonl": content},
            ["out"],
        )
    )


@fuzz_settings
@given(
    content=st.one_of(fs.stage_1_files, fs.csv_files()), suffix=st.sampled_from(["jsonl", "csv"])
)
def test_data_build_sources(content, suffix):
    config = fs.DATA_CONFIG.replace("SOURCE", f"source.{suffix}").encode()
    run_case(
        Case(
            "data build",
            ["data", "build", "config.yaml", "--output", "out"],
            {"config.yaml": config, f"source.{suffix}": content},
            ["out"],
        )
    )


@fuzz_settings
@given(config=fs.data_configs)
def test_data_build_configs(config):
    run_case(
        Case(
            "data build",
            ["data", "build", "config.yaml", "--output", "out"],
            {"config.yaml": config, "source.jsonl": (fs.STAGE_1_LINE + "\n").encode()},
            ["out"],
        )
    )


@fuzz_settings
@given(content=fs.phi_files)
def test_data_phi_eval(content):
    run_case(
        Case(
            "data phi-eval", ["data", "phi-eval", "in.jsonl", "--rules-only"], {"in.jsonl": content}
        )
    )


@fuzz_settings
@given(content=st.one_of(fs.stage_1_files, fs.stage_3_files), as_train=st.booleans())
def test_eval_baseline(content, as_train):
    files = {"in.jsonl": content, "good.jsonl": (fs.STAGE_1_LINE + "\n").encode()}
    data = (
        ["--test-data", "good.jsonl", "--train-data", "in.jsonl"]
        if as_train
        else [
            "--test-data",
            "in.jsonl",
        ]
    )
    run_case(
        Case(
            "eval",
            ["eval", "--baseline", "keyword", *data, "--output", "out", "--no-plots"],
            files,
            ["out"],
        )
    )


@fuzz_settings
@given(content=fs.stage_1_invalid_files)
def test_eval_model_reads_test_data_first(content):
    # Only refused test data: a valid file would go on to load the model.
    run_case(
        Case(
            "eval",
            ["eval", "--model-path", "thce:tiny", "--test-data", "in.jsonl", "--output", "out"],
            {"in.jsonl": content},
            ["out"],
        )
    )


@fuzz_settings
@given(content=fs.prediction_files)
def test_analyze(content):
    run_case(
        Case("analyze", ["analyze", "in.jsonl", "--output", "out"], {"in.jsonl": content}, ["out"])
    )


@fuzz_settings
@given(config=fs.train_configs)
def test_config_validate(config):
    run_case(
        Case(
            "config validate",
            ["config", "validate", "config.yaml", "--no-model-check"],
            {"config.yaml": config},
        )
    )


@fuzz_settings
@given(config=fs.train_configs)
def test_train_stops_at_its_config(config):
    # The unknown --set key guarantees a stop before any model loads, whatever the YAML is.
    run_case(
        Case(
            "train",
            ["train", "config.yaml", "--set", "not_a_real_key=1", "--output-dir", "out"],
            {"config.yaml": config},
            ["out"],
        )
    )


@fuzz_settings
@given(config=fs.pipeline_configs)
def test_pipeline_stops_at_its_config(config):
    run_case(
        Case(
            "pipeline",
            ["pipeline", "--config", "p.yaml", "--output-dir", "out", "--from-stage", "nowhere"],
            {"p.yaml": config},
            ["out"],
        )
    )


@fuzz_settings
@given(content=fs.codes_csv_files, suffix=st.sampled_from(["csv", "txt", "jsonl", "tsv"]))
def test_codes_validate_file(content, suffix):
    run_case(
        Case(
            "codes validate",
            ["codes", "validate", "--file", f"codes.{suffix}", "--output", "out/results.csv"],
            {f"codes.{suffix}": content},
            ["out"],
        )
    )


@fuzz_settings
@given(codes=st.lists(st.text(max_size=30), min_size=1, max_size=4))
def test_codes_validate_arguments(codes):
    run_case(Case("codes validate", ["codes", "validate", "--", *codes]))


@fuzz_settings
@given(code=st.text(max_size=30))
def test_codes_lookup(code):
    run_case(Case("codes lookup", ["codes", "lookup", "--", code]))


@fuzz_settings
@given(content=fs.cpt_files)
def test_codes_import_cpt(content):
    run_case(
        Case(
            "codes import-cpt",
            ["codes", "import-cpt", "cpt.csv", "--output", "out/cpt.json.gz"],
            {"cpt.csv": content},
            ["out"],
        )
    )


@fuzz_settings
@given(content=fs.hcpcs_files)
def test_codes_import_hcpcs(content):
    run_case(
        Case(
            "codes import-hcpcs",
            ["codes", "import-hcpcs", "anweb.txt", "--output", "out/hcpcs.json.gz"],
            {"anweb.txt": content},
            ["out"],
        )
    )


@fuzz_settings
@given(content=st.one_of(fs.stage_1_files, fs.stage_3_files), stage=st.sampled_from(["1", "3"]))
def test_generate_resumes_from_a_bad_output(content, stage):
    # --dry-run --estimate-cost reads the existing output (to resume) and calls no API.
    args = ["generate", "--stage", stage, "--count", "3", "--model", "gpt-4o"]
    run_case(
        Case(
            "generate",
            [*args, "--output", "out.jsonl", "--dry-run", "--estimate-cost", "--seed", "1"],
            {"out.jsonl": content},
        )
    )
