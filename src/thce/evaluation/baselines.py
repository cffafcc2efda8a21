"""Baselines: simple systems a trained model must beat, looked up by name.

Each baseline has the same shape::

    baseline = get_baseline("keyword")
    baseline.fit(train_examples)                  # may learn nothing, never fails on []
    baseline.predict(examples)                    # -> [["ICD10:E11.9", "ICD10:E11.65", ...], ...]

``predict`` returns, per example, ranked candidate labels (``TYPE:CODE``, best first; at most
``top_k``, possibly fewer). Examples are :class:`~thce.evaluation.records.TestExample` objects or
plain narrative strings.

=================  ================================================================================
``most_frequent``  the training set's most frequent codes, the same ranking for every example
``random``         codes drawn uniformly (seeded) from the training set's distinct codes
``keyword``        phrases → codes from a map shipped with THCE (``data/keywords.json``)
``rule_based``     ordered regex rules (code type, E/M level, diagnosis combinations) + keywords
``retrieval``      the hybrid retriever's ranking (``thce.codes.retrieval``: BM25, abbreviations,
                   inclusion terms, embeddings, hierarchy, specificity cues)
``bm25``           plain BM25 similarity of the narrative to code descriptions
                   (``thce.codes.search``), kept to show what the hybrid adds
=================  ================================================================================

The text matching the keyword, rule-based and BM25 baselines share (negation, the keyword map,
code-system cues) is in :mod:`thce.evaluation.narrative_cues`; its names are importable from
here too.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from thce.errors import EvaluationError
from thce.evaluation.narrative_cues import (
    KeywordEntry,
    affirmed,
    detect_narrative_code_type,
    keyword_matches,
    load_keyword_map,
)
from thce.evaluation.records import TestExample, make_label

DEFAULT_TOP_K = 5


def _narrative(example: TestExample | str) -> str:
    return example if isinstance(example, str) else example.narrative


def _top_labels(labels: Sequence[str]) -> list[str]:
    return [label for label, _ in Counter(labels).most_common()]


class Baseline:
    """Base class: ``fit`` learns from training examples, ``predict`` ranks codes."""

    name = "baseline"
    description = ""
    needs_training_data = False

    def __init__(self, top_k: int = DEFAULT_TOP_K) -> None:
        self.top_k = top_k
        self.frequent: list[str] = []  # training labels by frequency (a fallback for several)

    def fit(self, train: Sequence[TestExample]) -> Baseline:
        """Learn from ``train`` (the default learns the code frequencies). Returns ``self``."""
        self.frequent = _top_labels([e.gold_label for e in train])
        return self

    def _check_fitted(self) -> None:
        if self.needs_training_data and not self.frequent:
            raise EvaluationError(
                f"baseline {self.name!r} needs training data: call fit() with examples "
                "(on the CLI: --train-data FILE, default the shipped stage-1 examples)"
            )

    def predict_one(self, narrative: str) -> list[str]:  # pragma: no cover - abstract
        """Ranked labels for one narrative."""
        raise NotImplementedError

    def predict(self, examples: Sequence[TestExample | str]) -> list[list[str]]:
        """Ranked candidate labels (``TYPE:CODE``) for each example, at most ``top_k`` each."""
        self._check_fitted()
        return [self.predict_one(_narrative(e))[: self.top_k] for e in examples]


class MostFrequentBaseline(Baseline):
    """Always answers the training set's most frequent codes (ties: first seen first)."""

    name = "most_frequent"
    description = "the most frequent training codes, same answer for every example"
    needs_training_data = True

    def predict_one(self, narrative: str) -> list[str]:
        """The frequency ranking (the narrative is ignored)."""
        return list(self.frequent)


class RandomBaseline(Baseline):
    """Uniformly random distinct training codes; seeded, so a run is reproducible."""

    name = "random"
    description = "random training codes (seeded)"
    needs_training_data = True

    def __init__(self, top_k: int = DEFAULT_TOP_K, seed: int = 0) -> None:
        super().__init__(top_k)
        self.seed = seed

    def predict(self, examples: Sequence[TestExample | str]) -> list[list[str]]:
        """A fresh seeded generator per call: the same examples give the same answers."""
        self._check_fitted()
        rng = random.Random(self.seed)
        pool = sorted(set(self.frequent))
        return [rng.sample(pool, min(self.top_k, len(pool))) for _ in examples]

    def predict_one(self, narrative: str) -> list[str]:
        """One random draw (seeded by the narrative, so it is stable)."""
        rng = random.Random(f"{self.seed}:{narrative}")
        pool = sorted(set(self.frequent))
        return rng.sample(pool, min(self.top_k, len(pool)))


