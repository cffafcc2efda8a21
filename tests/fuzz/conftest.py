"""The summary line of the fuzz suite (profiles: see ``fuzz_harness``).

``THCE_FUZZ_PROFILE`` picks the profile:

- ``default`` (``make test``): a few derandomised examples per command, so the suite adds
  seconds and never flakes;
- ``ci``: many random examples per command and MB-sized huge lines (minutes), e.g.
  ``THCE_FUZZ_PROFILE=ci python -m pytest tests/fuzz -p no:cacheprovider``.

The counts of cases run per command are printed at the end of the session.
"""

from __future__ import annotations

from fuzz_harness import CASES, PROFILE


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not CASES:
        return
    total = sum(CASES.values())
    per_command = ", ".join(f"{name} {count}" for name, count in sorted(CASES.items()))
    terminalreporter.write_line(
        f"fuzz ({PROFILE} profile): {total} cases over {len(CASES)} commands: {per_command}"
    )
