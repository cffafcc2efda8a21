"""Tokenizer setup and token accounting for training (seed task 1.9).

* :func:`prepare_tokenizer` applies a stage's chat template, adds ``<think>``/``</think>``,
  sets EOS to ``<|im_end|>`` and a pad token distinct from EOS.
* :func:`prepare_model_for_tokenizer` resizes embeddings when tokens were added and mirrors
  EOS/pad ids onto the model configs.
* :func:`example_lengths` / :func:`fit_examples` count tokens per narrative and per example
  and make every example fit ``max_length`` without ever cutting the answer: too-long examples
  are dropped or their narrative is shortened, and a :class:`TruncationReport` says how many
  and why.

Why pad must differ from EOS: SmolLM2-Instruct ships pad == eos (``<|im_end|>``, id 2 in its
GGUF tokenizer; ``<|endoftext|>`` in some copies). Collators mask pad positions out of the
labels, so with pad == eos the model never sees a trained ``<|im_end|>`` and never learns to
stop. We pad with ``<|endoftext|>`` (id 0), which never occurs inside a chat turn.

    >>> from thce.models import load_model_and_tokenizer
    >>> model, tok = load_model_and_tokenizer("thce:tiny")  # doctest: +SKIP
    >>> added = prepare_tokenizer(tok, "stage_2")  # doctest: +SKIP
    >>> prepare_model_for_tokenizer(model, tok)  # doctest: +SKIP
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from thce.data.chat_templates import get_template
from thce.data.formats import THINK_CLOSE, THINK_OPEN
from thce.errors import TrainingError
from thce.logging import logger

if TYPE_CHECKING:  # pragma: no cover
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

EOS_TOKEN = "<|im_end|>"
THINK_TOKENS: tuple[str, str] = (THINK_OPEN, THINK_CLOSE)
# Pad candidates, in order of preference; the first one in the vocab that is not EOS wins.
PAD_CANDIDATES: tuple[str, ...] = ("<|endoftext|>", "<|pad|>", "<pad>", "<unk>")
FALLBACK_PAD = "<|pad|>"
# Below this many narrative tokens a prompt-truncated example is useless: drop it instead.
MIN_NARRATIVE_TOKENS = 16


def choose_pad_token(tokenizer: PreTrainedTokenizerBase, eos_token: str = EOS_TOKEN) -> str:
    """A pad token distinct from ``eos_token``: the current pad if it differs, else a candidate."""
    vocab = tokenizer.get_vocab()
    current = tokenizer.pad_token
    if current and current != eos_token and current in vocab:
        return current
    for candidate in PAD_CANDIDATES:
        if candidate in vocab and candidate != eos_token:
            return candidate
    return FALLBACK_PAD


def prepare_tokenizer(
    tokenizer: PreTrainedTokenizerBase,
    template: str | int = "stage_1",
    add_think_tokens: bool | None = None,
    extra_tokens: list[str] | tuple[str, ...] = (),
    eos_token: str = EOS_TOKEN,
    pad_token: str | None = None,
) -> list[str]:
    """Set up a tokenizer for a stage; return the tokens that were new to its vocabulary.

    ``add_think_tokens`` defaults to True for the stage-2/3 templates. ``<think>`` and
    ``</think>`` are added as atomic, *non-special* tokens: they are never split, and
    ``decode(..., skip_special_tokens=True)`` keeps them, so evaluation still sees the
    reasoning block. Call :func:`prepare_model_for_tokenizer` afterwards to resize embeddings.

    >>> prepare_tokenizer(tok, "stage_2")  # doctest: +SKIP
    ['<think>', '</think>']
    """
    from transformers import AddedToken

    template_text = get_template(template)
    tokenizer.chat_template = template_text
    stage_name = str(template)
    if add_think_tokens is None:
        add_think_tokens = stage_name.endswith(("2", "3"))
    wanted = list(THINK_TOKENS if add_think_tokens else ()) + [
        t for t in extra_tokens if t not in THINK_TOKENS
    ]
    vocab = tokenizer.get_vocab()
    new_tokens = [t for t in dict.fromkeys(wanted) if t not in vocab]
    if new_tokens:
        # Remember how each new token was spelled before (<think> = "<", "think", ">"), so
        # prepare_model_for_tokenizer can start its embedding from those pieces.
        pieces = getattr(tokenizer, "thce_new_token_pieces", {})
        for token in new_tokens:
            pieces[token] = tokenizer(token, add_special_tokens=False)["input_ids"]
        tokenizer.thce_new_token_pieces = pieces
        tokenizer.add_tokens(
            [AddedToken(t, special=False, normalized=False, single_word=False) for t in new_tokens]
        )
        logger.info(f"Added tokens to the vocabulary: {', '.join(new_tokens)}")
    if eos_token not in tokenizer.get_vocab():
        raise TrainingError(
            f"eos token {eos_token!r} is not in the tokenizer's vocabulary; THCE templates are "
            "ChatML and end turns with <|im_end|>: use a ChatML tokenizer or set tokenizer.eos_token"
        )
    tokenizer.eos_token = eos_token
    pad = pad_token or choose_pad_token(tokenizer, eos_token)
    if pad == eos_token:
        raise TrainingError(
            f"pad token {pad!r} equals the eos token: the model would never learn to stop; "
            "set tokenizer.pad_token to another token (e.g. <|endoftext|>)"
        )
    if pad not in tokenizer.get_vocab():
        tokenizer.add_special_tokens({"pad_token": pad})
        new_tokens.append(pad)
        logger.info(f"Added pad token {pad}")
    tokenizer.pad_token = pad
    return new_tokens


def _init_from_pieces(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, first_new: int
) -> list[str]:
    """Start each new token's embedding at the mean of its former pieces, at the typical norm.

    A randomly initialised row gives ``<think>`` a loss of ~24 nats at the first position of
    every stage-2 answer, far more than a short run can unlearn; starting from "<", "think",
    ">" (rescaled to the mean row norm, since averaging shrinks it) brings it to ~5.
    """
    import torch

    pieces = getattr(tokenizer, "thce_new_token_pieces", {})
    matrices = [model.get_input_embeddings().weight]
    output = model.get_output_embeddings()
    if output is not None and output.weight.data_ptr() != matrices[0].data_ptr():
        matrices.append(output.weight)  # untied lm_head: initialise its row the same way
    done = []
    with torch.no_grad():
        for token, piece_ids in pieces.items():
            token_id = tokenizer.convert_tokens_to_ids(token)
            if token_id < first_new or not piece_ids:
                continue
            for weight in matrices:
                mean = weight[piece_ids].mean(dim=0)
                typical = weight[:first_new].norm(dim=1).mean()
                weight[token_id] = mean / mean.norm().clamp(min=1e-6) * typical
            done.append(token)
    return done


def prepare_model_for_tokenizer(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> bool:
    """Resize embeddings if the tokenizer grew; mirror eos/pad ids; return True if resized.

    Rows of tokens added by :func:`prepare_tokenizer` start from the embeddings of the pieces
    the token used to be split into (see :func:`_init_from_pieces`); other new rows get
    transformers' ``mean_resizing``.
    """
    resized = False
    rows = model.get_input_embeddings().weight.shape[0]
    if len(tokenizer) > rows:
        model.resize_token_embeddings(len(tokenizer), mean_resizing=True)
        resized = True
        initialised = _init_from_pieces(model, tokenizer, rows)
        logger.info(
            f"Resized token embeddings {rows} -> {len(tokenizer)}"
            + (f"; {', '.join(initialised)} start from their former pieces" if initialised else "")
        )
    eos_id = tokenizer.eos_token_id
    pad_id = tokenizer.pad_token_id
    text_config = (
        model.config.get_text_config() if hasattr(model.config, "get_text_config") else model.config
    )
    text_config.eos_token_id = eos_id
    text_config.pad_token_id = pad_id
    generation = getattr(model, "generation_config", None)
    if generation is not None:
        generation.eos_token_id = eos_id
        generation.pad_token_id = pad_id
    return resized


# --------------------------------------------------------------------------- token accounting


@dataclass
class ExampleLengths:
    """Token counts of one example under the tokenizer's chat template.

    ``total`` is the longest training sequence (for DPO: prompt + longer of chosen/rejected).
    """

    narrative: int
    prompt: int
    answer: int
    total: int


def count_tokens(tokenizer: PreTrainedTokenizerBase, text: str) -> int:
    """Number of tokens in ``text`` (no special tokens added)."""
    return len(tokenizer(text, add_special_tokens=False)["input_ids"])


def _render_ids(
    tokenizer: PreTrainedTokenizerBase, messages: list[dict[str, str]], gen: bool
) -> list[int]:
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=gen)
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def example_lengths(tokenizer: PreTrainedTokenizerBase, example: dict[str, Any]) -> ExampleLengths:
    """Count narrative, prompt, answer and total tokens of a stage 1/2 or stage 3 example."""
    if "messages" in example:
        messages = example["messages"]
        prompt_msgs = [m for m in messages if m["role"] != "assistant"]
        prompt = len(_render_ids(tokenizer, prompt_msgs, True))
        total = len(_render_ids(tokenizer, messages, False))
        narrative_text = next((m["content"] for m in messages if m["role"] == "user"), "")
    else:
        prompt_msgs = example["prompt"]
        prompt = len(_render_ids(tokenizer, prompt_msgs, True))
        total = max(
            len(_render_ids(tokenizer, prompt_msgs + example["chosen"], False)),
            len(_render_ids(tokenizer, prompt_msgs + example["rejected"], False)),
        )
        narrative_text = next((m["content"] for m in prompt_msgs if m["role"] == "user"), "")
    return ExampleLengths(count_tokens(tokenizer, narrative_text), prompt, total - prompt, total)


@dataclass
class TruncationReport:
    """What fitting the data to ``max_length`` did. Nothing is dropped without a reason here."""

    max_length: int | None
    policy: str
    total: int = 0
    kept: int = 0
    dropped: int = 0
    prompt_truncated: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    details: list[dict[str, Any]] = field(default_factory=list)
    tokens: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (goes into ``train_metrics.json``)."""
        return asdict(self)

    def summary(self) -> str:
        """One line for the log."""
        text = f"{self.kept}/{self.total} examples fit max_length={self.max_length}"
        if self.dropped:
            text += f", {self.dropped} dropped ({', '.join(f'{k}: {v}' for k, v in self.reasons.items())})"
        if self.prompt_truncated:
            text += f", {self.prompt_truncated} with a shortened narrative"
        return text


