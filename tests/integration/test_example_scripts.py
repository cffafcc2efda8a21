"""The committed example data and fixtures are exactly what their generation scripts produce."""

from __future__ import annotations

import subprocess
import sys

import pytest

from thce.resources import REPO_ROOT

SCRIPTS = [
    "scripts/make_examples_stage_1_2.py",
    "scripts/make_examples_stage_3_test.py",
    "scripts/make_fixtures.py",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_generated_files_are_up_to_date(script):
    result = subprocess.run(
        [sys.executable, script, "--check"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
