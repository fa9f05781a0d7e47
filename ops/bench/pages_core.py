"""Server time of the officer's, citizen's and queue pages on the demo province, p50/p95.

    .venv/bin/python ops/bench/pages_core.py --requests 30

The demo data (``make run``'s) is loaded into a fresh SQLite store under a temporary folder,
every view folded; each page is then requested ``--requests`` times through the ASGI app
(Starlette's TestClient: no network), signed in through the sign-in form, and the time from
request to full body is reported per page. This is the demo's scale (a few cases), not the
generator's province: ``ops/bench/pages.py`` times pages at that scale. The machine is shared:
read the figures as of one run, and rerun.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from application.clients.demo import demo_passwords, load_demo
from application.ledger import Ledger
from application.settings import Settings


def signed_in(app: object, username: str, password: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)  # type: ignore[arg-type]
    form = client.get("/trang/dang-nhap").text
    token = re.search(r'name="csrf" value="([0-9a-f]{64})"', form)
    assert token is not None
    data = {"csrf": token.group(1), "username": username, "password": password}
    assert client.post("/trang/dang-nhap", data=data).status_code == 303
    return client


def timed(client: TestClient, path: str, requests: int) -> tuple[float, float]:
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(store="sqlite", var_dir=Path(folder) / "var", environment="test")
        ledger = Ledger(settings)
        load_demo(ledger)
        passwords = {user: password for _, user, password in demo_passwords(ledger)}
        app = create_app(settings, ledger=ledger)
        with TestClient(app):
            app.state.read_models.catch_up()
            officer = signed_in(app, "demo-commune", passwords["demo-commune"])
            case = re.search(r'href="(/trang/ho-so/[0-9a-f-]{36})"', officer.get("/trang").text)
            assert case is not None
            pages = [
                ("demo-commune", "/trang", "officer: start page (worklist)"),
                ("demo-commune", case.group(1), "officer: case page"),
                ("demo-commune", "/trang/dang-ky", "officer: registration"),
                ("demo-citizen", "/trang", "citizen: my cases"),
                ("demo-reviewer", "/trang/hang-doi", "reviewer: queue"),
                ("demo-complaints", "/trang/hang-doi", "complaint handler: queue"),
            ]
            clients = {"demo-commune": officer}
            print(f"{'page':<34} {'p50 ms':>8} {'p95 ms':>8}")
            for username, path, name in pages:
                if username not in clients:
                    clients[username] = signed_in(app, username, passwords[username])
                p50, p95 = timed(clients[username], path, args.requests)
                print(f"{name:<34} {p50:>8.1f} {p95:>8.1f}")
        app.state.read_models.close()
        ledger.close()


if __name__ == "__main__":
    main()
