"""Search code descriptions by text with BM25 (Okapi, k1=1.2, b=0.75).

    >>> hits = search("type 2 diabetes without complications", code_type="ICD10", top_k=3)
    >>> hits[0].code
    'E11.9'

Built for both people (``thce codes search "knee replacement"``) and as the retrieval
baseline of the evaluation (a whole clinical narrative as the query), so the tokenizer drops
stopwords, keeps single digits ("type 2"), folds simple plurals and verb endings, and
expands common clinical abbreviations in queries (HTN, COPD, T2DM, UTI, ...).

The index is a term -> postings table in numpy arrays, built once per process and per
scope (one system, or all three) on first use (~1 s for the 98k ICD-10-CM descriptions) and
kept in memory; a query costs a few milliseconds. Index files are not written anywhere.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from thce.codes.database import CodeDatabase, get_database, today_ymd
from thce.codes.formats import CODE_TYPES, parse_code_type

K1 = 1.2
B = 0.75

# English function words plus words that carry no coding signal in narratives.
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "also",
        "per",
        "each",
        "year",
        "years",
        "yo",
        "old",
        "patient",
        "patients",
        "pt",
        "presents",
        "presented",
        "presenting",
        "reports",
        "reported",
        "states",
        "stated",
        "today",
        "day",
        "days",
        "visit",
        "noted",
        "history",
        "hx",
    ]
)

# Clinical abbreviations seen in narratives, expanded in queries (the original token stays).
ABBREVIATIONS: dict[str, str] = {
    "htn": "hypertension",
    "hld": "hyperlipidemia",
    "dm": "diabetes mellitus",
    "t1dm": "type 1 diabetes mellitus",
    "dm1": "type 1 diabetes mellitus",
    "t2dm": "type 2 diabetes mellitus",
    "dm2": "type 2 diabetes mellitus",
    "iddm": "type 1 diabetes mellitus",
    "niddm": "type 2 diabetes mellitus",
    "copd": "chronic obstructive pulmonary disease",
    "chf": "congestive heart failure",
    "hf": "heart failure",
    "cad": "coronary artery disease atherosclerotic heart disease",
    "mi": "myocardial infarction",
    "stemi": "st elevation myocardial infarction",
    "nstemi": "non st elevation myocardial infarction",
    "afib": "atrial fibrillation",
    "cva": "cerebral infarction stroke",
    "tia": "transient ischemic attack",
    "dvt": "deep vein thrombosis",
    "uti": "urinary tract infection",
    "uri": "upper respiratory infection",
    "ckd": "chronic kidney disease",
    "aki": "acute kidney failure",
    "esrd": "end stage renal disease",
    "gerd": "gastro esophageal reflux disease",
    "ibs": "irritable bowel syndrome",
    "bph": "benign prostatic hyperplasia",
    "oa": "osteoarthritis",
    "ra": "rheumatoid arthritis",
    "lbp": "low back pain",
    "sob": "shortness of breath",
    "cp": "chest pain",
    "osa": "obstructive sleep apnea",
    "adhd": "attention deficit hyperactivity disorder",
    "ptsd": "post traumatic stress disorder",
    "mdd": "major depressive disorder",
    "gad": "generalized anxiety disorder",
    "ocd": "obsessive compulsive disorder",
    "hiv": "human immunodeficiency virus",
    "rsv": "respiratory syncytial virus",
    "ecg": "electrocardiogram",
    "ekg": "electrocardiogram",
    "echo": "echocardiogram",
    "cbc": "complete blood count",
    "bmp": "basic metabolic panel",
    "cmp": "comprehensive metabolic panel",
    "a1c": "hemoglobin a1c",
    "hba1c": "hemoglobin a1c",
    "tsh": "thyroid stimulating hormone",
    "psa": "prostate specific antigen",
    "ua": "urinalysis",
    "ct": "computed tomography",
    "mri": "magnetic resonance imaging",
    "xr": "x ray",
    "cxr": "chest x ray",
    "im": "intramuscular",
    "iv": "intravenous",
    "sq": "subcutaneous",
    "subq": "subcutaneous",
    "cpap": "continuous positive airway pressure",
    "bipap": "bi level respiratory assist",
    "tens": "transcutaneous electrical nerve stimulation",
    "dme": "durable medical equipment",
    "als": "advanced life support",
    "bls": "basic life support",
    "ed": "emergency department",
    "er": "emergency department",
    "tka": "total knee arthroplasty replacement",
    "tha": "total hip arthroplasty replacement",
    "egd": "esophagogastroduodenoscopy upper gi endoscopy",
    "fx": "fracture",
    "abx": "antibiotic",
    # Narratives negate with "no"/"denies"; descriptions say "without" (E11.9, N30.00).
    "no": "without",
    "denies": "without",
}

# Shorthand containing punctuation, rewritten before splitting (queries only).
_PHRASES: dict[str, str] = {"w/o": "without", "n/v": "nausea vomiting", "s/p": "status post"}

_TOKEN = re.compile(r"[a-z0-9]+")
_CORPUS_TOKEN = re.compile(r"[a-z0-9]+|\n")


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


def tokenize(text: str, *, expand: bool = False) -> list[str]:
    """Lower-case, split on non-alphanumerics, drop stopwords, stem; optionally expand
    abbreviations (queries only)."""
    lowered = text.lower()
    if expand:
        for short, long in _PHRASES.items():
            if short in lowered:
                lowered = lowered.replace(short, f" {long} ")
    words = _TOKEN.findall(lowered)
    if expand:
        expanded: list[str] = []
        for word in words:
            expanded.append(word)
            if word in ABBREVIATIONS:
                expanded.extend(_TOKEN.findall(ABBREVIATIONS[word]))
        words = expanded
    return [stem(word) for word in words if word not in STOPWORDS]


@dataclass(slots=True)
class SearchHit:
    """One search result: a code, its system, its description and the BM25 score."""

    code: str
    code_type: str
    description: str
    score: float
    billable: bool = True

    def to_dict(self) -> dict[str, Any]:
        """Plain dict with ``code``, ``code_type``, ``description``, ``score``, ``billable``."""
        return asdict(self)


@dataclass
class _Tokenized:
    """One database's documents as (term, doc) postings over its own vocabulary."""

    code_type: str
    codes: list[str]
    descriptions: list[str]
    billable: list[bool]
    vocab: dict[str, int]
    term_ids: np.ndarray
    doc_ids: np.ndarray


