"""The registry of rule-based PHI recognizers: each one is looked up by its name.

>>> from thce.data.phi.recognizers import get_recognizers
>>> [r.name for r in get_recognizers(["email", "phone"])]
['email', 'phone']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from thce.data.phi.context import TextContext
from thce.data.phi.spans import PHISpan
from thce.errors import DataError

RecognizerFunc = Callable[[TextContext], Iterable[PHISpan]]


@dataclass(frozen=True)
class Recognizer:
    """A named PHI recognizer: which labels it emits and what it looks for."""

    name: str
    labels: tuple[str, ...]
    description: str
    func: RecognizerFunc


RECOGNIZERS: dict[str, Recognizer] = {}


def register(
    name: str, labels: tuple[str, ...], description: str
) -> Callable[[RecognizerFunc], RecognizerFunc]:
    """Decorator adding a recognizer function to :data:`RECOGNIZERS` under ``name``."""

    def wrap(func: RecognizerFunc) -> RecognizerFunc:
        RECOGNIZERS[name] = Recognizer(name, labels, description, func)
        return func

    return wrap


def get_recognizers(names: Iterable[str] | None = None) -> list[Recognizer]:
    """Return the recognizers named (all of them when ``names`` is None).

    Raises:
        DataError: a name is not registered; the message lists the valid names.
    """
    if names is None:
        return list(RECOGNIZERS.values())
    chosen: list[Recognizer] = []
    for name in names:
        key = str(name).strip().lower()
        if key not in RECOGNIZERS:
            raise DataError(
                f"Unknown PHI recognizer {name!r}; valid names: {', '.join(sorted(RECOGNIZERS))}"
            )
        if RECOGNIZERS[key] not in chosen:
            chosen.append(RECOGNIZERS[key])
    return chosen


def make_span(ctx: TextContext, start: int, end: int, label: str, source: str) -> PHISpan:
    """A span of ``ctx.text`` with its matched text attached."""
    return PHISpan(start, end, label, source, ctx.text[start:end])
