"""Server time of each page at the demo generator's province scale (30,000 cases), p50/p95.

    .venv/bin/python ops/bench/pages.py --var /tmp/bench-pages/var --scale 30000 --requests 30

The first run generates the province with ``hoctap demo generate`` into ``--var`` (SQLite;
minutes), signs a checkpoint over the whole log and folds every view; later runs on the same
``--var`` reuse all three. Nationwide accounts ``bench-inspector`` and ``bench-reporting`` are
added with a password. Then each page is requested ``--requests`` times in this process through
the ASGI app (Starlette's TestClient: no network, no proxy), signed in through the sign-in form
like a browser, and the time from request to full body is reported per page as median and
95th percentile (a page slower than a second is timed three times only). The machine is shared: read the figures as of one run, and rerun.

``--earlier-reads N`` first records N reads of the measured case's subject by
``bench-inspector`` (today's read trail, in saves of 500), as a busy day of reading would
leave it: a page that records a read shows what the trail's length costs it. The trail grows
with every run on the same ``--var`` (and with every request), so compare on copies.
"""

from __future__ import annotations

import argparse
import statistics
import time
from contextlib import ExitStack
from pathlib import Path
from uuid import UUID

from fastapi.testclient import TestClient

from api.app import create_app
from application.ledger import Ledger
from application.settings import Settings
from domain.access import UserAccount, user_id_for
from domain.assessment import AssessmentCase
from domain.base import CommandContext
from domain.glossary import Role
from ops.bench.scratch import generated_province
from projections.complaints.queries import listed as listed_complaints
from projections.standings.queries import list_cases

CONSOLE = CommandContext("cli:bench", Role.ADMINISTRATOR.value, "bench-pages")
PASSWORD = "bench-mat-khau-1"


def accounts(ledger: Ledger, unit_id: UUID, person_id: UUID) -> None:
    """One account per kind of reader the pages serve: nationwide inspector, reporting
    officer, complaint handler and administrator; a commune officer and a signer of the
    measured case's commune; the citizen whose case it is."""
    for username, role, unit, person in (
        ("bench-inspector", Role.INSPECTOR, None, None),
        ("bench-reporting", Role.REPORTING_OFFICER, None, None),
        ("bench-handler", Role.COMPLAINT_HANDLER, None, None),
        ("bench-admin", Role.ADMINISTRATOR, None, None),
        ("bench-officer", Role.COMMUNE_OFFICER, unit_id, None),
        ("bench-signer", Role.SIGNER, unit_id, None),
        ("bench-citizen", Role.CITIZEN, unit_id, person_id),
    ):
        if ledger.records.find(UserAccount, user_id_for(username)) is None:
            ledger.access.create_user(CONSOLE, username, [role], unit, person)
        ledger.signin.set_password(CONSOLE, user_id_for(username), PASSWORD, must_change=False)


def earlier_reads(ledger: Ledger, subject_id: UUID, count: int) -> None:
    """``count`` reads of ``subject_id`` by bench-inspector today, 500 to a save."""
    reader = CommandContext(str(user_id_for("bench-inspector")), Role.INSPECTOR.value, "bench")
    started = time.perf_counter()
    for done in range(0, count, 500):
        batch = [("person", subject_id)] * min(500, count - done)
        ledger.access.record_views(reader, batch, "bench: earlier reads")
    print(f"recorded {count:,} earlier reads in {time.perf_counter() - started:.1f} s")


def sign_in(client: TestClient, username: str) -> None:
    page = client.get("/trang/dang-nhap").text
    token = page.split('name="csrf" value="')[1].split('"')[0]
    answer = client.post(
        "/trang/dang-nhap",
        data={"csrf": token, "username": username, "password": PASSWORD, "next": "/trang"},
    )
    if answer.status_code != 303:
        raise SystemExit(f"sign-in of {username} failed: {answer.status_code}")


