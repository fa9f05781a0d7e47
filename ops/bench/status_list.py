"""Cost of one certificate status list (``GET /chung-chi/trang-thai/0``) beside its floors,
measured in the same run (the machine is shared: compare ratios).

    .venv/bin/python ops/bench/status_list.py --scale 5000 --rounds 7 --store postgres

Generates a province (``hoctap demo generate``) into a scratch store, folds the views, then
per round times:

* **select**: one plain ``SELECT *`` of every row of the register's ``title_changes`` (the
  rows a list may need, fetched and nothing else done);
* **sign**: an empty list of 131,072 bits compressed and signed (the fixed cost of any list);
* **list**: status list 0 as the route makes it: the query of the grants in its range with
  their later changes, each one's status, the bitstring, GZIP, base64url and the signature.

Prints the median of each in milliseconds and the median in-round ratio list / (select +
sign). The store is removed at the end.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from pathlib import Path
from tempfile import mkdtemp

import psycopg

from application.adapters.read_models import ReadModels
from application.clients.badges import Issuer, status_list_credential
from application.clients.generator import generate
from application.ledger import Ledger
from application.settings import Settings
from domain.verifiable import STATUS_LIST_BITS, encode_status_list
from projections.register.projection import Register
from projections.register.queries import status_changes

DEFAULT_URL = "postgresql://root@127.0.0.1:5432/test"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--store", choices=("postgres", "sqlite"), default="postgres")
    args = parser.parse_args()

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    var = Path(mkdtemp(prefix="hoctap-bench-"))
    if args.store == "postgres":
        settings = Settings(database_url=args.url, database_schema=schema, var_dir=var)
    else:
        settings = Settings(var_dir=var)
    ledger = Ledger(settings)
    models = ReadModels(settings, ledger.store)
    try:
        generate(ledger, args.scale)
        models.initialise()
        models.catch_up()
        engine = models.engine
        events = ledger.store.recorder.max_notification_id() or 0
        projection = Register()
        table = engine.qualified(projection, engine.ensure_live(projection), "title_changes")
        issuer = Issuer.of(ledger)
        base = "https://hoctap.example"
        changes = len(engine.store.fetch_all(f"SELECT * FROM {table}", []))
        grants = len(status_changes(engine, 0, STATUS_LIST_BITS))
        print(
            f"{events:,} events, {changes:,} title changes, {grants:,} grants in list 0"
            f" ({args.store}, scale {args.scale})"
        )
        timings: dict[str, list[float]] = {"select": [], "sign": [], "list": []}
        ratios: list[float] = []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            engine.store.fetch_all(f"SELECT * FROM {table}", [])
            t1 = time.perf_counter()
            issuer.secure({"encodedList": encode_status_list([])}, ledger.records.clock.now())
            t2 = time.perf_counter()
            found = status_changes(engine, 0, STATUS_LIST_BITS)
            status_list_credential(ledger, issuer, 0, found, base)
            t3 = time.perf_counter()
            for name, seconds in (("select", t1 - t0), ("sign", t2 - t1), ("list", t3 - t2)):
                timings[name].append(seconds * 1000)
            ratios.append((t3 - t2) / ((t1 - t0) + (t2 - t1)))
        print(f"| what ({args.store}, {events:,} events, {grants:,} grants) | median ms |")
        print("|---|---|")
        for name, values in timings.items():
            print(f"| {name} | {statistics.median(values):.1f} |")
        print(
            f"| ratio list / (select + sign), median in-round | {statistics.median(ratios):.2f} |"
        )
    finally:
        models.close()
        ledger.close()
        if args.store == "postgres":
            with psycopg.connect(args.url, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


if __name__ == "__main__":
    main()
