"""What a rule-based PHI recognizer is: a named function from a text to PHI spans.

A recognizer module declares each of its recognizers with :func:`recognizer`, next to the
function. Declaring has no side effect: which recognizers exist and the order they run in
are written once, in :data:`thce.data.phi.recognizers.RECOGNIZERS`.

>>> from thce.data.phi.context import TextContext
>>> @recognizer("shout", ("NAME",), "Words in capitals (an example).")
... def find_shouts(ctx):
...     return [make_span(ctx, 0, 3, "NAME", "shout")]
>>> find_shouts.name, [s.text for s in find_shouts(TextContext("BOB said"))]
('shout', ['BOB'])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from thce.data.phi.context import TextContext
from thce.data.phi.spans import PHISpan

RecognizerFunc = Callable[[TextContext], Iterable[PHISpan]]


@dataclass(frozen=True)
class Recognizer:
    """A named PHI recognizer: which labels it emits and what it looks for.

    Calling it runs ``func`` on a :class:`TextContext`.
    """

    name: str
    labels: tuple[str, ...]
    description: str
    func: RecognizerFunc

    def __call__(self, ctx: TextContext) -> Iterable[PHISpan]:
        return self.func(ctx)


def recognizer(
    name: str, labels: tuple[str, ...], description: str
) -> Callable[[RecognizerFunc], Recognizer]:
    """Decorator turning a recognizer function into a :class:`Recognizer` called ``name``."""

    def wrap(func: RecognizerFunc) -> Recognizer:
        return Recognizer(name, labels, description, func)

    return wrap


def make_span(ctx: TextContext, start: int, end: int, label: str, source: str) -> PHISpan:
    """A span of ``ctx.text`` with its matched text attached."""
    return PHISpan(start, end, label, source, ctx.text[start:end])
