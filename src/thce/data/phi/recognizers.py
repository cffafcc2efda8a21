"""Every rule-based PHI recognizer, by name, in the order they run: the one place to look.

Each recognizer takes a :class:`~thce.data.phi.context.TextContext` and yields
:class:`~thce.data.phi.spans.PHISpan` objects; they are declared next to their functions in
small modules by kind (:mod:`.names`, :mod:`.ages`, :mod:`.dates`, :mod:`.facilities`,
:mod:`.hl7`, :mod:`.identifiers`, :mod:`.places`, :mod:`.tables`, :mod:`.unique_ids`).

>>> from thce.data.phi.context import TextContext
>>> [s.label for s in RECOGNIZERS["ssn"](TextContext("SSN 123-45-6789"))]
['SSN']
>>> [s.label for s in RECOGNIZERS["date"](TextContext("BP 140/90, seen 3/14/2024"))]
['DATE']
>>> [r.name for r in get_recognizers(["email", "phone"])]
['email', 'phone']
"""

from __future__ import annotations

from collections.abc import Iterable

from thce.data.phi import (
    ages,
    dates,
    facilities,
    hl7,
    identifiers,
    names,
    places,
    tables,
    unique_ids,
)
from thce.data.phi.base import Recognizer
from thce.errors import DataError

# The run order. It matters in one case only: when spans overlap, the merged span takes the
# label of highest priority (spans.label_priority), then of the longest span, and among spans
# equal on both, of the recognizer that ran first. This is the order the recognizers had when
# they registered themselves on import (names first), kept so that every scrubbed text and
# every label stays the same.
ORDER: tuple[Recognizer, ...] = (
    names.find_names,
    ages.find_old_ages,
    dates.find_dates,
    facilities.find_facilities,
    hl7.find_hl7_fields,
    identifiers.find_emails,
    identifiers.find_urls,
    identifiers.find_ips,
    identifiers.find_ssns,
    identifiers.find_phones,
    identifiers.find_mrns,
    identifiers.find_health_plan_ids,
    identifiers.find_accounts,
    identifiers.find_licenses,
    identifiers.find_long_numbers,
    places.find_addresses,
    places.find_locations,
    tables.find_table_cells,
    unique_ids.find_devices,
    unique_ids.find_biometrics,
    unique_ids.find_photos,
    unique_ids.find_vehicles,
    unique_ids.find_other_ids,
)
RECOGNIZERS: dict[str, Recognizer] = {r.name: r for r in ORDER}


def get_recognizers(names: Iterable[str] | None = None) -> list[Recognizer]:
    """Return the recognizers named, in the order given (all of them, in :data:`ORDER`,
    when ``names`` is None).

    Raises:
        DataError: a name is not known; the message lists the valid names.
    """
    if names is None:
        return list(ORDER)
    chosen: list[Recognizer] = []
    for name in names:
        key = str(name).strip().lower()
        if key not in RECOGNIZERS:
            raise DataError(
                f"Unknown PHI recognizer {name!r}; valid names: {', '.join(sorted(RECOGNIZERS))}"
            )
        if RECOGNIZERS[key] not in chosen:
            chosen.append(RECOGNIZERS[key])
    return chosen


__all__ = ["ORDER", "RECOGNIZERS", "Recognizer", "get_recognizers"]