def _stats(values: list[int]) -> dict[str, float]:
    if not values:
        return {"count": 0}
    ordered = sorted(values)
    return {
        "count": len(values),
        "min": ordered[0],
        "mean": round(statistics.fmean(values), 1),
        "p95": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
        "max": ordered[-1],
        "sum": sum(values),
    }


def _with_narrative(example: dict[str, Any], narrative: str) -> dict[str, Any]:
    key = "messages" if "messages" in example else "prompt"
    messages = [dict(m) for m in example[key]]
    for message in messages:
        if message["role"] == "user":
            message["content"] = narrative
            break
    return {**example, key: messages}


def _shorten_narrative(
    tokenizer: PreTrainedTokenizerBase,
    example: dict[str, Any],
    lengths: ExampleLengths,
    max_length: int,
) -> dict[str, Any] | None:
    """Cut the narrative's tail so the example fits; None when too little narrative would remain."""
    key = "messages" if "messages" in example else "prompt"
    narrative = next((m["content"] for m in example[key] if m["role"] == "user"), "")
    ids = tokenizer(narrative, add_special_tokens=False)["input_ids"]
    budget = len(ids) - (lengths.total - max_length)
    # Re-tokenising the cut text can merge tokens differently: shrink until it really fits.
    for _ in range(8):
        if budget < MIN_NARRATIVE_TOKENS:
            return None
        candidate = _with_narrative(example, tokenizer.decode(ids[:budget]).rstrip() + " …")
        if example_lengths(tokenizer, candidate).total <= max_length:
            return candidate
        budget -= 4
    return None