class KeywordBaseline(Baseline):
    """Codes whose keywords appear in the narrative; training-set frequencies fill the rest."""

    name = "keyword"
    description = "keyword → code map shipped with THCE"

    def predict_one(self, narrative: str) -> list[str]:
        """Keyword hits (longest phrase first), then the most frequent training codes."""
        ranked = keyword_matches(narrative)
        return ranked + [label for label in self.frequent if label not in ranked]


# ---------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------

_LEVELS = {"straightforward": 0, "minimal": 0, "low": 1, "moderate": 2, "high": 3}
_NEW_PATIENT = ["99202", "99203", "99204", "99205"]
_ESTABLISHED = ["99212", "99213", "99214", "99215"]
# Total-time thresholds (minutes, lower bounds) of the 2021+ office E/M levels.
_NEW_TIMES = [(60, "99205"), (45, "99204"), (30, "99203"), (15, "99202")]
_ESTABLISHED_TIMES = [(40, "99215"), (30, "99214"), (20, "99213"), (10, "99212")]
_ED_LEVELS = {
    "minimal": "99281",
    "straightforward": "99282",
    "low": "99283",
    "moderate": "99284",
    "high": "99285",
}


def _em_rule(text: str) -> list[str]:
    """Office/ED E/M level from the patient status, the decision-making level or the time."""
    lowered = text.lower()
    level_match = re.search(
        r"\b(straightforward|minimal|low|moderate|high)(?:[- ]complexity)?\s+(?:level of\s+)?"
        r"(?:medical decision[- ]making|mdm|complexity)",
        lowered,
    ) or re.search(
        r"\b(?:mdm|medical decision[- ]making)\s+(?:was|is|of)?\s*(straightforward|minimal|low|moderate|high)",
        lowered,
    )
    minutes_match = re.search(r"\b(\d{1,3})\s*(?:minutes|min)\b", lowered)
    if re.search(r"\bemergency (?:department|room)\b|\bed visit\b|\ber visit\b", lowered):
        if level_match:
            return [f"CPT:{_ED_LEVELS[level_match.group(1)]}"]
        return ["CPT:99284", "CPT:99283", "CPT:99285"]
    is_new = re.search(r"\bnew patient\b", lowered) is not None
    is_established = (
        re.search(r"\bestablished patient\b|\bfollow[- ]up\b|\breturn(?:ing)? patient\b", lowered)
        is not None
    )
    if not (is_new or is_established):
        return []
    codes, times = (_NEW_PATIENT, _NEW_TIMES) if is_new else (_ESTABLISHED, _ESTABLISHED_TIMES)
    ranked: list[str] = []
    if level_match:
        ranked.append(codes[_LEVELS[level_match.group(1)]])
    if minutes_match:
        minutes = int(minutes_match.group(1))
        ranked += [code for threshold, code in times if minutes >= threshold][:1]
    ranked += [codes[1], codes[2]]  # the commonest levels as fallbacks
    return [f"CPT:{code}" for code in dict.fromkeys(ranked)]


