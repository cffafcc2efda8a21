#!/usr/bin/env python3
"""Speed of the code layer: loading, validation (two workloads), files, search, cold start.

    nice -n 19 python benchmarks/bench_codes.py                 # everything, 1M-code workloads
    nice -n 19 python benchmarks/bench_codes.py --n 200000 --skip-file --skip-search
    nice -n 19 python benchmarks/bench_codes.py --only file --file-rows 10000000

Validation is compared with ``simple_icd_10_cm.is_valid_item`` (the package the ICD-10-CM
database is built from) on the same strings, side by side in one run (interleaved, best of
``--repeat``), when it is installed. The peer answers only "is this a code?"; THCE's
``validate_batch`` returns a full result per string (normalised code, description,
category, billability, parent; error and suggestions when read) and ``is_valid_batch``
answers the peer's question. Databases are loaded before timing, as the peer is imported.

Two workloads of ``--n`` ICD-10-CM strings:

- repeated: codes as they appear in coded data: a few thousand distinct codes, Zipf-like
  repetition, mixed spellings (``E11.9``, ``e119``, `` E11.9 ``), ~2 % invalid. The peer is
  timed on the strings as written (it then rejects ``e11.9``) and after ``strip().upper()``.
- diverse: a pool of 100k distinct strings, 80k codes drawn uniformly from all of
  ICD-10-CM and 20k one-edit typos of such codes (a substitution, deletion or insertion),
  sampled uniformly: ~100k distinct strings, ~20 % of rows invalid.

The file benchmark writes a ``--file-rows`` CSV (claim id, code type, code, amount; codes as
in the diverse workload plus CPT/HCPCS; 10 % of types left empty) under a temporary folder,
runs ``thce codes validate --file ... --type-column ... --output ...`` in a fresh process and
reports wall time and peak memory (from ``/usr/bin/time -v`` where present), then deletes it.
"""

from __future__ import annotations

