"""The complaint lists, GET /complaints and the page /trang/khieu-nai, come a page at a time:
following the cursor from the first page reaches every complaint once, in order, including
complaints received on the same day (the complaint id breaks the tie)."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any
from urllib.parse import quote

import pytest

from api.web import complaints as complaint_pages
from api.web import queues as queue_pages
from application.services.records import FixedClock
from tests.api.helpers import Api
from tests.api.pages import Visitor, give_password
from tests.api.test_complaints import complain, refused_citizen

#: Received on 2026-03-01, 03-01, 03-02, 03-02 and 03-03: ties and different days.
FILED_ON_DAYS = (0, 0, 1, 1, 2)


def five_complaints(api: Api, clock: FixedClock) -> list[str]:
    world = refused_citizen(api)
    start = clock.current
    ids = []
    for day in FILED_ON_DAYS:
        clock.current = start + timedelta(days=day)
        filed = complain(api, world, "2026-02-21")
        assert filed.status_code == 201, filed.text
        ids.append(filed.json()["id"])
    api.user("inspector", ["inspector"])
    return ids


def due_pages(api: Api, limit: int) -> list[list[dict[str, Any]]]:
    position = api.client.get("/health").json()["log_position"]
    pages: list[list[dict[str, Any]]] = []
    cursor = None
    while len(pages) < 20:
        query = f"/complaints?due_within_days=365&limit={limit}&wait_for_position={position}"
        page = api.get("inspector", query + (f"&cursor={quote(cursor)}" if cursor else "")).json()
        pages.append(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return pages
    raise AssertionError("paging never ends")


def test_the_complaints_due_are_paged_to_the_last_in_deadline_order(api: Api, clock):
    filed = five_complaints(api, clock)

    pages = due_pages(api, limit=2)

    assert [len(page) for page in pages] == [2, 2, 1]
    rows = [row for page in pages for row in page]
    assert sorted(row["complaint_id"] for row in rows) == sorted(filed)
    keys = [(row["next_deadline"], row["complaint_id"]) for row in rows]
    assert keys == sorted(keys)
    assert [row["complaint_id"] for row in due_pages(api, limit=500)[0]] == [
        row["complaint_id"] for row in rows
    ]


def test_a_last_page_that_is_full_has_no_next_page(api: Api, clock):
    five_complaints(api, clock)

    assert [len(page) for page in due_pages(api, limit=5)] == [5]


@pytest.mark.parametrize(
    "cursor",
    ["nonsense!", "WyJ4IiwgInkiXQ==", "WzEsIDJd", "bnVsbA==", "WyIyMDI2LTAzLTAxIl0="],
    ids=["not-base64", "not-a-date", "numbers", "null", "one-part"],
)
def test_a_cursor_that_names_no_complaint_is_refused(api: Api, clock, cursor: str):
    five_complaints(api, clock)

    refused = api.get("inspector", f"/complaints?cursor={cursor}", status=422).json()

    assert refused["code"] == "invalid-input" and "cursor" in str(refused["errors"])


def test_the_complaint_list_page_links_to_the_next_page_until_the_last(
    api: Api, clock, monkeypatch: pytest.MonkeyPatch
):
    filed = five_complaints(api, clock)
    monkeypatch.setattr(complaint_pages, "PAGE_SIZE", 2)
    give_password(api.ledger, "handler")
    handler = Visitor(api.client.app)
    assert handler.sign_in("handler").status_code == 303
    due_pages(api, limit=500)  # waits until the views have folded every complaint

    seen: list[str] = []
    path = "/trang/khieu-nai"
    for _ in range(10):
        page = handler.get(path).text
        assert ("← Về đầu danh sách" in page) == (path != "/trang/khieu-nai")
        listed = re.findall(r'href="/trang/khieu-nai/([0-9a-f-]{36})"', page)
        # each names the case it is about, as the standings view holds it
        assert page.count('data-label="Danh hiệu">Công dân học tập 2026</td>') == len(listed)
        seen += listed
        following = re.search(r'<a href="(\?tiep=[^"]+)">Trang sau', page)
        if following is None:
            break
        path = "/trang/khieu-nai" + unescape(following.group(1))
    assert sorted(seen) == sorted(filed) and len(seen) == len(filed)
    newest_first = [filed[4], *sorted(filed[2:4]), *sorted(filed[:2])]
    assert seen == newest_first
    assert handler.get("/trang/khieu-nai?tiep=nonsense!", status=None).status_code == 422


def test_the_complaint_queue_shows_the_soonest_due_and_says_when_more_wait(
    api: Api, clock, monkeypatch: pytest.MonkeyPatch
):
    """The handler's queue holds the complaints due soonest; when more are due than it shows,
    it says so and links to the paged list, and it says nothing when it shows them all."""
    filed = five_complaints(api, clock)
    give_password(api.ledger, "handler")
    handler = Visitor(api.client.app)
    assert handler.sign_in("handler").status_code == 303
    soonest = [row["complaint_id"] for row in due_pages(api, limit=500)[0]]
    note = "còn khiếu nại khác. Xem đủ ở"

    whole = handler.get("/trang/hang-doi").text
    monkeypatch.setattr(queue_pages, "QUEUE_SIZE", 2)
    cut = handler.get("/trang/hang-doi").text

    def listed(page: str) -> list[str]:
        return re.findall(r'href="/trang/khieu-nai/([0-9a-f-]{36})"', page)

    assert sorted(listed(whole)) == sorted(filed) and note not in whole
    assert listed(cut) == soonest[:2]
    assert f"Hiện 2 khiếu nại đến hạn sớm nhất; {note}" in cut
    assert 'href="/trang/khieu-nai">danh sách khiếu nại</a>' in cut
