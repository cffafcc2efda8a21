"""Choosing what to generate: target codes from the code databases, specialties, note styles.

Code systems are drawn with fixed weights (default the seed's 40 % ICD-10-CM, 30 % CPT,
30 % HCPCS; ``--code-types`` restricts and renormalises them), then a code uniformly from that
system's pool: by default the databases' common codes (billable ICD-10-CM codes seen in everyday
coding, the curated CPT and HCPCS sets), or every current billable code with ``pool="all"``.
The specialty comes from ``--specialties`` when given, else from the code's range (cardiology
for ``I`` codes, radiology for CPT 70010-79999...). Everything is driven by one seeded RNG.

    >>> {k: round(v, 3) for k, v in parse_code_types("ICD10,CPT").items()}
    {'ICD10': 0.571, 'CPT': 0.429}
    >>> parse_code_types("hcpcs=1,icd10=3")
    {'ICD10': 0.75, 'HCPCS': 0.25}
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable, Mapping, Sequence

from thce.errors import GenerationError
from thce.generation.prompts import NOTE_STYLES, Target

CODE_TYPES: tuple[str, ...] = ("ICD10", "CPT", "HCPCS")
DEFAULT_WEIGHTS: dict[str, float] = {"ICD10": 0.4, "CPT": 0.3, "HCPCS": 0.3}
CODE_POOLS: tuple[str, ...] = ("common", "all")

# ICD-10-CM chapter letters -> plausible documenting specialties. D0-D4 are neoplasms and
# H6-H9 ear conditions, handled by _icd10_specialties.
_ICD10_SPECIALTIES: dict[str, tuple[str, ...]] = {
    "A": ("infectious disease", "internal medicine"),
    "B": ("infectious disease", "internal medicine"),
    "C": ("oncology",),
    "D": ("hematology", "internal medicine"),
    "E": ("endocrinology", "internal medicine", "family medicine"),
    "F": ("psychiatry", "family medicine"),
    "G": ("neurology",),
    "H": ("ophthalmology",),
    "I": ("cardiology", "internal medicine"),
    "J": ("pulmonology", "family medicine"),
    "K": ("gastroenterology", "general surgery"),
    "L": ("dermatology",),
    "M": ("rheumatology", "orthopedics"),
    "N": ("nephrology", "urology", "gynecology"),
    "O": ("obstetrics",),
    "P": ("neonatology",),
    "Q": ("pediatrics", "medical genetics"),
    "R": ("internal medicine", "emergency medicine", "family medicine"),
    "S": ("emergency medicine", "orthopedics"),
    "T": ("emergency medicine", "toxicology"),
    "U": ("internal medicine",),
    "V": ("emergency medicine",),
    "W": ("emergency medicine",),
    "X": ("emergency medicine",),
    "Y": ("emergency medicine",),
    "Z": ("family medicine", "internal medicine"),
}

# CPT ranges (first code of each range) -> specialties; a code belongs to the last range
# starting at or below it.
_CPT_RANGES: tuple[tuple[int, tuple[str, ...]], ...] = (
    (100, ("anesthesiology",)),
    (10004, ("dermatology", "general surgery")),
    (20100, ("orthopedics",)),
    (30000, ("otolaryngology", "pulmonology")),
    (33010, ("cardiothoracic surgery", "vascular surgery")),
    (38100, ("general surgery", "hematology")),
    (40490, ("gastroenterology", "general surgery")),
    (50010, ("urology",)),
    (56405, ("gynecology",)),
    (59000, ("obstetrics",)),
    (60000, ("endocrine surgery",)),
    (61000, ("neurosurgery",)),
    (65091, ("ophthalmology",)),
    (69000, ("otolaryngology",)),
    (70010, ("radiology",)),
    (80047, ("pathology and laboratory medicine",)),
    (90281, ("family medicine", "pediatrics")),
    (90785, ("psychiatry",)),
    (90935, ("nephrology",)),
    (91010, ("gastroenterology",)),
    (92002, ("ophthalmology",)),
    (92502, ("otolaryngology",)),
    (92920, ("cardiology",)),
    (94002, ("pulmonology",)),
    (95004, ("allergy and immunology",)),
    (95700, ("neurology",)),
    (96360, ("oncology", "infusion services")),
    (96900, ("dermatology",)),
    (97010, ("physical therapy",)),
    (98925, ("osteopathic medicine", "chiropractic")),
    (99202, ("family medicine", "internal medicine", "emergency medicine")),
)
_CPT_STARTS = [start for start, _ in _CPT_RANGES]

_HCPCS_SPECIALTIES: dict[str, tuple[str, ...]] = {
    "A": ("emergency medical services", "family medicine"),
    "B": ("gastroenterology", "home health"),
    "C": ("hospital outpatient services",),
    "E": ("physical medicine and rehabilitation", "home health"),
    "G": ("family medicine", "internal medicine"),
    "J": ("oncology", "infusion services", "internal medicine"),
    "K": ("physical medicine and rehabilitation",),
    "L": ("orthopedics", "prosthetics and orthotics"),
    "Q": ("oncology", "internal medicine"),
    "V": ("ophthalmology", "audiology"),
}
_FALLBACK_SPECIALTIES: tuple[str, ...] = ("family medicine", "internal medicine")


def default_specialties(code_type: str, code: str) -> tuple[str, ...]:
    """Specialties that plausibly document ``code`` (used when ``--specialties`` is not given).

    >>> default_specialties("ICD10", "I10")
    ('cardiology', 'internal medicine')
    >>> default_specialties("CPT", "71046")
    ('radiology',)
    """
    code = code.upper()
    if code_type == "ICD10" and code:
        if code[0] == "D" and code[1:2] in ("0", "1", "2", "3", "4"):
            return ("oncology",)
        if code[0] == "H" and code[1:2] in ("6", "7", "8", "9"):
            return ("otolaryngology",)
        return _ICD10_SPECIALTIES.get(code[0], _FALLBACK_SPECIALTIES)
    if code_type == "CPT" and code[:5].isdigit():
        index = bisect.bisect_right(_CPT_STARTS, int(code[:5])) - 1
        return _CPT_RANGES[index][1] if index >= 0 else _FALLBACK_SPECIALTIES
    if code_type == "HCPCS" and code:
        return _HCPCS_SPECIALTIES.get(code[0], _FALLBACK_SPECIALTIES)
    return _FALLBACK_SPECIALTIES


def parse_code_types(spec: str | Sequence[str] | Mapping[str, float] | None) -> dict[str, float]:
    """Turn ``--code-types`` into normalised weights.

    ``None`` gives the default 40/30/30. A list of names (``"ICD10,CPT"``) keeps their default
    weights, renormalised; ``NAME=WEIGHT`` items set weights explicitly. Names are
    case-insensitive; unknown names and non-positive weights are errors.
    """
    if spec is None:
        return dict(DEFAULT_WEIGHTS)
    if isinstance(spec, Mapping):
        items = [(str(k), str(v)) for k, v in spec.items()]
    else:
        parts = spec.split(",") if isinstance(spec, str) else list(spec)
        items = []
        for part in parts:
            if not part.strip():
                continue
            name, _, weight = part.partition("=")
            items.append((name, weight))
    if not items:
        raise GenerationError(f"--code-types is empty; use a comma list of {', '.join(CODE_TYPES)}")
    weights: dict[str, float] = {}
    for name, weight in items:
        key = name.strip().upper().replace("-", "").replace("_", "")
        key = {"ICD10CM": "ICD10"}.get(key, key)
        if key not in CODE_TYPES:
            raise GenerationError(
                f"--code-types: unknown code type {name.strip()!r}; use {', '.join(CODE_TYPES)}"
            )
        try:
            value = float(weight) if weight.strip() else DEFAULT_WEIGHTS[key]
        except ValueError:
            raise GenerationError(
                f"--code-types: weight {weight!r} for {key} is not a number"
            ) from None
        if value <= 0:
            raise GenerationError(f"--code-types: weight for {key} must be positive, got {value}")
        weights[key] = value
    total = sum(weights.values())
    return {key: weights[key] / total for key in CODE_TYPES if key in weights}


def parse_specialties(spec: str | Sequence[str] | None) -> tuple[str, ...] | None:
    """``"cardiology, endocrinology"`` -> ``("cardiology", "endocrinology")``; empty -> ``None``."""
    if spec is None:
        return None
    parts = spec.split(",") if isinstance(spec, str) else list(spec)
    names = tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))
    return names or None


def load_code_pool(code_type: str, pool: str = "common") -> list[tuple[str, str | None]]:
    """``(code, description)`` pairs to sample from for ``code_type``.

    ``common``: the database's common codes (falls back to all billable codes when the
    database marks none); ``all``: every billable code of the database.
    """
    if pool not in CODE_POOLS:
        raise GenerationError(f"unknown code pool {pool!r}; use one of: {', '.join(CODE_POOLS)}")
    from thce.codes.database import get_database

    database = get_database(code_type)
    codes: list[str] = []
    if pool == "common":
        # A common list may name a category (E11) for reference: only billable codes are targets.
        codes = [code for code in database.common_codes() if database.is_billable(code)]
    if not codes:
        codes = [code for code in database.codes() if database.is_billable(code)]
    if not codes:
        raise GenerationError(f"the {code_type} code database has no billable codes to sample from")
    return [(code, database.description(code)) for code in sorted(set(codes))]


PoolLoader = Callable[[str, str], Sequence[tuple[str, str | None]]]


class TargetSampler:
    """Draw :class:`~thce.generation.prompts.Target` s reproducibly.

    >>> pools = {"ICD10": [("E11.9", "Type 2 diabetes")], "CPT": [("99213", "Office visit")]}
    >>> sampler = TargetSampler({"ICD10": 0.5, "CPT": 0.5}, seed=1,
    ...                         pool_loader=lambda code_type, pool: pools[code_type])
    >>> sorted({sampler.sample().code_type for _ in range(50)})
    ['CPT', 'ICD10']
    """

    def __init__(
        self,
        weights: Mapping[str, float] | None = None,
        seed: int | str | None = None,
        specialties: Sequence[str] | None = None,
        pool: str = "common",
        pool_loader: PoolLoader | None = None,
    ) -> None:
        self.weights = dict(weights or DEFAULT_WEIGHTS)
        self.specialties = tuple(specialties) if specialties else None
        self.pool = pool
        self._rng = random.Random(seed)
        self._loader: PoolLoader = pool_loader or load_code_pool
        self._pools: dict[str, Sequence[tuple[str, str | None]]] = {}
        self._types = list(self.weights)
        self._cum_weights = []
        running = 0.0
        for key in self._types:
            running += self.weights[key]
            self._cum_weights.append(running)

    def pool_for(self, code_type: str) -> Sequence[tuple[str, str | None]]:
        """The (cached) sampling pool of one code system."""
        if code_type not in self._pools:
            self._pools[code_type] = self._loader(code_type, self.pool)
        return self._pools[code_type]

    def sample(self) -> Target:
        """One target: a code system by weight, a code, a specialty and a note style."""
        code_type = self._rng.choices(self._types, cum_weights=self._cum_weights)[0]
        code, description = self._rng.choice(self.pool_for(code_type))
        specialty = self._rng.choice(self.specialties or default_specialties(code_type, code))
        note_style = self._rng.choice(NOTE_STYLES[code_type])
        return Target(code_type, code, description, specialty, note_style)


__all__ = [
    "CODE_POOLS",
    "CODE_TYPES",
    "DEFAULT_WEIGHTS",
    "TargetSampler",
    "default_specialties",
    "load_code_pool",
    "parse_code_types",
    "parse_specialties",
]