import argparse
import csv
import gc
import gzip
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from thce.codes import CodeValidator, get_database  # noqa: E402
from thce.codes.database import load_database_file  # noqa: E402
from thce.resources import shipped_path  # noqa: E402

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def best(fn: Callable[[], object], repeat: int = 5) -> tuple[float, float]:
    """(min, median) seconds of ``fn()`` over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


# -- workloads ---------------------------------------------------------------------------------------
def repeated_workload(n: int, distinct: int, seed: int = 0) -> tuple[list[str], list[str]]:
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


def one_edit(code: str, rng: random.Random) -> str:
    """``code`` with one character substituted, deleted or inserted (never the dot)."""
    chars = list(code)
    i = rng.choice([k for k, ch in enumerate(chars) if ch != "."])
    roll = rng.random()
    if roll < 0.4:
        chars[i] = rng.choice(ALPHABET)
    elif roll < 0.7:
        del chars[i]
    else:
        chars.insert(i, rng.choice(ALPHABET))
    return "".join(chars)


def diverse_pool(seed: int = 0, codes: int = 80_000, typos: int = 20_000) -> list[str]:
    """80k codes drawn uniformly from all of ICD-10-CM plus 20k one-edit typos of codes."""
    rng = random.Random(seed)
    every = list(get_database("ICD10").codes())
    return rng.sample(every, codes) + [one_edit(rng.choice(every), rng) for _ in range(typos)]


def diverse_workload(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed + 1)
    pool = diverse_pool(seed)
    return [rng.choice(pool) for _ in range(n)]


# -- sections -------------------------------------------------------------------------------------------
def bench_loading() -> None:
    for name in ("icd10cm.json.gz", "cpt.json", "hcpcs.json"):
        path = shipped_path("code_databases", name)
        print(f"size {name:<16} {path.stat().st_size / 1e6:6.2f} MB")
    icd_path = shipped_path("code_databases", "icd10cm.json.gz")
    raw = len(gzip.decompress(icd_path.read_bytes()))
    print(f"size icd10cm (unzipped) {raw / 1e6:6.2f} MB")
    from thce.codes.database import _parse_json

    low, _ = best(lambda: _parse_json(icd_path))
    print(f"parse icd10cm.json.gz (gunzip + JSON): {low * 1000:.0f} ms; the marshal copy below:")
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
    for system in ("ICD10", "CPT", "HCPCS"):  # built once per process, on first batch use
        fresh = load_database_file(shipped_path("code_databases", db_file(system)), system)
        print(f"spelling index {system}: {timed(fresh.spellings) * 1000:.0f} ms (once)")
        get_database(system).spellings()


def db_file(system: str) -> str:
    return {"ICD10": "icd10cm.json.gz", "CPT": "cpt.json", "HCPCS": "hcpcs.json"}[system]


def bench_single(mixed: list[str]) -> None:
    distinct = list(dict.fromkeys(mixed))
    validator = CodeValidator()
    seconds = timed(lambda: [validator.validate(code) for code in distinct])
    print(
        f"single validate, uncached: {len(distinct) / seconds:,.0f} codes/s ({len(distinct)} distinct)"
    )
    valid = [c for c in distinct if validator.validate(c).is_valid]
    invalid = [c for c in distinct if not validator.validate(c).is_valid]
    for label, codes, read in (
        ("valid", valid, False),
        ("invalid, suggestions not read", invalid, False),
        ("invalid, suggestions read", invalid, True),
    ):
        fresh = CodeValidator()
        for warm in ("E11.99", "E11", "Z99.999"):  # databases and indexes outside the timing
            fresh.validate(warm).suggestions  # noqa: B018
        fresh.clear_cache()
        if read:
            seconds = timed(lambda f=fresh, c=codes: [f.validate(x).suggestions for x in c])
        else:
            seconds = timed(lambda f=fresh, c=codes: [f.validate(x) for x in c])
        print(
            f"  uncached, {label}: {len(codes) / seconds:,.0f} codes/s "
            f"({seconds / len(codes) * 1e6:.0f} us each, {len(codes)} codes)"
        )
    sample = mixed[:200_000]
    seconds = timed(lambda: [validator.validate(code) for code in sample])
    print(f"single validate, cached:   {len(sample) / seconds:,.0f} codes/s")


def bench_vs_peer(name: str, codes: list[str], repeat: int, normalised_peer: bool) -> None:
    """THCE and the peer on the same strings, interleaved; best of ``repeat``."""
    try:
        import simple_icd_10_cm as peer
    except ImportError:
        print("simple_icd_10_cm not installed: no peer comparison (pip install simple-icd-10-cm)")
        peer = None
    n = len(codes)
    times: dict[str, list[float]] = {}

    def run(label: str, fn: Callable[[], object]) -> object:
        gc.collect()
        started = time.perf_counter()
        out = fn()
        times.setdefault(label, []).append(time.perf_counter() - started)
        return out

    ours = peer_raw = None
    is_valid = peer.is_valid_item if peer is not None else None
    for _ in range(repeat):
        if is_valid is not None:
            peer_raw = run("peer", lambda: [is_valid(code) for code in codes])
            if normalised_peer:
                run("peer, strip().upper()", lambda: [is_valid(c.strip().upper()) for c in codes])
        validator = CodeValidator()
        ours = run(
            "THCE validate_batch, fresh validator",
            lambda v=validator: v.validate_batch(codes, "ICD10"),
        )
        run("THCE validate_batch, warm cache", lambda v=validator: v.validate_batch(codes, "ICD10"))
        run(
            "THCE is_valid_batch, fresh validator",
            lambda: CodeValidator().is_valid_batch(codes, "ICD10"),
        )
    invalid = sum(not r.is_valid for r in ours)
    print(
        f"{name}: {n:,} ICD-10-CM strings, {len(set(codes)):,} distinct, {invalid / n:.1%} invalid"
    )
    peer_time = min(times["peer"]) if peer is not None else None
    for label, values in times.items():
        low = min(values)
        ratio = f"  {peer_time / low:5.2f}x the peer" if peer_time else ""
        print(f"  {label:<40} {low:7.3f} s  {n / low / 1e6:6.2f} M codes/s{ratio}")
    if peer_raw is not None:
        agree = sum(a == r.is_valid for a, r in zip(peer_raw, ours, strict=True)) / n
        print(
            f"  THCE and the peer agree on {agree:.1%} (the peer accepts chapters such as '11' "
            "and rejects lower case and trailing dots)"
        )


def bench_file(rows: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="thce-bench-"))
    try:
        source, results = folder / "claims.csv", folder / "results.csv"
        started = time.perf_counter()
        write_claims(source, rows)
        size = source.stat().st_size
        print(
            f"file: generated {rows:,} rows, {size / 1e6:.0f} MB in {time.perf_counter() - started:.0f} s"
        )
        command = [
            sys.executable,
            "-m",
            "thce",
            "codes",
            "validate",
            "--file",
            str(source),
            "--column",
            "dx",
            "--type-column",
            "code_type",
            "--output",
            str(results),
            "--json",
        ]
        timer = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
        env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        started = time.perf_counter()
        done = subprocess.run(timer + command, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
        cpu = re.search(r"User time \(seconds\): ([\d.]+)", done.stderr)
        rss = f"{int(peak.group(1)) / 1024:.0f} MiB peak RSS" if peak else "peak RSS not measured"
        user = f", {float(cpu.group(1)):.1f} s user CPU" if cpu else ""
        summary = json.loads(done.stdout) if done.stdout.startswith("{") else {}
        with open(results, encoding="utf-8") as handle:
            written = sum(1 for _ in handle) - 1
        print(
            f"file: `thce codes validate --file` {rows:,} rows: {wall:.1f} s wall{user}, {rss}, "
            f"exit {done.returncode}, {written:,} result rows"
        )
        if summary:
            print(
                f"  {summary['rows']:,} rows, {summary['valid']:,} valid, "
                f"{summary['invalid']:,} invalid, {summary['non_billable']:,} non-billable; "
                f"{summary['seconds']:.1f} s inside the command"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_claims(path: Path, rows: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    icd = diverse_pool(seed)
    cpt = list(get_database("CPT").codes())
    hcpcs = list(get_database("HCPCS").codes())
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("claim_id", "code_type", "dx", "amount"))
        for i in range(rows):
            roll = rng.random()
            system, code = (
                ("ICD10", rng.choice(icd))
                if roll < 0.75
                else ("CPT", rng.choice(cpt))
                if roll < 0.9
                else ("HCPCS", rng.choice(hcpcs))
            )
            if rng.random() < 0.1:
                system = ""  # detected from the code
            writer.writerow((i + 1, system, code, f"{rng.random() * 500:.2f}"))


def bench_search() -> None:
    from thce.codes.bm25 import get_index, search

    print(f"search index build, ICD10: {timed(lambda: get_index('ICD10')):.2f} s")
    print(f"search index build, all systems (ICD10 reused): {timed(lambda: get_index(None)):.2f} s")
    query = "58 yo man with type 2 diabetes, no complications, on metformin, A1c 6.8"
    low, _ = best(lambda: search(query, "ICD10", top_k=10), repeat=20)
    print(f"search query (ICD10, narrative): {low * 1000:.1f} ms")


def bench_cold_cli(repeat: int = 7) -> None:
    """Best wall time of ``thce codes validate E11.9`` in a fresh interpreter."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    for label, command in (
        ("bare `python -c pass` (floor)", [sys.executable, "-c", "pass"]),
        (
            "`thce codes validate E11.9`",
            [sys.executable, "-m", "thce", "codes", "validate", "E11.9"],
        ),
    ):
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            done = subprocess.run(command, env=env, capture_output=True, check=False)
            times.append(time.perf_counter() - started)
        status = "" if done.returncode == 0 else f" (exit {done.returncode})"
        print(
            f"cold {label}: best {min(times):.2f} s, median {statistics.median(times):.2f} s{status}"
        )


