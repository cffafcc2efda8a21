"""Offline synthetic narratives: thousands of training examples from the code databases.

    >>> records = generate_examples(3, seed=7)
    >>> [r["metadata"]["source"] for r in records]
    ['synthetic', 'synthetic', 'synthetic']

No API key and no network: each narrative is built from one code's own description (or an
ICD-10-CM inclusion term), rewritten the way notes are written (abbreviations, reordering,
sides as "R"/"L", encounters as "ED visit" / "f/u", trimesters as gestational weeks), and
wrapped in context that is not the answer: age and sex, vitals, background history,
negated symptoms, a plan. Phrases live in ``thce/data/synthetic_phrases.yaml``.

What it teaches: the answer format, reading specificity (side, encounter, stage, trimester)
off a note, choosing the code system a note asks for, and ignoring distractor history. Where
it falls short of real notes (docs/DATA_PREPARATION.md): a narrative always names its
condition in words close to the code's title, never only through findings ("osteophytes,
joint space narrowing" for osteoarthritis); its context is generic.

The same seed gives the same examples. Codes in ``exclude`` (e.g. every code of the test
sets) are never drawn, so evaluation measures codes the model has not been trained on.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from thce.codes import get_database
from thce.codes.text import clinical_terms
from thce.data.formats import build_stage_1_example

DEFAULT_MIX: dict[str, float] = {"ICD10": 0.5, "CPT": 0.25, "HCPCS": 0.25}
# Share of ICD-10-CM examples drawn from THCE's common-codes list (the rest: long tail).
COMMON_SHARE = 0.3


@cache
def phrases() -> dict[str, Any]:
    """The phrase tables of ``thce/data/synthetic_phrases.yaml``."""
    import yaml

    text = resources.files("thce.data").joinpath("synthetic_phrases.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@cache
def _abbreviation_for() -> dict[str, list[str]]:
    """Expansion -> abbreviations (the curated list, reversed): "hypertension" -> ["htn"]."""
    reverse: dict[str, list[str]] = {}
    for key, meanings in clinical_terms().abbreviations.items():
        if len(meanings) != 1 or len(key) != 1 or len(key[0]) < 2:
            continue
        meaning = meanings[0]
        if len(meaning.split()) >= 2 or len(meaning) >= 8:
            reverse.setdefault(meaning, []).append(key[0].upper())
    return reverse


_ENCOUNTER = re.compile(
    r",?\s*(?P<kind>initial encounter|subsequent encounter|sequela)"
    r"(?: for (?P<rest>.*))?$",
    re.IGNORECASE,
)
_TRIMESTER = re.compile(r",?\s*(?P<which>first|second|third|unspecified) trimester", re.IGNORECASE)
_SIDE = re.compile(r"\b(right|left|bilateral)\b", re.IGNORECASE)
_DROP = re.compile(
    r"\b(unspecified|not elsewhere classified|NOS|other specified)\b,?\s*", re.IGNORECASE
)
_DOSE = re.compile(
    r",\s*(?:up to |per )?(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>mg|mcg|units?|ml|grams?|g|mEq)\b",
    re.IGNORECASE,
)


@dataclass
class Narrative:
    """A narrative under construction: sentences and what was used."""

    sentences: list[str] = field(default_factory=list)
    cues: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        """The sentences joined as a note (each ends with a period)."""
        parts = [s.strip().rstrip(".") + "." for s in self.sentences if s.strip()]
        return " ".join(parts)


class NarrativeWriter:
    """Writes one narrative per code, deterministically from its random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.phrases = phrases()

    def _pick(self, options: list[Any]) -> Any:
        return options[self.rng.randrange(len(options))]

    def _fill(self, template: str, **values: Any) -> str:
        rng = self.rng
        defaults = {
            "weeks": rng.choice([2, 3, 4, 6, 8]),
            "sbp": rng.randint(108, 152),
            "dbp": rng.randint(62, 94),
            "hr": rng.randint(58, 104),
            "t": rng.randint(0, 9),
            "sat": rng.randint(3, 9),
            "mechanism": self._pick(self.phrases["mechanisms"]),
        }
        defaults.update(values)
        return template.format(**defaults)

    # -- the condition phrase ---------------------------------------------------------------
    def rewrite(self, description: str, cues: dict[str, str]) -> str:
        """Turn a code title into note wording; record side/encounter/trimester in ``cues``."""
        rng = self.rng
        text = description
        match = _ENCOUNTER.search(text)
        if match:
            cues["encounter"] = match.group("kind").split()[0].lower()
            rest = (match.group("rest") or "").lower()
            if "open fracture" in rest:
                cues["fracture"] = "open"
            elif "closed fracture" in rest or "fracture" in rest:
                cues["fracture"] = "closed"
            for healing in ("routine", "delayed", "nonunion", "malunion"):
                if healing in rest:
                    cues["healing"] = healing
            text = text[: match.start()]
        trimester = _TRIMESTER.search(text)
        if trimester:
            cues["trimester"] = trimester.group("which").lower()
            text = text[: trimester.start()] + text[trimester.end() :]
        side = _SIDE.search(text)
        if side:
            word = side.group(1).lower()
            cues["laterality"] = word
            short = {"right": ["R", "rt", "right"], "left": ["L", "lt", "left"]}.get(
                word, ["b/l", "bilateral", "both sides"]
            )
            text = _SIDE.sub(rng.choice(short), text, count=1)
        # A comma segment that only says something is unknown goes ("..., unspecified eye").
        text = ",".join(
            seg
            for seg in text.split(",")
            if not re.search(r"\bunspecified\b", seg) or seg is text.split(",")[0]
        )
        text = _DROP.sub("", text)
        text = re.sub(r"\s*\[[^\]]*\]", "", text)  # bracketed synonyms stay in titles only
        text = re.sub(r"\s+,", ",", re.sub(r"\s{2,}", " ", text)).strip(" ,;")
        lowered = text.lower()
        for meaning, abbreviations in _abbreviation_for().items():
            if meaning in lowered and rng.random() < 0.5:
                pattern = re.compile(re.escape(meaning), re.IGNORECASE)
                text = pattern.sub(rng.choice(abbreviations), text, count=1)
                lowered = text.lower()
        # "Sprain of X of left ankle" -> "left ankle X sprain" now and then.
        parts = re.split(r"\s+of\s+", text, maxsplit=1)
        if (
            len(parts) == 2
            and len(parts[1].split()) <= 5
            and "," not in text
            and rng.random() < 0.35
        ):
            text = f"{parts[1]} {parts[0].lower()}"
        if "with or without" not in text:
            text = text.replace("without", rng.choice(["without", "w/o", "no"]))
            text = re.sub(r"\bwith\b", rng.choice(["with", "w/"]), text, count=1)
        first = text.split(" ", 1)[0]
        if first[:1].isupper() and not first[1:2].isupper() and rng.random() < 0.6:
            text = text[:1].lower() + text[1:]
        return text

    # -- narratives per system ---------------------------------------------------------------
    def _opener(self, code_type: str, code: str) -> str:
        rng = self.rng
        if code_type == "ICD10" and code.startswith("P"):
            return rng.choice(["Newborn", f"{rng.randint(1, 27)} day old infant", "Neonate"])
        female = code.startswith(("O", "Z3", "N7", "N8", "N9", "C5")) or rng.random() < 0.5
        if code_type == "ICD10" and code.startswith(
            ("N40", "N41", "N42", "N43", "N44", "N45", "N46", "N47", "N48", "N49", "N5", "C6")
        ):
            female = False
        low, high = (18, 42) if code.startswith(("O", "Z3")) else (2, 88)
        age = rng.randint(low, high)
        sex = "F" if female else "M"
        return self._fill(
            self._pick(self.phrases["openers"]),
            age=age,
            sex=("woman" if age >= 18 else "girl") if female else ("man" if age >= 18 else "boy"),
            sex_letter=sex,
        )

    def _context(self, narrative: Narrative, code_type: str) -> None:
        rng = self.rng
        p = self.phrases
        if rng.random() < 0.6:
            narrative.sentences.append(", ".join(rng.sample(p["distractors"], rng.randint(1, 2))))
        if rng.random() < 0.5:
            narrative.sentences.append(self._pick(p["negations"]))
        if rng.random() < 0.4:
            narrative.sentences.append(self._fill(self._pick(p["vitals"])))
        if rng.random() < 0.6:
            narrative.sentences.append(self._fill(self._pick(p["plans"][code_type])))

    def icd10(self, code: str, description: str, terms: list[str]) -> Narrative:
        """A diagnosis narrative: the condition, its specificity in note words, context."""
        rng = self.rng
        narrative = Narrative()
        # Inclusion terms are alternative names; they lack the title's specificity axes, so
        # borrow only their wording and keep the title's side/encounter/trimester.
        base = description
        plain = not (
            _ENCOUNTER.search(description)
            or _SIDE.search(description)
            or _TRIMESTER.search(description)
        )
        if terms and plain and rng.random() < 0.4:
            base = rng.choice(terms)
        phrase = self.rewrite(base, narrative.cues)
        opener = self._opener("ICD10", code)
        templates = [
            f"{opener} with {phrase}",
            f"{opener}. Assessment: {phrase}",
            f"{opener} dx {phrase}",
            f"{opener} seen for {phrase}",
            f"{opener}, here for {phrase}",
        ]
        narrative.sentences.append(self._pick(templates))
        cues = narrative.cues
        if "encounter" in cues:
            kind = cues["encounter"]
            narrative.sentences.append(self._fill(self._pick(self.phrases["encounter"][kind])))
            if "fracture" in cues and kind == "initial":
                narrative.sentences.append(self._pick(self.phrases["fracture"][cues["fracture"]]))
            if "healing" in cues:
                narrative.sentences.append(self._pick(self.phrases["healing"][cues["healing"]]))
        if cues.get("trimester") in self.phrases["trimester_weeks"]:
            weeks = self._pick(self.phrases["trimester_weeks"][cues["trimester"]])
            narrative.sentences.append(f"G{rng.randint(1, 4)} at {weeks} wks gestation")
        self._context(narrative, "ICD10")
        self._shuffle_middle(narrative)
        return narrative

    def cpt(self, description: str) -> Narrative:
        """A procedure/service narrative: the service as the main event, a reason, context."""
        rng = self.rng
        narrative = Narrative()
        what = self.rewrite(description, narrative.cues)
        opener = self._opener("CPT", "")
        service = self._fill(self._pick(self.phrases["service"]["CPT"]), what=what)
        indication = self._pick(self.phrases["indications"]) if rng.random() < 0.6 else ""
        narrative.sentences.append(f"{opener}, {service} {indication}".strip())
        self._context(narrative, "CPT")
        return narrative

    def hcpcs(self, description: str) -> Narrative:
        """A supply/drug/service narrative in the words of a dispensing or administering note."""
        rng = self.rng
        narrative = Narrative()
        opener = self._opener("HCPCS", "")
        dose = _DOSE.search(description)
        if description.lower().startswith("injection,") and dose:
            drug = description.split(",")[1].strip()
            amount = float(dose.group("amount"))
            units = rng.choice([1, 1, 2, 4])
            value = amount * units
            shown = int(value) if value.is_integer() else value
            route = (
                rng.choice(["IM", "IV", "SQ"]) if "intravenous" not in description.lower() else "IV"
            )
            line = self._fill(
                self._pick(self.phrases["service"]["HCPCS_drug"]),
                drug=drug,
                dose=f"{shown} {dose.group('unit')}",
                route=route,
            )
        else:
            what = self.rewrite(description, narrative.cues)
            kind = (
                "HCPCS_item"
                if re.search(
                    r"\b(each|per|pair|device|supply|supplies|rental|wheelchair|cushion|walker|brace|orthosis|oxygen|catheter|dressing|strips?|pump|mattress|bed)\b",
                    description,
                    re.IGNORECASE,
                )
                else "HCPCS_service"
            )
            line = self._fill(self._pick(self.phrases["service"][kind]), what=what)
        indication = self._pick(self.phrases["indications"]) if rng.random() < 0.5 else ""
        narrative.sentences.append(f"{opener}, {line} {indication}".strip())
        self._context(narrative, "HCPCS")
        return narrative

    def _shuffle_middle(self, narrative: Narrative) -> None:
        """Context sentences in a varied order (the first sentence stays first)."""
        if len(narrative.sentences) > 2:
            middle = narrative.sentences[1:]
            self.rng.shuffle(middle)
            narrative.sentences[1:] = middle


