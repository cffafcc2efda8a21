"""Hybrid retrieval: the K codes most likely to be a narrative's answer, from the full databases.

    >>> from thce.codes.retrieval import retrieve
    >>> [c.code for c in retrieve("T2DM, no complications, on metformin", "ICD10", k=3)][:1]
    ['E11.9']

This is the one retriever of THCE: ``thce codes search``, the ``retrieval`` baseline, the
candidate lists the coding model chooses from (training data, evaluation, the pipeline) all
call :func:`retrieve` / :meth:`Retriever.retrieve_batch`. Signals, each switchable in
:class:`RetrievalConfig` and measured on its own in ``benchmarks/bench_retrieval.py``:

``bm25``           BM25 over code descriptions (:mod:`thce.codes.bm25`).
``abbreviations``  query expansion: clinical abbreviations, shorthand, lay synonyms and
                   negation handling (:mod:`thce.codes.text`).
``inclusion_terms`` BM25 over ICD-10-CM inclusion terms, own and inherited ("Lumbago NOS").
``context``        BM25 over the titles of the code's parent and category.
``dense``          cosine similarity of sentence embeddings (:mod:`thce.codes.dense`),
                   fused with the lexical ranking by reciprocal-rank fusion.
``hierarchy``      the siblings of the top hits join the pool (codes one character away:
                   the other side, the other encounter, the next stage).
``specificity``    cues read from the narrative (laterality, encounter, stage, trimester ...)
                   reward siblings that state the same value (:mod:`thce.codes.specificity`).

Only billable codes are answers by default (ICD-10-CM headers never are). The index is
built once (~2 s) and cached under ``$THCE_HOME/retrieval/``; later processes load it in
~0.1 s.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from thce.codes.bm25 import BM25Core, source_key
from thce.codes.database import CodeDatabase, get_database
from thce.codes.formats import CODE_TYPES, parse_code_type
from thce.codes.specificity import cue_agreement, narrative_cues
from thce.codes.text import analyze_query

SIGNALS: tuple[str, ...] = (
    "bm25",
    "abbreviations",
    "inclusion_terms",
    "context",
    "dense",
    "hierarchy",
    "specificity",
)
INDEX_VERSION = 1


class RetrievalConfig(BaseModel):
    """The ``retrieval:`` settings block, read the same way by every part of THCE.

    Data building, training, evaluation and the pipeline take candidates from the retriever
    with these settings, and a trained stage saves them, so a model is always evaluated with
    the candidates it was trained on.
    """

    model_config = ConfigDict(extra="forbid")

    k: int = Field(10, ge=1, le=100, description="candidates per narrative")
    signals: list[str] = Field(
        # "context" (parent/category titles) is left out: it did not raise recall on the
        # development set (docs/EVALUATION.md, benchmarks/bench_retrieval.py).
        default_factory=lambda: [s for s in SIGNALS if s != "context"],
        description=f"signals to use, from: {', '.join(SIGNALS)}",
    )
    code_type: str | None = Field(None, description="restrict to one system (null: all three)")
    billable_only: bool = Field(True, description="only billable codes (ICD-10-CM leaves)")
    # ICD-10-CM guideline: external cause codes (V00-Y99) are never first-listed, so they are
    # never the one answer to a narrative.
    exclude_external_causes: bool = True
    # Training only: shuffle candidate order per example, and put the gold answer in at a
    # random position when retrieval missed it. Evaluation never inserts the gold.
    shuffle: bool = True
    insert_gold: bool = True
    seed: int = 0
    # How the coding model chooses among the candidates (thce.evaluation.choice): it picks
    # the candidate that maximises
    #   narrative_weight * (mean log-prob of the note after the candidate's description)
    #   + answer_weight * (mean log-prob of the candidate's answer after the prompt)
    #   + fusion_weight * log(1 / retrieval rank).
    # Tuned together with scripts/tune_choice_weights.py on dev_hard.jsonl for the CPU
    # pipeline's three stages (docs/EVALUATION.md): the narrative likelihood carries the
    # signal; the answer likelihood added nothing once it was there (and its pass costs the
    # most for the reasoned stages), so its weight is 0 and its pass is skipped.
    fusion_weight: float = Field(1.5, ge=0)
    narrative_weight: float = Field(15.0, ge=0)
    answer_weight: float = Field(0.0, ge=0)
    # Weights of the lexical fields and of the cue bonus (tuned on a development set).
    inclusion_weight: float = Field(1.0, ge=0)
    context_weight: float = Field(0.3, ge=0)
    specificity_weight: float = Field(0.08, ge=0)
    dense_model: str = "wordllama"
    dense_weight: float = Field(0.5, ge=0)
    rrf_k: int = Field(60, ge=1)
    pool: int = Field(200, ge=10, description="lexical/dense hits fused before re-ranking")
    # At most this many candidates of one ICD-10-CM category (3 characters): a note's
    # background history ("h/o migraine") must not fill the list with one family.
    per_category: int = Field(5, ge=1)

    def model_post_init(self, __context: Any) -> None:
        unknown = [s for s in self.signals if s not in SIGNALS]
        if unknown:
            from thce.errors import CodeError

            raise CodeError(
                f"unknown retrieval signal(s) {', '.join(unknown)}; valid: {', '.join(SIGNALS)}"
            )
        if self.code_type is not None:
            self.code_type = parse_code_type(self.code_type)


@dataclass
class Candidate:
    """One retrieved code: system, code, description, fused score and the signals behind it."""

    code_type: str
    code: str
    description: str
    score: float
    rank: int = 0
    signals: dict[str, Any] = field(default_factory=dict)
    billable: bool = True

    @property
    def label(self) -> str:
        """``TYPE:CODE``, the evaluation's label for this code."""
        return f"{self.code_type}:{self.code}"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready)."""
        return asdict(self)


# ---------------------------------------------------------------------------------------------
# The index
# ---------------------------------------------------------------------------------------------


def _context_text(db: CodeDatabase, code: str) -> str:
    """Titles of a code's parent and category (ICD-10-CM), or its section (CPT/HCPCS)."""
    if db.code_type != "ICD10":
        return str(db.get(code)["category"] or "")
    parts = []
    parent = db.parent_of(code)
    if parent:
        parts.append(db.description(parent) or "")
        category = db.category_of(code)
        if category != parent:
            parts.append(db.description(category) or "")
    return " ; ".join(parts)


