"""The vLLM answer engine (``thce eval --engine vllm``, GPU only).

Greedy answers plus sampled candidates; the default engine is the transformers one,
:class:`~thce.evaluation.inference.HFEngine`. vLLM and torch load inside the functions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from thce.data.formats import parse_answer
from thce.errors import EvaluationError
from thce.evaluation.engine_common import (
    DEFAULT_MAX_NEW_TOKENS,
    GenerationResult,
    answer_token_span,
    render_prompt,
)
from thce.evaluation.records import make_label


class VLLMEngine:
    """The same evaluation through vLLM (GPU only): greedy answers, sampled candidates.

    Candidates come from ``n = 2·top_k`` samples (temperature 1, seeded) ranked by cumulative
    log-probability; constrained decoding is not available here (use the ``hf`` engine).
    """

    def __init__(
        self, model_path: str, stage: int = 1, top_k: int = 1, max_new_tokens: int | None = None
    ) -> None:
        check_vllm_available()
        from vllm import LLM

        self.llm = LLM(model=model_path, dtype="auto", seed=0)
        self.tokenizer = self.llm.get_tokenizer()
        self.stage = stage
        self.top_k = top_k
        self.max_new_tokens = max_new_tokens or DEFAULT_MAX_NEW_TOKENS.get(stage, 192)

    def generate(
        self, narratives: Sequence[str], batch_size: int = 8, show_progress: bool = True
    ) -> list[GenerationResult]:
        """Answer every narrative (vLLM batches internally; ``batch_size`` is ignored)."""
        from vllm import SamplingParams

        prompts = [render_prompt(self.tokenizer, n, self.stage) for n in narratives]
        greedy = SamplingParams(
            temperature=0.0, max_tokens=self.max_new_tokens, stop=["<|im_end|>"], logprobs=0
        )
        outputs = self.llm.generate(prompts, greedy, use_tqdm=show_progress)
        sampled = None
        if self.top_k > 1:
            params = SamplingParams(
                n=2 * self.top_k,
                temperature=1.0,
                seed=0,
                max_tokens=self.max_new_tokens,
                stop=["<|im_end|>"],
            )
            sampled = self.llm.generate(prompts, params, use_tqdm=show_progress)
        results = []
        for i, output in enumerate(outputs):
            completion = output.outputs[0]
            strings = [self.tokenizer.decode([t]) for t in completion.token_ids]
            span = answer_token_span(strings, self.stage)
            confidence = None
            if span is not None and completion.logprobs:
                # With logprobs=0 vLLM still returns the sampled token's log-prob at each step.
                total = sum(
                    completion.logprobs[k][completion.token_ids[k]].logprob
                    for k in range(span[0], span[1] + 1)
                )
                confidence = math.exp(total)
            labels: list[str] = []
            values: list[float] = []
            if sampled is not None:
                for sample in sorted(sampled[i].outputs, key=lambda s: -s.cumulative_logprob):
                    parsed = parse_answer(sample.text)
                    label = make_label(parsed.code_type, parsed.code)
                    if label and label not in labels:
                        labels.append(label)
                        values.append(float(sample.cumulative_logprob))
            results.append(
                GenerationResult(
                    completion.text, confidence, labels[: self.top_k], values[: self.top_k]
                )
            )
        return results


def check_vllm_available() -> None:
    """Raise :class:`EvaluationError` unless vLLM is installed and a CUDA GPU is visible."""
    import importlib.util

    if importlib.util.find_spec("vllm") is None:
        raise EvaluationError(
            "--engine vllm needs the vllm package (GPU only): `pip install vllm` on a CUDA machine; "
            "or use --engine hf (the default)"
        )
    import torch

    if not torch.cuda.is_available():
        raise EvaluationError("--engine vllm needs a CUDA GPU and none is visible; use --engine hf")


__all__ = ["VLLMEngine", "check_vllm_available"]
