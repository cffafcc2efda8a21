#!/usr/bin/env python3
"""Speed of the code layer: database loading, validation, search, and the CLI cold start.

    python benchmarks/bench_codes.py              # ~1M-code batch workload
    python benchmarks/bench_codes.py --n 200000   # smaller workload

Validation is compared with ``simple_icd_10_cm.is_valid_item`` (the package the ICD-10-CM
database is built from) on the same ICD-10-CM workload, when it is installed. The peer
answers only "is this a code?"; THCE returns a full result (normalised code, description,
category, billability, parent, error and suggestions). The peer is timed twice: on the
strings as written (it then rejects ``e11.9``) and after the ``strip().upper()`` a caller
needs to get right answers.

Workload: codes as they appear in coded data: a few thousand distinct codes, heavily
repeated, in mixed spellings (``E11.9``, ``e119``, `` E11.9 ``), with ~2 % invalid ones.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from thce.codes import CodeValidator, get_database  # noqa: E402
from thce.codes.database import load_database_file  # noqa: E402
from thce.resources import shipped_path  # noqa: E402


def best(fn, repeat: int = 5) -> tuple[float, float]:
    """(min, median) seconds of ``fn()`` over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def make_workload(n: int, distinct: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """(mixed workload over all systems, ICD-10-CM-only workload), both of length ``n``."""
    rng = random.Random(seed)
    icd = get_database("ICD10")
    billable = icd.billable_codes()
    common = icd.common_codes()
    pool_icd = common + rng.sample(billable, distinct - len(common))
    pool_icd += [f"Z{rng.randint(0, 99):02d}.{rng.randint(0, 999)}" for _ in range(distinct // 50)]
    pool_other = list(get_database("CPT").codes()) + list(get_database("HCPCS").codes())

    def spell(code: str) -> str:
        roll = rng.random()
        if roll < 0.15:
            return code.lower()
        if roll < 0.30:
            return code.replace(".", "")
        if roll < 0.35:
            return f" {code} "
        return code

    icd_spellings = [spell(code) for code in pool_icd]
    other_spellings = [spell(code) for code in pool_other]
    # Zipf-like repetition: a few codes are very frequent, most are rare.
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(icd_spellings))]
    icd_only = rng.choices(icd_spellings, weights=weights, k=n)
    mixed = rng.choices(icd_spellings + other_spellings, k=n)
    return mixed, icd_only


def cold_cli_seconds(repeat: int = 5) -> float | None:
    """Minimum wall time of ``thce codes validate E11.9`` in a fresh interpreter."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "thce", "codes", "validate", "E11.9"],
            env=env,
            capture_output=True,
            check=False,
        )
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            return None
    return min(times)


def main() -> None:
    """Run every measurement and print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="codes in the batch workload")
    parser.add_argument("--distinct", type=int, default=5_000, help="distinct ICD-10-CM codes")
    parser.add_argument("--skip-cli", action="store_true", help="skip the cold CLI timing")
    args = parser.parse_args()

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    # -- sizes and loading ----------------------------------------------------------------
    for name in ("icd10cm.json.gz", "cpt.json", "hcpcs.json"):
        path = shipped_path("code_databases", name)
        print(f"size {name:<16} {path.stat().st_size / 1e6:6.2f} MB")
    icd_path = shipped_path("code_databases", "icd10cm.json.gz")
    raw = len(gzip.decompress(icd_path.read_bytes()))
    print(f"size icd10cm (unzipped) {raw / 1e6:6.2f} MB")
    low, mid = best(lambda: load_database_file(icd_path, "ICD10"))
    db = get_database("ICD10")
    print(
        f"load ICD10 ({len(db)} codes, {len(db.billable_codes())} billable): "
        f"min {low * 1000:.0f} ms, median {mid * 1000:.0f} ms"
    )
    for system in ("CPT", "HCPCS"):
        path = shipped_path("code_databases", f"{system.lower()}.json")
        low, _ = best(lambda p=path, s=system: load_database_file(p, s))
        print(f"load {system} ({len(get_database(system))} codes): {low * 1000:.1f} ms")

    # -- validation -----------------------------------------------------------------------
    mixed, icd_only = make_workload(args.n, args.distinct)
    distinct = list(dict.fromkeys(mixed))
    validator = CodeValidator()
    started = time.perf_counter()
    for code in distinct:
        validator.validate(code)
    uncached = time.perf_counter() - started
    print(
        f"single validate, uncached: {len(distinct) / uncached:,.0f} codes/s ({len(distinct)} distinct)"
    )
    valid = [c for c in distinct if validator.validate(c).is_valid]
    invalid = [c for c in distinct if not validator.validate(c).is_valid]
    for label, codes in (("valid", valid), ("invalid, with suggestions", invalid)):
        fresh = CodeValidator()
        for warmup in ("E11.9", "J1100", "99213"):  # load the databases outside the timing
            fresh.validate(warmup)
        fresh.clear_cache()
        started = time.perf_counter()
        for code in codes:
            fresh.validate(code)
        seconds = time.perf_counter() - started
        print(
            f"  uncached, {label}: {len(codes) / seconds:,.0f} codes/s "
            f"({seconds / len(codes) * 1e6:.0f} us each, {len(codes)} codes)"
        )
    sample = mixed[:200_000]
    started = time.perf_counter()
    for code in sample:
        validator.validate(code)
    cached = time.perf_counter() - started
    print(f"single validate, cached:   {len(sample) / cached:,.0f} codes/s")

    cold = CodeValidator()
    started = time.perf_counter()
    results = cold.validate_batch(mixed)
    batch_cold = time.perf_counter() - started
    warm, _ = best(lambda: cold.validate_batch(mixed), repeat=3)
    valid_share = sum(r.is_valid for r in results) / len(results)
    print(
        f"validate_batch {len(mixed):,} mixed codes ({valid_share:.1%} valid): "
        f"{len(mixed) / batch_cold:,.0f} codes/s from a cold cache, "
        f"{len(mixed) / warm:,.0f} codes/s warm"
    )

    # -- the peer ------------------------------------------------------------------------------
    icd_validator = CodeValidator()
    started = time.perf_counter()
    ours = icd_validator.validate_batch(icd_only, "ICD10")
    ours_cold = time.perf_counter() - started
    ours_warm, _ = best(lambda: icd_validator.validate_batch(icd_only, "ICD10"), repeat=3)
    print(
        f"THCE validate_batch, {len(icd_only):,} ICD-10-CM codes: "
        f"{len(icd_only) / ours_cold:,.0f} codes/s cold, {len(icd_only) / ours_warm:,.0f} warm"
    )
    try:
        started = time.perf_counter()
        import simple_icd_10_cm as sicd

        print(f"simple_icd_10_cm import: {time.perf_counter() - started:.2f} s")
    except ImportError:
        print("simple_icd_10_cm not installed: no peer comparison (pip install simple-icd-10-cm)")
        sicd = None
    if sicd is not None:
        is_valid = sicd.is_valid_item
        raw_time, _ = best(lambda: [is_valid(code) for code in icd_only], repeat=3)
        norm_time, _ = best(lambda: [is_valid(code.strip().upper()) for code in icd_only], repeat=3)
        peer_raw = [is_valid(code) for code in icd_only]
        peer_norm = [is_valid(code.strip().upper()) for code in icd_only]
        agree_norm = sum(a == r.is_valid for a, r in zip(peer_norm, ours, strict=True))
        agree_raw = sum(a == r.is_valid for a, r in zip(peer_raw, ours, strict=True))
        print(
            f"simple_icd_10_cm.is_valid_item as written: {len(icd_only) / raw_time:,.0f} codes/s "
            f"(agrees with THCE on {agree_raw / len(ours):.1%}: it rejects lower case)"
        )
        print(
            f"simple_icd_10_cm.is_valid_item + strip().upper(): {len(icd_only) / norm_time:,.0f} "
            f"codes/s (agrees on {agree_norm / len(ours):.1%})"
        )
        print(
            f"ratio THCE batch (warm) / peer: {raw_time / ours_warm:.1f}x vs as written, "
            f"{norm_time / ours_warm:.1f}x vs normalised; "
            f"THCE batch from a cold cache: {raw_time / ours_cold:.1f}x / {norm_time / ours_cold:.1f}x"
        )

    # -- search and CLI -------------------------------------------------------------------------
    from thce.codes.bm25 import get_index, search

    started = time.perf_counter()
    get_index("ICD10")
    print(f"search index build, ICD10: {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    get_index(None)
    print(f"search index build, all systems (ICD10 reused): {time.perf_counter() - started:.2f} s")
    query = "58 yo man with type 2 diabetes, no complications, on metformin, A1c 6.8"
    low, _ = best(lambda: search(query, "ICD10", top_k=10), repeat=20)
    print(f"search query (ICD10, narrative): {low * 1000:.1f} ms")
    if not args.skip_cli:
        seconds = cold_cli_seconds()
        text = f"{seconds:.2f} s" if seconds is not None else "failed"
        print(f"cold `thce codes validate E11.9` (python -m thce): {text}")
    print(json.dumps({"n": args.n, "distinct": len(distinct)}))


if __name__ == "__main__":
    main()
