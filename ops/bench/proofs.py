"""Inclusion and consistency proof latency from Merkle tiles, beside the log scan they replace.

    .venv/bin/python ops/bench/proofs.py --sizes 10000,100000,1000000 --store sqlite

Grows one scratch store (SQLite folder or PostgreSQL schema) to each size in turn with
synthetic events written through the chained recorder in batches of 1,000 (each batch's
chain rows and tiles in its transaction, as every save), then at each size times, in the
same run:

* **tiles**: ``Auditor.inclusion(p, size)`` at ``--requests`` random positions and
  ``Auditor.consistency(m, size)`` from random earlier sizes (what ``GET /audit/proofs/*``
  serve), reading O(log n) tile rows;
* **scan**: the same calls with the tiles hidden, so they fall back to one pass over the log
  (what every proof cost before tiles); only up to ``--scan-max`` events, with fewer
  requests (``--scan-requests``), since each takes seconds at 10^5;
* **append**: single-event appends through the recorder with and without the tile upkeep
  (interleaved, same store), the upkeep's cost per append.

Prints p50 and p99 per size (p99 of a handful of scan requests is their maximum) and the
median scan/tiles ratio. The scratch store is removed at the end.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any
from uuid import uuid4

from eventsourcing.persistence import StoredEvent

from application.adapters.audit import Auditor
from application.ledger import Ledger
from application.settings import Settings
from ops.bench.scratch import DEFAULT_URL, grow, scratch_settings


class _NoTiles:
    """Tiles that describe nothing: proofs fall back to scanning the log."""

    def covering(self, size: int, keys: object) -> None:
        return None


class ScanningAuditor(Auditor):
    """The auditor as it was before tiles: every proof is one pass over the log."""

    @property
    def tiles(self) -> Any:
        return _NoTiles()


def timed(calls: Sequence[Callable[[], object]]) -> list[float]:
    """Milliseconds per call."""
    found = []
    for call in calls:
        t0 = time.perf_counter()
        call()
        found.append((time.perf_counter() - t0) * 1000)
    return found


def p50_p99(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def proofs(
    auditor: Auditor, size: int, requests: int, rng: random.Random
) -> dict[str, list[float]]:
    inclusion = [partial(auditor.inclusion, rng.randint(1, size), size) for _ in range(requests)]
    consistency = [
        partial(auditor.consistency, rng.randint(1, size), size) for _ in range(requests)
    ]
    return {"inclusion": timed(inclusion), "consistency": timed(consistency)}


def appends(ledger: Ledger, count: int) -> dict[str, list[float]]:
    """Single-event appends, alternating with and without the tile upkeep."""
    recorder: Any = ledger.store.recorder
    tiles = recorder.tiles
    upkeep = tiles.append_in
    found: dict[str, list[float]] = {"with tiles": [], "without tiles": []}

    def one() -> None:
        recorder.insert_events([StoredEvent(uuid4(), 1, "bench.Synthetic", b'{"n": 0}')])

    for _ in range(count):
        tiles.append_in = upkeep
        found["with tiles"] += timed([one])
        tiles.append_in = lambda curs, chain_size, leaves, stored=None: False  # the upkeep skipped
        found["without tiles"] += timed([one])
        tiles.append_in = upkeep
        ledger.auditor.catch_up_tiles()  # the skipped leaf: tiles in step again (O(1) here)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--scan-max", type=int, default=100_000)
    parser.add_argument("--scan-requests", type=int, default=5)
    parser.add_argument("--appends", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    rng = random.Random(args.seed)
    with scratch_settings(args.store, args.url, "hoctap-proofs-") as settings:
        ledger = Ledger(settings)
        try:
            measure(ledger, settings, args, sizes, rng)
        finally:
            ledger.close()


def measure(
    ledger: Ledger,
    settings: Settings,
    args: argparse.Namespace,
    sizes: list[int],
    rng: random.Random,
) -> None:
    scanning = ScanningAuditor(
        ledger.store, settings.signing_seed(), ledger.auditor.checkpoints, settings.log_origin
    )
    rows = []
    have = 0
    for size in sizes:
        t0 = time.perf_counter()
        grow(ledger, size - have)
        have = ledger.auditor.tiles.size()
        print(f"{args.store}: grew to {have:,} events in {time.perf_counter() - t0:.0f} s")
        fast = proofs(ledger.auditor, have, args.requests, rng)
        slow = proofs(scanning, have, args.scan_requests, rng) if have <= args.scan_max else {}
        for kind, samples in fast.items():
            p50, p99 = p50_p99(samples)
            scan = slow.get(kind)
            s50, s99 = p50_p99(scan) if scan else (float("nan"), float("nan"))
            rows.append((have, kind, p50, p99, s50, s99, len(samples), len(scan or [])))
            print(f"  {kind}: tiles p50 {p50:.2f} ms p99 {p99:.2f} ms; scan p50 {s50:.0f} ms")
        upkeep = appends(ledger, args.appends)
        w50, w99 = p50_p99(upkeep["with tiles"])
        o50, o99 = p50_p99(upkeep["without tiles"])
        rows.append((have, "append", w50, w99, o50, o99, args.appends, args.appends))
        print(f"  append: with tiles p50 {w50:.3f} ms, without {o50:.3f} ms")
        have = ledger.auditor.tiles.size()
    print()
    print(f"| events ({args.store}) | proof | tiles p50 ms | tiles p99 ms |"
          " scan p50 ms | scan p99 ms | scan / tiles (p50) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for size, kind, p50, p99, s50, s99, n, m in rows:
        if kind == "append":
            continue
        ratio = f"{s50 / p50:,.0f}×" if m else "-"
        scanned = f"{s50:,.0f} | {s99:,.0f} (n={m})" if m else "- | -"
        print(f"| {size:,} | {kind} | {p50:.2f} | {p99:.2f} (n={n}) | {scanned} | {ratio} |")
    print()
    print("| events | append p50 with tiles ms | without ms | upkeep per append ms |")
    print("|---|---|---|---|")
    for size, kind, p50, _, s50, _, _, _ in rows:
        if kind == "append":
            print(f"| {size:,} | {p50:.3f} | {s50:.3f} | {p50 - s50:+.3f} |")


if __name__ == "__main__":
    main()
