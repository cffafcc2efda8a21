"""Training metrics: the loss curve from the Trainer's logs, throughput and peak memory."""

from __future__ import annotations

import math
import resource
import sys
import time
from typing import Any

from transformers import TrainerCallback

_CURVE_KEYS = (
    "loss",
    "grad_norm",
    "learning_rate",
    "mean_token_accuracy",
    "rewards/chosen",
    "rewards/rejected",
    "rewards/accuracies",
    "rewards/margins",
    "eval_loss",
)


class MetricsCallback(TrainerCallback):
    """Collects every logged step (loss, grad norm, lr, DPO rewards...) and the wall time."""

    def __init__(self) -> None:
        self.curve: list[dict[str, Any]] = []
        self.summary: dict[str, Any] = {}
        self.started = time.perf_counter()
        self.ended: float | None = None
        self.num_tokens: float | None = None

    def on_train_begin(self, args, state, control, **kwargs):
        self.started = time.perf_counter()

    def on_log(self, args, state, control, logs=None, **kwargs):
        logs = logs or {}
        if "num_tokens" in logs:
            self.num_tokens = float(logs["num_tokens"])
        if "train_runtime" in logs:
            self.summary = {k: v for k, v in logs.items() if isinstance(v, int | float)}
            return
        point = {"step": state.global_step, "epoch": round(state.epoch or 0.0, 4)}
        point.update(
            {k: float(logs[k]) for k in _CURVE_KEYS if isinstance(logs.get(k), int | float)}
        )
        if len(point) > 2:
            self.curve.append(point)

    def on_train_end(self, args, state, control, **kwargs):
        self.ended = time.perf_counter()

    @property
    def wall_time(self) -> float:
        """Seconds between train begin and end (or now)."""
        return (self.ended or time.perf_counter()) - self.started

    def losses(self) -> list[float]:
        """Logged training losses, in order."""
        return [p["loss"] for p in self.curve if "loss" in p]


def peak_memory_mb() -> dict[str, float]:
    """Peak resident memory of this process (MB) and, on CUDA, peak allocated GPU memory."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    rss_mb = rss / 1024 if sys.platform != "darwin" else rss / (1024 * 1024)
    result = {"cpu_peak_rss_mb": round(rss_mb, 1)}
    import torch

    if torch.cuda.is_available():
        result["gpu_peak_allocated_mb"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    return result


def all_finite(values: list[float]) -> bool:
    """True when every value is a finite number (and there is at least one)."""
    return bool(values) and all(math.isfinite(v) for v in values)


__all__ = ["MetricsCallback", "all_finite", "peak_memory_mb"]
