"""The PHI package is layered: each module imports alone, and none imports a module above it.

The layers are the ones listed in ``thce/data/phi/__init__.py``; a new module must be placed
in one of them here.
"""

from __future__ import annotations

import ast
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import thce.data.phi as phi

PACKAGE_DIR = Path(phi.__file__).parent
MODULES = sorted(m.name for m in pkgutil.iter_modules(phi.__path__))
# Bottom to top; a module may import modules of its own layer or of layers below.
LAYERS: list[set[str]] = [
    {"clinical_terms", "lexicon", "spans"},
    {"words"},
    {"vocabulary"},
    {"context"},
    {"base", "headers"},
    {"cues", "id_families", "names", "ages", "dates", "facilities", "hl7", "identifiers"}
    | {"places", "tables", "unique_ids"},
    {"recognizers"},
    {"ner", "scrubber", "evaluation"},
]
LAYER = {module: i for i, layer in enumerate(LAYERS) for module in layer}


def phi_imports(module: str) -> set[str]:
    """PHI modules that ``module`` imports anywhere in its source (functions included)."""
    found: set[str] = set()
    tree = ast.parse((PACKAGE_DIR / f"{module}.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "thce.data.phi":
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("thce.data.phi."):
            found.add(node.module.split(".")[3])
        elif isinstance(node, ast.Import):
            found |= {
                a.name.split(".")[3] for a in node.names if a.name.startswith("thce.data.phi.")
            }
    return found - {module}


def test_every_module_has_a_layer():
    assert sorted(LAYER) == MODULES
    assert len(MODULES) == 23


@pytest.mark.parametrize("module", MODULES)
def test_no_module_imports_upwards(module):
    above = {dep for dep in phi_imports(module) if LAYER[dep] > LAYER[module]}
    assert not above, f"{module} (layer {LAYER[module]}) imports {sorted(above)} from above"


def test_imports_have_no_cycle():
    graph = {module: phi_imports(module) for module in MODULES}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, f"import cycle: {' -> '.join((*path, module))}"
        if module not in done:
            for dep in graph[module]:
                visit(dep, (*path, module))
            done.add(module)

    for module in MODULES:
        visit(module, ())


def test_text_context_depends_only_on_word_lists():
    assert phi_imports("context") == {"lexicon", "words", "vocabulary"}


def _python(code: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_each_module_imports_alone_in_a_fresh_interpreter():
    # One interpreter per module, started together: an import cycle shows up only when the
    # cycle's module is the first one imported.
    runs = {module: _python(f"import thce.data.phi.{module}") for module in MODULES}
    failures = {}
    for module, run in runs.items():
        _, err = run.communicate(timeout=120)
        if run.returncode:
            failures[module] = err.strip().splitlines()[-1:]
    assert not failures


def test_importing_the_context_loads_nothing_above_it():
    run = _python(
        "import sys, thce.data.phi.context; "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('thce.data.phi.'))))"
    )
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    loaded = {name.rsplit(".", 1)[1] for name in out.split()}
    assert loaded == {"clinical_terms", "context", "lexicon", "vocabulary", "words"}