def main() -> None:
    """Run the chosen measurements and print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="codes in each batch workload")
    parser.add_argument(
        "--distinct", type=int, default=5_000, help="distinct codes, repeated workload"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side-by-side timing")
    parser.add_argument(
        "--file-rows", type=int, default=1_000_000, help="rows of the generated CSV"
    )
    parser.add_argument(
        "--only", choices=["load", "single", "repeated", "diverse", "file", "search", "cli"]
    )
    for section in ("file", "search", "cli"):
        parser.add_argument(
            f"--skip-{section}", action="store_true", help=f"skip the {section} timing"
        )
    args = parser.parse_args()

    def wanted(section: str) -> bool:
        return args.only == section if args.only else not getattr(args, f"skip_{section}", False)

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    if wanted("load"):
        bench_loading()
    for system in ("ICD10", "CPT", "HCPCS"):
        get_database(system).spellings()  # loaded before timing, as the peer is imported
    if wanted("single") or wanted("repeated"):
        mixed, icd_only = repeated_workload(args.n, args.distinct)
        if wanted("single"):
            bench_single(mixed)
        if wanted("repeated"):
            bench_vs_peer("repeated workload", icd_only, args.repeat, normalised_peer=True)
    if wanted("diverse"):
        bench_vs_peer(
            "diverse workload", diverse_workload(args.n), args.repeat, normalised_peer=False
        )
    if wanted("file"):
        bench_file(args.file_rows)
    if wanted("search"):
        bench_search()
    if wanted("cli"):
        bench_cold_cli()


if __name__ == "__main__":
    main()