def _source_key(db: CodeDatabase) -> tuple:
    """Identifies the data a database was loaded from (file, its mtime, size, day)."""
    try:
        stamp = db.source.stat().st_mtime_ns if db.source else id(db)
    except OSError:
        stamp = id(db)
    # The day matters because terminated codes drop out of the index once their date passes.
    return (db.code_type, str(db.source), stamp, len(db), today_ymd())


# Tokenizing ICD-10-CM is most of the cost of an index. Keep it per source file, so the
# all-systems index reuses the per-system work and a reloaded database reuses it too.
_TOKENIZED: dict[str, tuple[tuple, _Tokenized]] = {}


def _tokenized(db: CodeDatabase) -> _Tokenized:
    key = _source_key(db)
    cached = _TOKENIZED.get(db.code_type)
    if cached is not None and cached[0] == key:
        return cached[1]
    codes: list[str] = []
    descriptions: list[str] = []
    billable: list[bool] = []
    for code, description, is_billable in db.current_entries():
        codes.append(code)
        descriptions.append(description)
        billable.append(is_billable)
    # One regex pass over the whole corpus (newline = next document); each distinct word is
    # stemmed once, and the per-word mapping runs in C (map + numpy), not a Python loop.
    corpus = "\n".join(d.replace("\n", " ") for d in descriptions).lower()
    words = _CORPUS_TOKEN.findall(corpus)
    vocab: dict[str, int] = {}
    word_term: dict[str, int] = {"\n": -2}
    for word in sorted(set(words) - {"\n"}):
        word_term[word] = -1 if word in STOPWORDS else vocab.setdefault(stem(word), len(vocab))
    ids = np.fromiter(map(word_term.__getitem__, words), dtype=np.int64, count=len(words))
    doc_of = np.cumsum(ids == -2)  # separators seen so far = document number
    keep = ids >= 0
    result = _Tokenized(
        db.code_type,
        codes,
        descriptions,
        billable,
        vocab,
        ids[keep],
        doc_of[keep],
    )
    _TOKENIZED[db.code_type] = (key, result)
    return result


