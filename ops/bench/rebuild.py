"""Rebuild rate of the read models beside the rate of merely reading and decoding the same
events, measured in the same run on PostgreSQL (the machine is shared: compare ratios).

    .venv/bin/python ops/bench/rebuild.py --scale 20000 --rounds 3

It generates a province (``hoctap demo generate``) into a scratch schema, then per round
reads and decodes every event in pages of 1,000 and rebuilds every projection from zero, and
prints the medians and the median in-round ratio. The goal is a rebuild at no less than a
third of the read-and-decode rate.
"""

from __future__ import annotations

import argparse
import statistics
import time

from application.adapters.read_models import ReadModels
from application.clients.generator import generate
from application.ledger import Ledger
from ops.bench.scratch import DEFAULT_URL, scratch_settings


def read_and_decode(ledger: Ledger) -> int:
    count, start = 0, 0
    while items := ledger.store.recorder.select_notifications(
        start=start, limit=1000, inclusive_of_start=False
    ):
        for item in items:
            ledger.store.mapper.to_domain_event(item)
        count += len(items)
        start = items[-1].id
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--store", choices=("postgres", "sqlite"), default="postgres")
    args = parser.parse_args()

    with scratch_settings(args.store, args.url, "hoctap-bench-") as settings:
        ledger = Ledger(settings)
        models = ReadModels(settings, ledger.store)
        try:
            measure(ledger, models, args)
        finally:
            models.close()
            ledger.close()


def measure(ledger: Ledger, models: ReadModels, args: argparse.Namespace) -> None:
    started = time.perf_counter()
    generate(ledger, args.scale)
    events = ledger.store.recorder.max_notification_id() or 0
    print(
        f"generated {events:,} events in {time.perf_counter() - started:.1f} s"
        f" ({args.store}, scale {args.scale})"
    )
    models.initialise()
    names = list(models.engine.projections)
    reads: list[float] = []
    rates: dict[str, list[float]] = {name: [] for name in names}
    ratios: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(1, args.rounds + 1):
        t0 = time.perf_counter()
        read = read_and_decode(ledger)
        reads.append(read / (time.perf_counter() - t0))
        line = [f"round {round_number}: read+decode {reads[-1]:,.0f} ev/s"]
        for name in names:
            t1 = time.perf_counter()
            models.engine.rebuild(models.engine.projections[name])
            rates[name].append(events / (time.perf_counter() - t1))
            ratios[name].append(rates[name][-1] / reads[-1])
            line.append(f"{name} {rates[name][-1]:,.0f}")
        print(", ".join(line))
    print()
    print(f"| what ({args.store}, {events:,} events) | median ev/s | ratio to read+decode |")
    print("|---|---|---|")
    print(f"| read and decode every event | {statistics.median(reads):,.0f} | 1.00 |")
    for name in names:
        print(
            f"| rebuild {name} | {statistics.median(rates[name]):,.0f} |"
            f" {statistics.median(ratios[name]):.2f} |"
        )
    print("goal: each rebuild >= 0.33 of read+decode")


if __name__ == "__main__":
    main()