def fit_examples(
    tokenizer: PreTrainedTokenizerBase,
    examples: list[dict[str, Any]],
    max_length: int | None,
    policy: str = "drop",
) -> tuple[list[dict[str, Any]], TruncationReport]:
    """Make every example fit ``max_length`` without cutting its answer.

    ``policy="drop"`` leaves out too-long examples; ``"truncate_prompt"`` shortens their
    narrative (keeping its start) and drops only those whose system prompt + answer alone do
    not fit. Each example may carry ``_line``/``id`` for the report's details.
    """
    if policy not in ("drop", "truncate_prompt"):
        raise TrainingError(f"unknown truncation policy {policy!r}; valid: drop, truncate_prompt")
    report = TruncationReport(max_length=max_length, policy=policy, total=len(examples))
    reasons: Counter[str] = Counter()
    kept: list[dict[str, Any]] = []
    narrative_tokens: list[int] = []
    example_tokens: list[int] = []
    answer_tokens: list[int] = []
    for example in examples:
        lengths = example_lengths(tokenizer, example)
        narrative_tokens.append(lengths.narrative)
        example_tokens.append(lengths.total)
        answer_tokens.append(lengths.answer)
        where = {"line": example.get("_line"), "id": example.get("id"), "tokens": lengths.total}
        if max_length is None or lengths.total <= max_length:
            kept.append(example)
            continue
        if policy == "truncate_prompt":
            shortened = _shorten_narrative(tokenizer, example, lengths, max_length)
            if shortened is not None:
                kept.append(shortened)
                report.prompt_truncated += 1
                report.details.append({**where, "action": "narrative shortened"})
                continue
            reason = "answer and prompt template alone exceed max_length"
        else:
            reason = "longer than max_length"
        reasons[reason] += 1
        report.details.append({**where, "action": "dropped", "reason": reason})
    report.kept = len(kept)
    report.dropped = report.total - report.kept
    report.reasons = dict(reasons)
    report.tokens = {
        "narrative": _stats(narrative_tokens),
        "answer": _stats(answer_tokens),
        "example": _stats(example_tokens),
    }
    return kept, report


def assistant_token_mask(
    tokenizer: PreTrainedTokenizerBase, messages: list[dict[str, str]]
) -> tuple[list[int], list[int]]:
    """``(input_ids, mask)`` where mask is 1 on the tokens the SFT loss trains (the reply + EOS).

    Uses the same ``{% generation %}`` markers TRL's ``assistant_only_loss`` uses.
    """
    out = tokenizer.apply_chat_template(
        messages, tokenize=True, return_dict=True, return_assistant_tokens_mask=True
    )
    return list(out["input_ids"]), list(out["assistant_masks"])


__all__ = [
    "EOS_TOKEN",
    "PAD_CANDIDATES",
    "THINK_TOKENS",
    "ExampleLengths",
    "TruncationReport",
    "assistant_token_mask",
    "choose_pad_token",
    "count_tokens",
    "example_lengths",
    "fit_examples",
    "prepare_model_for_tokenizer",
    "prepare_tokenizer",
]