# Diagnosis combinations: every pattern must match (anywhere in the narrative), in order of
# priority. These encode coding conventions ("with" combinations, laterality, encounter).
_COMBINATION_RULES: list[tuple[tuple[str, ...], str]] = [
    (
        (
            r"type 2 diabet|t2dm|\bdm2\b",
            r"hyperglyc|uncontrolled|poorly controlled|a1c (?:of |is )?(?:[89]|1\d)",
        ),
        "ICD10:E11.65",
    ),
    ((r"type 2 diabet|t2dm|\bdm2\b", r"neuropath"), "ICD10:E11.42"),
    ((r"type 2 diabet|t2dm|\bdm2\b", r"chronic kidney|\bckd\b|nephropath"), "ICD10:E11.22"),
    ((r"type 2 diabet|t2dm|\bdm2\b", r"retinopath"), "ICD10:E11.319"),
    ((r"type 2 diabet|t2dm|\bdm2\b", r"hypoglyc"), "ICD10:E11.649"),
    ((r"type 2 diabet|t2dm|\bdm2\b", r"foot ulcer|ulcer of (?:the )?foot"), "ICD10:E11.621"),
    ((r"type 1 diabet|t1dm", r"ketoacidosis|\bdka\b"), "ICD10:E10.10"),
    ((r"hypertensi", r"chronic kidney|\bckd\b"), "ICD10:I12.9"),
    ((r"hypertensi", r"heart failure"), "ICD10:I11.0"),
    ((r"asthma", r"exacerbation|attack|wheez"), "ICD10:J45.901"),
    ((r"\bcopd\b|chronic obstructive", r"exacerbation|worsening"), "ICD10:J44.1"),
    ((r"\bcopd\b|chronic obstructive", r"pneumonia|lower respiratory infection"), "ICD10:J44.0"),
    ((r"pneumonia", r"aspiration"), "ICD10:J69.0"),
    ((r"urinary tract infection|\buti\b", r"e\.? ?coli"), "ICD10:N39.0"),
    (
        (r"low back pain|lumbago", r"sciatica|radiat\w* (?:down|to) the (?:left|right)? ?leg"),
        "ICD10:M54.40",
    ),
    ((r"osteoarthritis|\boa\b", r"\bright knee\b"), "ICD10:M17.11"),
    ((r"osteoarthritis|\boa\b", r"\bleft knee\b"), "ICD10:M17.12"),
    ((r"osteoarthritis|\boa\b", r"both knees|bilateral knee"), "ICD10:M17.0"),
    ((r"otitis media", r"\bright\b"), "ICD10:H66.91"),
    ((r"otitis media", r"\bleft\b"), "ICD10:H66.92"),
    ((r"atrial fibrillation|\bafib\b", r"paroxysmal"), "ICD10:I48.0"),
    ((r"atrial fibrillation|\bafib\b", r"persistent"), "ICD10:I48.19"),
    ((r"atrial fibrillation|\bafib\b", r"permanent|chronic"), "ICD10:I48.21"),
    ((r"heart failure", r"acute on chronic", r"systolic|reduced ejection"), "ICD10:I50.23"),
    ((r"heart failure", r"chronic", r"systolic|reduced ejection"), "ICD10:I50.22"),
    ((r"heart failure", r"chronic", r"diastolic|preserved ejection"), "ICD10:I50.32"),
    ((r"depressi", r"recurrent", r"moderate"), "ICD10:F33.1"),
    ((r"depressi", r"single episode|first episode", r"moderate"), "ICD10:F32.1"),
    ((r"depressi", r"single episode|first episode", r"severe"), "ICD10:F32.2"),
    ((r"colonoscopy", r"polyp", r"snare"), "CPT:45385"),
    ((r"colonoscopy", r"biops"), "CPT:45380"),
    ((r"\begd\b|upper endoscopy|esophagogastroduodenoscopy", r"biops"), "CPT:43239"),
    ((r"chest", r"x-ray|radiograph", r"two views|2 views|pa and lateral"), "CPT:71046"),
    ((r"chest", r"x-ray|radiograph", r"single view|one view|1 view|portable"), "CPT:71045"),
    ((r"\bct\b", r"head|brain", r"without contrast"), "CPT:70450"),
    (
        (r"\bmri\b", r"brain", r"with(?:out)? and with(?:out)? contrast|with and without"),
        "CPT:70553",
    ),
    ((r"\bmri\b", r"brain", r"without contrast"), "CPT:70551"),
]
_COMPILED_COMBINATIONS = [
    (tuple(re.compile(p, re.IGNORECASE) for p in patterns), label)
    for patterns, label in _COMBINATION_RULES
]


def rule_matches(narrative: str) -> list[str]:
    """Labels of the combination rules whose patterns all match, in rule order."""
    return [
        label
        for patterns, label in _COMPILED_COMBINATIONS
        if all(affirmed(p, narrative) for p in patterns)
    ]


