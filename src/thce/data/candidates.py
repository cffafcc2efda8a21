"""Candidate lists in examples: retrieval into prompts, gold insertion, reasoning, near misses.

    >>> from thce.codes.retrieval import RetrievalConfig
    >>> from thce.data.formats import build_stage_1_example, get_candidates
    >>> ex = build_stage_1_example("58 yo, T2DM, no complications.", "ICD10", "E11.9",
    ...                            "Type 2 diabetes mellitus without complications")
    >>> out = with_candidates([ex], RetrievalConfig(k=5), stage=1, training=True)[0]
    >>> len(get_candidates(out)), "ICD10:E11.9" in [c.label for c in get_candidates(out)]
    (5, True)

One code path for every part of THCE that puts candidates in front of the model: dataset
building and training (``training=True``: the gold answer is put in at a uniformly random
position when retrieval missed it, and the order is shuffled, because small models copy
position) and evaluation (``training=False``: retrieval order, never the gold).

Stage 2 reasoning and stage 3 preference pairs are derived here too, from the candidates:
the reasoning names the deciding evidence and the closest rival (a sibling that differs in
side, encounter, stage ... or the best-ranked wrong candidate); the rejected answer of a pair
is that rival.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from thce.codes import get_database
from thce.codes.retrieval import Candidate, RetrievalConfig, get_retriever
from thce.codes.specificity import description_cues, narrative_cues
from thce.codes.text import analyze_query, document_terms, stem
from thce.data.formats import (
    CANDIDATE_SYSTEM_PROMPTS,
    CandidateLine,
    ParsedAnswer,
    format_answer,
    format_reasoned_answer,
    get_answer_text,
    get_gold,
    get_narrative,
    parse_answer,
    prompt_messages,
)

# Words for the axes a rival can differ on (see thce/codes/data/specificity_cues.yaml).
_AXIS_WORDS = {
    "laterality": "side",
    "encounter": "encounter",
    "healing": "healing",
    "fracture": "open/closed",
    "displacement": "displacement",
    "trimester": "trimester",
    "ckd_stage": "CKD stage",
    "ulcer_stage": "ulcer stage",
    "acuity": "acuity",
    "episode": "episode",
    "severity": "severity",
    "diabetes_type": "diabetes type",
    "patient_status": "new vs established",
    "contrast": "contrast",
}


def candidate_lines(candidates: Sequence[Candidate]) -> list[CandidateLine]:
    """Retriever candidates as prompt lines."""
    return [CandidateLine(c.code_type, c.code, c.description) for c in candidates]


def gold_line(gold: ParsedAnswer) -> CandidateLine | None:
    """The gold answer as a candidate line, its description from the database."""
    if not gold.code_type or not gold.code:
        return None
    description = get_database(gold.code_type).description(gold.code) or gold.description or ""
    return CandidateLine(gold.code_type, gold.code, description)


def arrange(
    lines: list[CandidateLine],
    gold: CandidateLine | None,
    rng: random.Random,
    config: RetrievalConfig,
) -> tuple[list[CandidateLine], int | None]:
    """Training order: the gold put in at a random position if missing, then shuffled.

    Returns ``(lines, retrieved_rank)`` where ``retrieved_rank`` is the gold's 1-based rank in
    the retrieved list (``None`` when retrieval missed it).
    """
    lines = list(lines)
    labels = [c.label for c in lines]
    rank = labels.index(gold.label) + 1 if gold and gold.label in labels else None
    if gold is not None and rank is None and config.insert_gold:
        if len(lines) >= config.k:
            lines[rng.randrange(len(lines))] = gold
        else:
            lines.insert(rng.randrange(len(lines) + 1), gold)
    if config.shuffle:
        rng.shuffle(lines)
    return lines, rank


def closest_rival(gold: CandidateLine, lines: Sequence[CandidateLine]) -> CandidateLine | None:
    """The wrong candidate most like the gold: same system and category first (a sibling),
    then the longest shared code prefix, then list order."""
    others = [c for c in lines if c.label != gold.label]
    if not others:
        return None

    def shared(c: CandidateLine) -> int:
        n = 0
        for a, b in zip(c.code, gold.code, strict=False):
            if a != b:
                break
            n += 1
        return n

    return max(others, key=lambda c: (c.code_type == gold.code_type, shared(c), -others.index(c)))


def _differences(gold: CandidateLine, rival: CandidateLine) -> list[tuple[str, str, str]]:
    """``(axis, gold value, rival value)`` for the cue kinds both descriptions state."""
    rival_cues = dict(description_cues(rival.description))
    found = []
    for kind, values in description_cues(gold.description):
        if kind in rival_cues and set(values) != set(rival_cues[kind]):
            found.append((kind, "/".join(values), "/".join(rival_cues[kind])))
    return found


def explain_choice(narrative: str, gold: CandidateLine, lines: Sequence[CandidateLine]) -> str:
    """Short stage-2 reasoning: the deciding evidence and why the gold beats its closest rival.

    >>> g = CandidateLine("ICD10", "M17.12", "Unilateral primary osteoarthritis, left knee")
    >>> r = CandidateLine("ICD10", "M17.11", "Unilateral primary osteoarthritis, right knee")
    >>> explain_choice("L knee OA, worse on stairs", g, [r, g])
    'Evidence: osteoarthritis, left, knee. M17.12 fits; M17.11 differs in side (right).'
    """
    query = analyze_query(narrative).weights
    shared = [w for w in dict.fromkeys(document_terms(gold.description)) if query.get(w, 0) >= 0.5]
    words: dict[str, str] = {}
    for word in gold.description.lower().replace(",", " ").split():
        words.setdefault(stem(word.strip("()[]")), word.strip("()[]"))
    evidence = [words.get(t, t) for t in shared][:5]
    cues = narrative_cues(narrative)
    for kind, value in cues.items():
        stated = dict(description_cues(gold.description)).get(kind, ())
        if value in stated and value not in evidence:
            evidence.append(value.replace("_", " "))
    head = f"Evidence: {', '.join(evidence)}." if evidence else "Evidence: the note's main problem."
    rival = closest_rival(gold, lines)
    if rival is None:
        return f"{head} {gold.code} fits."
    diffs = _differences(gold, rival)
    if diffs:
        axis, _, theirs = diffs[0]
        why = f"{rival.code} differs in {_AXIS_WORDS.get(axis, axis)} ({theirs.replace('_', ' ')})"
    elif rival.code_type != gold.code_type:
        why = f"{rival.code} is a {rival.code_type} code, not what the note asks for"
    else:
        short = (
            rival.description if len(rival.description) <= 60 else rival.description[:57] + "..."
        )
        why = f"{rival.code} is {short[:1].lower() + short[1:]}"
    return f"{head} {gold.code} fits; {why}."


def _retrieve(narratives: list[str], config: RetrievalConfig) -> list[list[Candidate]]:
    return get_retriever(config).retrieve_batch(narratives, k=config.k)


def with_candidates(
    records: Sequence[dict[str, Any]],
    config: RetrievalConfig,
    stage: int,
    *,
    training: bool,
    seed: int | None = None,
    retrieved: list[list[Candidate]] | None = None,
) -> list[dict[str, Any]]:
    """Stage examples with candidate prompts (see the module docstring).

    Stage-1 records become stage-1 examples. For ``stage=2`` a record without reasoning gets
    the reasoning of :func:`explain_choice`; one with hand-written reasoning keeps it. For
    ``stage=3`` a preference pair keeps its answers, and a stage 1/2 record becomes a pair
    whose rejected answer is the closest rival. ``metadata.retrieval`` records the gold's
    rank in the retrieved list (``null``: missed) and K.
    """
    rng = random.Random(config.seed if seed is None else seed)
    narratives = [get_narrative(r) or "" for r in records]
    lists = retrieved if retrieved is not None else _retrieve(narratives, config)
    out = []
    for record, narrative, found in zip(records, narratives, lists, strict=True):
        gold = get_gold(record)
        gold_candidate = gold_line(gold)
        lines = candidate_lines(found)
        if training:
            lines, rank = arrange(lines, gold_candidate, rng, config)
        else:
            labels = [c.label for c in lines]
            rank = (
                labels.index(gold_candidate.label) + 1
                if gold_candidate and gold_candidate.label in labels
                else None
            )
        metadata = dict(record.get("metadata") or {})
        metadata["retrieval"] = {"gold_rank": rank, "k": config.k}
        extra = {
            k: v
            for k, v in record.items()
            if k not in ("messages", "prompt", "chosen", "rejected", "metadata")
        }
        out.append(
            _render(
                record,
                narrative,
                lines,
                gold,
                gold_candidate,
                stage,
                {**extra, "metadata": metadata},
            )
        )
    return out


def _render(
    record: dict[str, Any],
    narrative: str,
    lines: list[CandidateLine],
    gold: ParsedAnswer,
    gold_candidate: CandidateLine | None,
    stage: int,
    extra: dict[str, Any],
) -> dict[str, Any]:
    system = CANDIDATE_SYSTEM_PROMPTS[stage]
    prompt = prompt_messages(narrative, stage, system, lines)
    answer = get_answer_text(record) or ""
    if stage == 1:
        return {"messages": [*prompt, {"role": "assistant", "content": answer}], **extra}
    reasoned = gold.reasoning is not None and gold.reasoning_well_formed
    if not reasoned and gold_candidate is not None:
        reasoning = explain_choice(narrative, gold_candidate, lines)
        answer = format_reasoned_answer(
            reasoning, gold_candidate.code_type, gold_candidate.code, gold_candidate.description
        )
    if stage == 2:
        return {"messages": [*prompt, {"role": "assistant", "content": answer}], **extra}
    if "rejected" in record and "chosen" in record:
        rejected = get_answer_text(record, "rejected") or ""
    else:
        rival = closest_rival(gold_candidate, lines) if gold_candidate else None
        if rival is None:
            rejected = ""
        else:
            reasoning = explain_choice(narrative, rival, lines)
            rejected = format_reasoned_answer(
                reasoning, rival.code_type, rival.code, rival.description
            )
        extra["metadata"] = {**extra["metadata"], "mistake": "near_miss"}
    return {
        "prompt": prompt,
        "chosen": [{"role": "assistant", "content": answer}],
        "rejected": [{"role": "assistant", "content": rejected}],
        **extra,
    }


def answer_for(line: CandidateLine) -> str:
    """The stage-1 answer naming ``line``."""
    return format_answer(line.code_type, line.code, line.description)


def parsed_label(text: str) -> str | None:
    """``TYPE:CODE`` of an answer text, or ``None``."""
    parsed = parse_answer(text)
    return f"{parsed.code_type}:{parsed.code}" if parsed.well_formed else None


__all__ = [
    "answer_for",
    "arrange",
    "candidate_lines",
    "closest_rival",
    "explain_choice",
    "gold_line",
    "parsed_label",
    "with_candidates",
]
