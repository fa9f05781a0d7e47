"""Rate of ``hoctap verify`` beside the raw SHA-256 rate over the same bytes, in one run.

    .venv/bin/python ops/bench/verify.py --scale 10000 --rounds 3 [--store sqlite]

Generates a province into a scratch PostgreSQL schema (or SQLite folder), then per round:
(a) hashes every event's canonical leaf bytes with hashlib.sha256 alone, from memory (the
floor: what hashing costs with no reading and no checking), and (b) runs the full
verification (read the log and its chain in pages, recompute and compare every chain hash,
then check the checkpoints). Prints medians and the median in-round ratio. Goal: >= 0.5.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import time
from datetime import datetime

from application.adapters.audit import chained_events
from application.clients.generator import generate
from application.ledger import Ledger
from application.services.records import VIETNAM
from domain.integrity import leaf_bytes
from ops.bench.scratch import DEFAULT_URL, scratch_settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--store", choices=("postgres", "sqlite"), default="postgres")
    args = parser.parse_args()
    with scratch_settings(args.store, args.url, "hoctap-verify-") as settings:
        ledger = Ledger(settings)
        try:
            measure(ledger, args)
        finally:
            ledger.close()


def measure(ledger: Ledger, args: argparse.Namespace) -> None:
    generate(ledger, args.scale)
    ledger.auditor.make_checkpoint(datetime.now(VIETNAM))
    leaves = [
        leaf_bytes(
            r.position or 0,
            r.originator_id or "",
            r.version or 0,
            r.topic or "",
            r.state or b"",
        )
        for r in chained_events(ledger.store)
    ]
    size = sum(len(leaf) for leaf in leaves)
    print(f"{len(leaves):,} events, {size / 1e6:.1f} MB of leaf bytes ({args.store})")
    raw_rates, read_rates, verify_rates = [], [], []
    ratios, read_ratios = [], []
    for round_number in range(1, args.rounds + 1):
        t0 = time.perf_counter()
        for leaf in leaves:
            hashlib.sha256(leaf).digest()
        raw = len(leaves) / (time.perf_counter() - t0)
        t1 = time.perf_counter()
        for r in chained_events(ledger.store):
            leaf = leaf_bytes(
                r.position or 0,
                r.originator_id or "",
                r.version or 0,
                r.topic or "",
                r.state or b"",
            )
            hashlib.sha256(leaf).digest()
        read = len(leaves) / (time.perf_counter() - t1)
        t2 = time.perf_counter()
        report = ledger.auditor.verify()
        assert report.ok, report.problem
        full = len(leaves) / (time.perf_counter() - t2)
        raw_rates.append(raw)
        read_rates.append(read)
        verify_rates.append(full)
        ratios.append(full / raw)
        read_ratios.append(full / read)
        print(
            f"round {round_number}: sha256 in memory {raw:,.0f} ev/s,"
            f" read + sha256 {read:,.0f} ev/s, verify {full:,.0f} ev/s"
        )
    print()
    print(f"| what ({args.store}, {len(leaves):,} events) | median ev/s | verify / this |")
    print("|---|---|---|")
    print(
        f"| SHA-256 over the leaf bytes, already in memory |"
        f" {statistics.median(raw_rates):,.0f} | {statistics.median(ratios):.2f} |"
    )
    print(
        f"| read the log and SHA-256 each leaf once |"
        f" {statistics.median(read_rates):,.0f} | {statistics.median(read_ratios):.2f} |"
    )
    print(
        f"| hoctap verify (chain, Merkle tree, checkpoints) |"
        f" {statistics.median(verify_rates):,.0f} | 1.00 |"
    )
    print("goal: verify >= 0.5 of raw SHA-256 over the same bytes")


if __name__ == "__main__":
    main()