def _pool(code_type: str, exclude: set[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """``(common, all)`` billable codes of a system that may be drawn."""
    db = get_database(code_type)
    allowed = [c for c in db.billable_codes() if (code_type, c) not in exclude]
    if code_type == "ICD10":
        # External causes (V00-Y99) are secondary codes, never a narrative's one answer.
        allowed = [c for c in allowed if c[0] not in "VWXY"]
    common = [c for c in db.common_codes() if (code_type, c) not in exclude and db.is_billable(c)]
    return common, allowed


def _draw_icd10(rng: random.Random, common: list[str], allowed: list[str]) -> str:
    """Common codes ``COMMON_SHARE`` of the time; otherwise a random category, then a code in
    it, so the 40 % of billable codes that are injury variants do not swamp the rest."""
    if common and rng.random() < COMMON_SHARE:
        return rng.choice(common)
    by_category = _by_category(tuple(allowed))
    category = rng.choice(list(by_category))
    return rng.choice(by_category[category])


@cache
def _by_category(codes: tuple[str, ...]) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for code in codes:
        table.setdefault(code[:3], []).append(code)
    return table


def generate_examples(
    count: int,
    seed: int = 0,
    mix: dict[str, float] | None = None,
    exclude: Iterable[tuple[str, str]] = (),
) -> list[dict[str, Any]]:
    """``count`` stage-1 examples (``messages`` + ``metadata``), the same for the same seed.

    ``mix`` gives each system's share (default 50 % ICD-10-CM, 25 % CPT, 25 % HCPCS);
    ``exclude`` holds ``(code_type, code)`` pairs never to use as answers.
    """
    mix = mix or DEFAULT_MIX
    rng = random.Random(seed)
    excluded = set(exclude)
    pools = {system: _pool(system, excluded) for system in mix}
    writer = NarrativeWriter(rng)
    systems = list(mix)
    weights = [mix[s] for s in systems]
    records = []
    for number in range(count):
        system = rng.choices(systems, weights)[0]
        common, allowed = pools[system]
        db = get_database(system)
        if system == "ICD10":
            code = _draw_icd10(rng, common, allowed)
            terms = db.inclusion_terms(code, inherited=False)
            narrative = writer.icd10(code, db.description(code) or "", terms)
        else:
            code = rng.choice(common if common and rng.random() < 0.5 else allowed)
            description = db.description(code) or ""
            narrative = writer.cpt(description) if system == "CPT" else writer.hcpcs(description)
        records.append(
            build_stage_1_example(
                narrative.text(),
                system,
                code,
                db.description(code),
                id=f"syn-{seed}-{number:05d}",
                metadata={
                    "code_type": system,
                    "source": "synthetic",
                    "seed": seed,
                    "cues": narrative.cues,
                },
            )
        )
    return records


__all__ = ["DEFAULT_MIX", "NarrativeWriter", "generate_examples", "phrases"]
