"""Rate of ``hoctap verify`` beside a raw read of the same columns, at several log sizes.

    .venv/bin/python ops/bench/verify_read.py --sizes 20000,200000 --rounds 3 --store postgres

Grows one scratch store (PostgreSQL schema or SQLite folder) to each size in turn with
synthetic events written through the chained recorder in batches of 1,000
(``ops.bench.scratch.grow``), signs a checkpoint, then per round times, in the same run:

* **raw**: one plain ``SELECT`` of the columns verify reads (the event's notification id,
  originator id and version, topic, state; its chain position and hash), events joined to
  their chain rows in log order, every row fetched and nothing else done with it;
* **paged**: the same rows read as ``ChainedEvent`` objects (``chained_events``: pages of
  2,000), as proofs, bundles and explanations read them (and verify did before 2d37015);
* **verify**: ``Auditor.verify(parallel=True)``, the check ``hoctap verify`` runs (chain,
  Merkle tree, checkpoints, tiles): pages of 2,000 read as tuples (``select_chained_rows``);
  on SQLite from 40,000 events, ranges checked in worker processes (``chain_workers``).

Prints the median rate of each and the median in-round ratio verify / raw, per size.
Goal (issue 17): verify >= 0.5 of raw, flat per event across sizes. The store is removed at
the end.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from application.adapters.audit import chained_events
from application.ledger import Ledger
from application.services.records import VIETNAM
from ops.bench.scratch import DEFAULT_URL, grow, scratch_settings


def raw_reader(ledger: Ledger, store: str) -> Callable[[], int]:
    """One plain SELECT of the columns verify reads, every row fetched."""
    recorder: Any = ledger.store.recorder
    events, chain = recorder.events_table_name, recorder.chain_table
    if store == "postgres":
        schema = recorder.datastore.schema
        query = (
            "SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, e.state,"
            f' c.position, c.hash FROM "{schema}"."{events}" e'
            f' JOIN "{schema}"."{chain}" c ON c.notification_id = e.notification_id'
            " ORDER BY e.notification_id"
        )
    else:
        query = (
            "SELECT e.rowid, e.originator_id, e.originator_version, e.topic, e.state,"
            f" c.position, c.hash FROM {events} e JOIN {chain} c ON c.notification_id = e.rowid"
            " ORDER BY e.rowid"
        )

    def read() -> int:
        count = 0
        with recorder.datastore.transaction(commit=False) as curs:
            curs.execute(query)
            fetch = getattr(curs, "sqlite_cursor", curs).fetchmany  # eventsourcing's wrapper
            while rows := fetch(2000):
                count += len(rows)
        return count

    return read


def rate(call: Callable[[], int]) -> tuple[float, int]:
    t0 = time.perf_counter()
    count = call()
    return count / (time.perf_counter() - t0), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,200000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--store", choices=("postgres", "sqlite"), default="postgres")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    with scratch_settings(args.store, args.url, "hoctap-verify-read-") as settings:
        ledger = Ledger(settings)
        try:
            measure(ledger, args.store, sizes, args.rounds)
        finally:
            ledger.close()


def measure(ledger: Ledger, store: str, sizes: list[int], rounds: int) -> None:
    results = []
    have = 0
    raw = raw_reader(ledger, store)

    def paged() -> int:
        return sum(1 for _ in chained_events(ledger.store))

    def verify() -> int:
        report = ledger.auditor.verify(parallel=True)  # as `hoctap verify` runs it
        assert report.ok, report.problem
        return report.events

    for size in sizes:
        t0 = time.perf_counter()
        grow(ledger, size - have, pad=200)
        have = size
        ledger.auditor.make_checkpoint(datetime.now(VIETNAM))
        print(f"{store}: grew to {have:,} events in {time.perf_counter() - t0:.0f} s")
        found: dict[str, list[float]] = {"raw": [], "paged": [], "verify": [], "ratio": []}
        for round_number in range(1, rounds + 1):
            r, n_raw = rate(raw)
            p, n_paged = rate(paged)
            v, n_verify = rate(verify)
            assert n_raw == n_paged == n_verify == have, (n_raw, n_paged, n_verify, have)
            for key, value in (("raw", r), ("paged", p), ("verify", v), ("ratio", v / r)):
                found[key].append(value)
            print(
                f"  round {round_number}: raw {r:,.0f} ev/s, paged {p:,.0f} ev/s,"
                f" verify {v:,.0f} ev/s, verify/raw {v / r:.2f}"
            )
        results.append((have, {k: statistics.median(v) for k, v in found.items()}))
    print()
    print(f"| events ({store}) | raw SELECT ev/s | paged read ev/s | verify ev/s | verify / raw |")
    print("|---|---|---|---|---|")
    for size, m in results:
        print(
            f"| {size:,} | {m['raw']:,.0f} | {m['paged']:,.0f} | {m['verify']:,.0f} |"
            f" {m['ratio']:.2f} |"
        )
    print(f"medians of {rounds} rounds; goal: verify / raw >= 0.5, flat across sizes")


if __name__ == "__main__":
    main()