def timed(client: TestClient, path: str, requests: int) -> tuple[int, list[float]]:
    status, times = 0, []
    for _ in range(requests):
        started = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        status = answer.status_code
    return status, times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--var", type=Path, required=True)
    parser.add_argument("--scale", type=int, default=30_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--earlier-reads", type=int, default=0, metavar="N")
    args = parser.parse_args()
    generated_province(args.var, args.scale)
    settings = Settings(var_dir=args.var, projections_in_api=True)
    ledger = Ledger(settings)
    if not ledger.auditor.checkpoints.all():
        started = time.perf_counter()
        ledger.auditor.make_checkpoint(ledger.clock.now())
        print(f"signed a checkpoint in {time.perf_counter() - started:.0f} s")
    app = create_app(settings, ledger=ledger)
    started = time.perf_counter()
    app.state.read_models.catch_up()
    print(f"views caught up in {time.perf_counter() - started:.0f} s")
    engine = app.state.read_models.engine
    granted = list_cases(engine, status="granted", model="cong_dan_hoc_tap", limit=1).items[0]
    commune = {granted["unit_id"]}
    open_case = next(
        page.items[0]
        for status in ("reviewed", "self_assessed", "notice_posted", "appraised", "opened")
        if (page := list_cases(engine, unit_ids=commune, status=status, limit=1)).items
    )
    complaint = listed_complaints(engine, limit=1).items[0]["complaint_id"]
    accounts(ledger, UUID(granted["unit_id"]), UUID(granted["subject_id"]))
    if args.earlier_reads:
        case = ledger.records.get(AssessmentCase, UUID(granted["case_id"]))
        earlier_reads(ledger, case.subject_id, args.earlier_reads)
    app.state.read_models.catch_up()  # the accounts, for the names on the pages
    size = max(c.tree_size for c in ledger.auditor.checkpoints.all())
    events = ledger.store.recorder.max_notification_id() or 0
    print(
        f"{events:,} events, checkpoint of {size:,}; granted case {granted['case_id']},"
        f" open case {open_case['case_id']} ({open_case['status']}), complaint {complaint}"
    )
    case_page = f"/trang/ho-so/{granted['case_id']}"
    opened = f"/trang/ho-so/{open_case['case_id']}"
    audit = f"/trang/kiem-tra-ho-so/{granted['case_id']}"
    pages: list[tuple[str, str, str]] = [
        ("bench-reporting", "/trang", "start page"),
        ("bench-reporting", "/trang/nhat-ky", "public checkpoint"),
        ("bench-reporting", "/trang/kiem-tra?vi_tri=1", "public check, first event"),
        ("bench-reporting", f"/trang/kiem-tra?vi_tri={size}", "public check, last event"),
        ("bench-officer", "/trang/ho-so", "officer: worklist"),
        ("bench-officer", opened, "officer: a case in progress, with its next step"),
        ("bench-officer", case_page, "officer: a granted case"),
        ("bench-officer", "/trang/dang-ky", "officer: register a person or household"),
        ("bench-officer", "/trang/nhap-danh-sach", "officer: import a list"),
        ("bench-officer", "/trang/doi-mat-khau", "change of password"),
        ("bench-signer", "/trang/hang-doi", "signer: queue"),
        ("bench-citizen", "/trang/ho-so", "citizen: my cases"),
        ("bench-citizen", case_page, "citizen: my granted case"),
        ("bench-citizen", f"{case_page}/giay-chung-nhan", "citizen: certificate"),
        ("bench-citizen", f"{case_page}/giay-chung-nhan.pdf", "citizen: certificate PDF"),
        ("bench-citizen", f"{case_page}/chung-chi.json", "citizen: verifiable credential"),
        ("bench-handler", "/trang/khieu-nai", "complaint handler: complaints"),
        ("bench-handler", f"/trang/khieu-nai/{complaint}", "complaint handler: a complaint"),
        ("bench-inspector", "/trang/kiem-tra-ho-so", "inspector: decided cases"),
        ("bench-inspector", audit, "inspector: case audit"),
        ("bench-inspector", f"{audit}/goi-kiem-tra.json", "inspector: audit bundle"),
        ("bench-admin", "/trang/quan-tri/mat-khau", "administrator: passwords"),
        ("bench-reporting", "/trang/thong-ke?nam=2025&co_cau=two_level", "statistics, two-level"),
        ("bench-reporting", "/trang/thong-ke?nam=2025&co_cau=three_level", "statistics, 3-level"),
        ("bench-reporting", "/trang/thong-ke/tai/thong-ke.xlsx?nam=2025", "statistics XLSX"),
        ("bench-reporting", "/trang/thong-ke/tai/so-cong-nhan.csv?nam=2025", "register CSV"),
        ("bench-reporting", "/docs", "API docs (Swagger UI)"),
        ("bench-reporting", "/redoc", "API docs (ReDoc)"),
    ]
    users = sorted({username for username, _, _ in pages})
    clients = {username: TestClient(app) for username in users}
    with ExitStack() as stack:
        for username, client in clients.items():
            stack.enter_context(client)
            client.follow_redirects = False
            sign_in(client, username)
        print("\n| page | path | status | requests | p50 ms | p95 ms |\n|---|---|---|---|---|---|")
        for username, path, name in pages:
            client = clients[username]
            # warm: the process's caches (unit tree, templates, the certificate's fonts)
            _, warm = timed(client, path, 2)
            # a page over a second is timed 3 times: enough to say it is over, in a bench run
            status, times = timed(client, path, args.requests if warm[-1] < 1000 else 3)
            shown = path if len(path) < 60 else path[:57] + "…"
            print(
                f"| {name} | `{shown}` | {status} | {len(times)} |"
                f" {statistics.median(times):,.1f} | {percentile(times, 0.95):,.1f} |"
            )
    app.state.read_models.close()
    ledger.close()


if __name__ == "__main__":
    main()