class HybridIndex:
    """Every current code of the three systems with its fields, BM25 per field, hierarchy."""

    def __init__(self, databases: Sequence[CodeDatabase]) -> None:
        self.code_types: list[str] = []
        self.codes: list[str] = []
        self.descriptions: list[str] = []
        billable: list[bool] = []
        inclusion: list[str] = []
        context: list[str] = []
        for db in databases:
            for code, description, is_billable in db.current_entries():
                self.codes.append(code)
                self.code_types.append(db.code_type)
                self.descriptions.append(description)
                billable.append(is_billable)
                inclusion.append(" ; ".join(db.inclusion_terms(code)))
                context.append(_context_text(db, code))
        self.billable = np.asarray(billable, dtype=bool)
        self.type_array = np.asarray(self.code_types)
        self.fields = {
            "bm25": BM25Core(self.descriptions),
            "inclusion_terms": BM25Core(inclusion),
            "context": BM25Core(context),
        }
        self._finish()

    def _finish(self) -> None:
        self.external_cause = np.asarray(
            [
                t == "ICD10" and c[:1] in "VWXY"
                for t, c in zip(self.code_types, self.codes, strict=True)
            ],
            dtype=bool,
        )
        self.row = {
            (t, c): i for i, (t, c) in enumerate(zip(self.code_types, self.codes, strict=True))
        }
        self._neighbours: dict[str, list[int]] | None = None

    # -- persistence --------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write the index to ``path`` (an ``.npz`` plus a ``.json`` beside it), atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {"billable": self.billable}
        meta: dict[str, Any] = {
            "code_types": self.code_types,
            "codes": self.codes,
            "descriptions": self.descriptions,
            "fields": {},
        }
        for name, core in self.fields.items():
            arrays[f"{name}.weights"] = core.weights
            arrays[f"{name}.post_docs"] = core.post_docs
            arrays[f"{name}.indptr"] = core.indptr
            meta["fields"][name] = {"vocab": core.vocab, "n_docs": core.n_docs}
        # A temporary name per process: two processes building the same cache never collide.
        tmp_npz = path.with_name(f"{path.name}.{os.getpid()}.tmp.npz")
        np.savez(tmp_npz, **arrays)
        tmp_json = path.with_suffix(f".json.{os.getpid()}.tmp")
        tmp_json.write_text(json.dumps(meta), encoding="utf-8")
        tmp_json.replace(path.with_suffix(".json"))
        tmp_npz.replace(path)

    @classmethod
    def load(cls, path: Path) -> HybridIndex:
        """Read an index written by :meth:`save`."""
        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        arrays = np.load(path)
        index = cls.__new__(cls)
        index.code_types = meta["code_types"]
        index.codes = meta["codes"]
        index.descriptions = meta["descriptions"]
        index.billable = arrays["billable"]
        index.type_array = np.asarray(index.code_types)
        index.fields = {}
        for name, info in meta["fields"].items():
            core = BM25Core.__new__(BM25Core)
            core.vocab = info["vocab"]
            core.n_docs = info["n_docs"]
            core.weights = arrays[f"{name}.weights"]
            core.post_docs = arrays[f"{name}.post_docs"]
            core.indptr = arrays[f"{name}.indptr"]
            index.fields[name] = core
        index._finish()
        return index

    def __len__(self) -> int:
        return len(self.codes)

    # -- hierarchy ----------------------------------------------------------------------------
    def neighbours(self, i: int) -> list[int]:
        """Billable codes of the same system and length that differ from row ``i`` in exactly
        one character: the other side, encounter, stage or episode of the same condition."""
        if self._neighbours is None:
            table: dict[str, list[int]] = {}
            for j, (t, code) in enumerate(zip(self.code_types, self.codes, strict=True)):
                if not self.billable[j] or t != "ICD10":
                    continue
                for pos in range(4, len(code)):  # never the category ("S52.")
                    table.setdefault(f"{code[:pos]}*{code[pos + 1 :]}", []).append(j)
            self._neighbours = table
        code = self.codes[i]
        if self.code_types[i] != "ICD10":
            return []
        found: list[int] = []
        for pos in range(4, len(code)):
            found += self._neighbours.get(f"{code[:pos]}*{code[pos + 1 :]}", [])
        return [j for j in dict.fromkeys(found) if j != i]