class RuleBasedBaseline(Baseline):
    """Ordered rules: detect the code system, then E/M rules and combination rules, then keyword
    hits of that system, then keyword hits of other systems, then frequent training codes of
    that system."""

    name = "rule_based"
    description = "ordered regex rules + keyword matches, with code-type detection"

    def predict_one(self, narrative: str) -> list[str]:
        """Rules in priority order (see the class docstring)."""
        code_type, _ = detect_narrative_code_type(narrative)
        ranked: list[str] = []
        if code_type == "CPT":
            ranked += _em_rule(narrative)
        ranked += [label for label in rule_matches(narrative) if label.startswith(code_type + ":")]
        ranked += keyword_matches(narrative, code_type)
        ranked += [
            label for label in rule_matches(narrative) if not label.startswith(code_type + ":")
        ]
        ranked += keyword_matches(narrative)
        ranked += [label for label in self.frequent if label.startswith(code_type + ":")]
        ranked += self.frequent
        return list(dict.fromkeys(ranked))


class BM25Baseline(Baseline):
    """Plain BM25 similarity of the narrative to every code description (``thce.codes.search``).

    By default the search covers all three databases; ``detect_type=True`` limits it to the
    system :func:`detect_narrative_code_type` picks (worse on the shipped training examples:
    36 % vs 25 % exact match, because a wrong type guess can never be repaired).
    """

    name = "bm25"
    description = "BM25 similarity of the narrative to code descriptions (full databases)"

    def __init__(self, top_k: int = DEFAULT_TOP_K, detect_type: bool = False) -> None:
        super().__init__(top_k)
        self.detect_type = detect_type

    def predict_one(self, narrative: str) -> list[str]:
        """The ``top_k`` best-matching codes."""
        from thce.codes import search

        code_type = detect_narrative_code_type(narrative)[0] if self.detect_type else None
        hits = search(narrative, code_type=code_type, top_k=self.top_k)
        return list(
            dict.fromkeys(label for h in hits if (label := make_label(h.code_type, h.code)))
        )


class RetrievalBaseline(Baseline):
    """The hybrid retriever's top codes (the same candidates the coding model chooses from)."""

    name = "retrieval"
    description = (
        "hybrid retrieval: BM25 + abbreviations + inclusion terms + embeddings + hierarchy + cues"
    )

    def __init__(self, top_k: int = DEFAULT_TOP_K, config: Any = None) -> None:
        super().__init__(top_k)
        self.config = config

    def predict(self, examples: Sequence[TestExample | str]) -> list[list[str]]:
        """Ranked labels for every example (one batched retrieval)."""
        from thce.codes.retrieval import retrieve_batch

        narratives = [_narrative(e) for e in examples]
        found = retrieve_batch(narratives, k=max(self.top_k, 1), config=self.config)
        return [[c.label for c in cands][: self.top_k] for cands in found]

    def predict_one(self, narrative: str) -> list[str]:
        """The ``top_k`` best candidates."""
        return self.predict([narrative])[0]


BASELINES: dict[str, Callable[..., Baseline]] = {
    cls.name: cls
    for cls in (
        MostFrequentBaseline,
        RandomBaseline,
        KeywordBaseline,
        RuleBasedBaseline,
        BM25Baseline,
        RetrievalBaseline,
    )
}


def list_baselines() -> list[str]:
    """Names of the registered baselines."""
    return list(BASELINES)


def get_baseline(name: str, **options: Any) -> Baseline:
    """A baseline by name; an unknown name raises :class:`EvaluationError` listing valid ones.

    >>> get_baseline("keyword").name
    'keyword'
    """
    key = name.strip().lower().replace("-", "_")
    if key not in BASELINES:
        from rapidfuzz import process

        guess = process.extractOne(key, list(BASELINES))
        hint = f" (did you mean {guess[0]!r}?)" if guess and guess[1] >= 60 else ""
        raise EvaluationError(
            f"unknown baseline {name!r}{hint}; valid baselines: {', '.join(BASELINES)}"
        )
    return BASELINES[key](**options)


__all__ = [
    "BASELINES",
    "BM25Baseline",
    "Baseline",
    "KeywordBaseline",
    "KeywordEntry",
    "MostFrequentBaseline",
    "RandomBaseline",
    "RetrievalBaseline",
    "RuleBasedBaseline",
    "affirmed",
    "detect_narrative_code_type",
    "get_baseline",
    "keyword_matches",
    "list_baselines",
    "load_keyword_map",
    "rule_matches",
]