class BM25Index:
    """BM25 over the descriptions of one or more code databases."""

    def __init__(self, databases: list[CodeDatabase]) -> None:
        self.code_types: list[str] = []
        self.codes: list[str] = []
        self.descriptions: list[str] = []
        billable: list[bool] = []
        vocab: dict[str, int] = {}
        term_parts: list[np.ndarray] = []
        doc_parts: list[np.ndarray] = []
        for db in databases:
            part = _tokenized(db)
            # Map this database's term ids onto the shared vocabulary.
            mapping = np.asarray(
                [vocab.setdefault(t, len(vocab)) for t in part.vocab], dtype=np.int64
            )
            term_parts.append(mapping[part.term_ids] if len(mapping) else part.term_ids)
            doc_parts.append(part.doc_ids + len(self.codes))
            self.codes += part.codes
            self.code_types += [part.code_type] * len(part.codes)
            self.descriptions += part.descriptions
            billable += part.billable
        self.vocab = vocab
        self.billable = np.asarray(billable, dtype=bool)
        self.type_array = np.asarray(self.code_types)
        n_docs = len(self.codes)
        terms = np.concatenate(term_parts) if term_parts else np.zeros(0, dtype=np.int64)
        docs = np.concatenate(doc_parts) if doc_parts else np.zeros(0, dtype=np.int64)
        # Term frequency per (term, doc) pair: collapse duplicates of the same pair.
        pair = terms * max(n_docs, 1) + docs
        unique_pairs, tf = np.unique(pair, return_counts=True)
        post_terms = unique_pairs // max(n_docs, 1)
        post_docs = unique_pairs % max(n_docs, 1)
        doc_len = np.bincount(docs, minlength=n_docs).astype(np.float64)
        avg_len = float(doc_len.mean()) if n_docs else 1.0
        df = np.bincount(post_terms, minlength=len(vocab)).astype(np.float64)
        idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
        norm = K1 * (1.0 - B + B * doc_len[post_docs] / max(avg_len, 1e-9))
        self.weights = (idf[post_terms] * tf * (K1 + 1.0) / (tf + norm)).astype(np.float32)
        self.post_docs = post_docs.astype(np.int32)
        # unique_pairs is sorted by term, so postings of a term are one contiguous slice.
        self.indptr = np.concatenate(
            ([0], np.cumsum(np.bincount(post_terms, minlength=len(vocab))))
        )

    def __len__(self) -> int:
        return len(self.codes)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for ``query`` (each distinct query term counts once)."""
        scores = np.zeros(len(self.codes), dtype=np.float32)
        for token in dict.fromkeys(tokenize(query, expand=True)):
            term = self.vocab.get(token)
            if term is None:
                continue
            start, end = self.indptr[term], self.indptr[term + 1]
            scores[self.post_docs[start:end]] += self.weights[start:end]
        return scores

    def search(
        self,
        query: str,
        top_k: int = 10,
        code_type: str | None = None,
        billable_only: bool = False,
    ) -> list[SearchHit]:
        """Top ``top_k`` hits with a positive score, best first (ties: billable, code)."""
        scores = self.scores(query)
        mask = scores > 0
        if code_type is not None:
            mask &= self.type_array == code_type
        if billable_only:
            mask &= self.billable
        candidates = np.flatnonzero(mask)
        if candidates.size == 0 or top_k <= 0:
            return []
        # Small bonus so that among equal scores billable codes come first.
        ranked_scores = scores[candidates] + 1e-4 * self.billable[candidates]
        if candidates.size > top_k:
            part = np.argpartition(-ranked_scores, top_k - 1)[:top_k]
            candidates, ranked_scores = candidates[part], ranked_scores[part]
        order = sorted(
            range(candidates.size),
            key=lambda i: (-float(ranked_scores[i]), self.codes[candidates[i]]),
        )
        return [
            SearchHit(
                code=self.codes[candidates[i]],
                code_type=self.code_types[candidates[i]],
                description=self.descriptions[candidates[i]],
                score=round(float(scores[candidates[i]]), 4),
                billable=bool(self.billable[candidates[i]]),
            )
            for i in order
        ]


# scope -> (the source files it was built from, the index); a re-import changes the key.
_INDEXES: dict[str | None, tuple[tuple, BM25Index]] = {}


def get_index(code_type: str | None = None) -> BM25Index:
    """The (cached) index for one system, or for all three when ``code_type`` is ``None``."""
    system = parse_code_type(code_type)
    systems = [system] if system else list(CODE_TYPES)
    databases = [get_database(s) for s in systems]
    key = tuple(_source_key(db) for db in databases)
    cached = _INDEXES.get(system)
    if cached is not None and cached[0] == key:
        return cached[1]
    index = BM25Index(databases)
    _INDEXES[system] = (key, index)
    return index


def search(
    text: str,
    code_type: str | None = None,
    top_k: int = 10,
    *,
    billable_only: bool = False,
) -> list[SearchHit]:
    """Codes whose descriptions best match ``text`` (BM25), best first.

    ``code_type`` limits the search to one system; ``billable_only`` drops ICD-10-CM
    headers (useful when the answer must be a codable diagnosis).

    >>> [h.code for h in search("screening mammogram both breasts", "CPT", top_k=1)]
    ['77067']
    """
    if not isinstance(text, str) or not text.strip():
        return []
    if not isinstance(top_k, int) or isinstance(top_k, bool) or top_k < 0:
        from thce.errors import CodeError

        raise CodeError(f"top_k must be a non-negative integer, got {top_k!r}.")
    index = get_index(code_type)
    return index.search(text, top_k=top_k, billable_only=billable_only)