def _index_key(databases: Sequence[CodeDatabase]) -> str:
    raw = json.dumps([INDEX_VERSION, *(source_key(db) for db in databases)], default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


_INDEX: dict[str, HybridIndex] = {}


def get_hybrid_index() -> HybridIndex:
    """The index over all three systems: in memory, else from ``$THCE_HOME``, else built."""
    from thce.resources import thce_home

    databases = [get_database(s) for s in CODE_TYPES]
    key = _index_key(databases)
    if key in _INDEX:
        return _INDEX[key]
    path = thce_home() / "retrieval" / f"index-{key}.npz"
    index = None
    if path.is_file() and path.with_suffix(".json").is_file():
        try:
            index = HybridIndex.load(path)
        except (OSError, ValueError, KeyError):
            index = None  # a damaged cache is rebuilt
    if index is None:
        index = HybridIndex(databases)
        with contextlib.suppress(OSError):  # a read-only home only costs the build next time
            index.save(path)
    _INDEX.clear()
    _INDEX[key] = index
    return index


# ---------------------------------------------------------------------------------------------
# The retriever
# ---------------------------------------------------------------------------------------------


def _normalised(scores: np.ndarray, rows: np.ndarray) -> np.ndarray:
    top = float(scores[rows].max()) if rows.size else 0.0
    return scores[rows] / top if top > 0 else np.zeros(rows.size, dtype=np.float32)


class Retriever:
    """Ranks every code for a narrative with the signals of a :class:`RetrievalConfig`."""

    def __init__(self, config: RetrievalConfig | None = None) -> None:
        self.config = config or RetrievalConfig()
        self.index = get_hybrid_index()
        self._dense = None
        if "dense" in self.config.signals:
            from thce.codes.dense import get_embedder

            self._dense = get_embedder(self.config.dense_model, self.index)

    def _lexical(
        self, narrative: str
    ) -> tuple[list[tuple[str, np.ndarray, float]], dict[str, float]]:
        """The lexical rankings to fuse: ``(name, scores, weight)`` per field, and the query."""
        signals = self.config.signals
        analysis = analyze_query(narrative, expand="abbreviations" in signals)
        query = analysis.weights
        fields = self.index.fields
        scores = fields["bm25"].scores(query)
        # Fields are combined inside the lexical ranking, not fused as rankings of their own:
        # only ICD-10-CM codes have inclusion terms, and a ranking of them alone would lift
        # every ICD-10-CM code over CPT and HCPCS.
        if "inclusion_terms" in signals:
            # A synonym matches instead of the title, not on top of it: the better of the two.
            scores = np.maximum(
                scores, self.config.inclusion_weight * fields["inclusion_terms"].scores(query)
            )
        if "context" in signals:
            scores = scores + self.config.context_weight * fields["context"].scores(query)
        return [("lexical", scores, 1.0)], query

    def retrieve(
        self, narrative: str, code_type: str | None = None, k: int | None = None
    ) -> list[Candidate]:
        """The ``k`` best candidates for ``narrative`` (optionally one system), best first."""
        config = self.config
        k = k or config.k
        system = parse_code_type(code_type) if code_type else config.code_type
        index = self.index
        rankings, query = self._lexical(narrative)
        allowed_mask = np.ones(len(index), dtype=bool)
        if config.billable_only:
            allowed_mask &= index.billable
        if config.exclude_external_causes:
            allowed_mask &= ~index.external_cause
        if system is not None:
            allowed_mask &= index.type_array == system
        # Nothing in the text matches any code's words: the note is noise (or empty), and a
        # dense model would still return its nearest vectors, so nothing is the honest answer.
        if not (allowed_mask & (rankings[0][1] > 0)).any():
            return []
        if self._dense is not None:
            rankings.append(("dense", self._dense.scores(narrative), config.dense_weight))
        mask = np.zeros(len(index), dtype=bool)
        for _, scores, _ in rankings:
            mask |= scores > 0
        rows = np.flatnonzero(mask & allowed_mask)
        # Reciprocal-rank fusion of the rankings (Cormack et al. 2009), each with its weight:
        # no score scales to calibrate between BM25 fields and cosine similarities.
        fused: dict[int, float] = {}
        ranks: dict[int, dict[str, Any]] = {}
        for name, scores, weight in rankings:
            hit = rows[scores[rows] > 0]
            if hit.size > config.pool:
                # Only the pool's order matters: partition first, then sort the few.
                hit = hit[np.argpartition(-scores[hit], config.pool - 1)[: config.pool]]
            top_rows = hit[np.argsort(-scores[hit], kind="stable")]
            for rank, i in enumerate(top_rows):
                fused[i] = fused.get(i, 0.0) + weight / (config.rrf_k + rank)
                ranks.setdefault(i, {})[f"{name}_rank"] = rank + 1
        top = sorted(fused, key=lambda i: -fused[i])
        if "hierarchy" in config.signals:
            allowed = set(rows.tolist())
            floor = fused[top[min(len(top), k * 2) - 1]] if top else 0.0
            for i in top[: max(5, k // 2)]:
                for j in index.neighbours(i):
                    if j in allowed and j not in fused:
                        # A sibling enters just below the pool's k*2-th score: the cue bonus
                        # decides whether it climbs.
                        fused[j] = floor * 0.999
                        ranks[j] = {"sibling_of": index.codes[i]}
        cues = narrative_cues(narrative) if "specificity" in config.signals else {}
        base = max(fused.values())
        final: dict[int, float] = {}
        reasons: dict[int, list[str]] = {}
        for i, value in fused.items():
            bonus, why = cue_agreement(cues, index.descriptions[i]) if cues else (0, [])
            final[i] = value / base + config.specificity_weight * bonus
            if why:
                reasons[i] = why
        order = []
        per_family: dict[str, int] = {}
        for i in sorted(final, key=lambda i: (-final[i], index.codes[i])):
            # CPT/HCPCS code prefixes are not families in the same sense (9921x are levels).
            family = index.codes[i][:3] if index.code_types[i] == "ICD10" else index.codes[i]
            if per_family.get(family, 0) >= config.per_category:
                continue
            per_family[family] = per_family.get(family, 0) + 1
            order.append(i)
            if len(order) == k:
                break
        matched_terms = self.index.fields["bm25"]
        out = []
        for rank, i in enumerate(order, 1):
            signals: dict[str, Any] = dict(ranks.get(i, {}))
            terms = matched_terms.matched(query, int(i))
            if terms:
                signals["terms"] = terms
            if i in reasons:
                signals["cues"] = reasons[i]
            out.append(
                Candidate(
                    code_type=index.code_types[i],
                    code=index.codes[i],
                    description=index.descriptions[i],
                    score=round(float(final[i]), 4),
                    rank=rank,
                    signals=signals,
                    billable=bool(index.billable[i]),
                )
            )
        return out

    def retrieve_batch(
        self,
        narratives: Sequence[str],
        code_type: str | None = None,
        k: int | None = None,
    ) -> list[list[Candidate]]:
        """:meth:`retrieve` for many narratives (dense queries are embedded together)."""
        if self._dense is not None:
            self._dense.prepare(list(narratives))
        return [self.retrieve(n, code_type, k) for n in narratives]


@cache
def _default_retriever(config_json: str) -> Retriever:
    return Retriever(RetrievalConfig.model_validate_json(config_json))


def get_retriever(config: RetrievalConfig | None = None) -> Retriever:
    """A cached :class:`Retriever` per distinct configuration."""
    return _default_retriever((config or RetrievalConfig()).model_dump_json())


def retrieve(
    narrative: str, code_type: str | None = None, k: int = 10, config: RetrievalConfig | None = None
) -> list[Candidate]:
    """The ``k`` best candidate codes for ``narrative`` with the default (or given) settings."""
    return get_retriever(config).retrieve(narrative, code_type, k)


def retrieve_batch(
    narratives: Sequence[str],
    code_type: str | None = None,
    k: int = 10,
    config: RetrievalConfig | None = None,
) -> list[list[Candidate]]:
    """:func:`retrieve` for many narratives."""
    return get_retriever(config).retrieve_batch(narratives, code_type, k)


def build_seconds() -> float:
    """Seconds to build the index from scratch (benchmarks)."""
    started = time.perf_counter()
    HybridIndex([get_database(s) for s in CODE_TYPES])
    return time.perf_counter() - started


__all__ = [
    "SIGNALS",
    "Candidate",
    "HybridIndex",
    "RetrievalConfig",
    "Retriever",
    "get_hybrid_index",
    "get_retriever",
    "retrieve",
    "retrieve_batch",
]
