"""Paper certificates: the printable page with its QR code, and the public check it leads
to (no sign-in), on every backend, over real HTTP."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

import cv2
import numpy as np
import segno
from fastapi.testclient import TestClient

from api.web.certificates import qr_svg
from application.services.records import VIETNAM, FixedClock
from domain.assessment import AssessmentCase
from domain.certificates import certificate_serial
from tests.api.helpers import Api, revoke_by_amending_decision
from tests.api.pages import Visitor, give_password
from tests.api.test_explanations import granted_citizen

HOLDER = "Phạm Thị Lan"
_SERIAL = re.compile(r"Số: ([0-9A-Z]{5}(?:-[0-9A-Z]{5}){3})")


def folded(api: Api) -> None:
    position = api.ledger.store.recorder.max_notification_id() or 0
    assert api.client.app.state.read_models.engine.wait_for(position, 5.0, ["register"])


def decoded(payload: str) -> str:
    """What a phone reads from the QR code of ``payload`` (rendered to pixels, then decoded).

    OpenCV's classic detector misses some codes at some sizes: try a few sizes and both of
    its detectors, as a phone tries a few frames."""
    path = "/tmp/hoctap-certificate-qr.png"
    for scale in (4, 6, 8):
        segno.make(payload, error="m", micro=False).save(path, scale=scale, border=4)
        image = cv2.imread(path)
        assert isinstance(image, np.ndarray)
        for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
            text = detector.detectAndDecode(image)[0]
            if text:
                return str(text)
    return ""


def world_with_certificate(api: Api) -> dict[str, Any]:
    world = granted_citizen(api)
    folded(api)
    give_password(api.ledger, "lan")
    holder = Visitor(api.client.app)
    assert holder.sign_in("lan").status_code == 303
    case_page = holder.get(f"/trang/ho-so/{world['case']}").text
    assert f"/trang/ho-so/{world['case']}/giay-chung-nhan" in case_page
    page = holder.get(f"/trang/ho-so/{world['case']}/giay-chung-nhan").text
    found = _SERIAL.search(page)
    assert found, page[-800:]
    return world | {"serial": found.group(1), "page": page}


def test_the_holder_prints_a_certificate_whose_qr_code_leads_to_the_public_check(api: Api):
    world = world_with_certificate(api)
    page, serial = world["page"], world["serial"]
    assert serial == certificate_serial(world["case"], world["decision"])
    assert HOLDER in page and "15/QĐ-UBND" in page and "01/03/2026" in page
    assert "Chủ tịch UBND xã".upper() in page and "UBND xã Hòa Bình" in page
    assert "<svg" in page and "@page" in page
    url = f"http://testserver/xac-minh/{serial}"
    assert url in page
    assert qr_svg(url) in page  # the page's code is this payload's: decode it from pixels
    assert decoded(url) == url


def test_the_public_check_says_valid_with_initials_only_and_matches_the_name(api: Api):
    world = world_with_certificate(api)
    public = TestClient(api.client.app)  # no cookies, no token
    answer = public.get(f"/xac-minh/{world['serial']}")
    assert answer.status_code == 200
    assert "Còn hiệu lực" in answer.text and "P. T. L." in answer.text
    assert HOLDER not in answer.text and "Lan" not in answer.text
    assert "15/QĐ-UBND" in answer.text and "UBND xã Hòa Bình" in answer.text
    as_json = public.get(f"/xac-minh/{world['serial'].lower()}.json").json()
    assert as_json["status"] == "valid" and as_json["holder"] == "P. T. L."
    assert as_json["decision_number"] == "15/QĐ-UBND" and as_json["cycle_year"] == 2026
    accepted = public.get(
        f"/xac-minh/{world['serial'].replace('-', '')}", headers={"Accept": "application/json"}
    ).json()
    assert accepted["status"] == "valid"

    def said(**form: str) -> str:
        response = public.post(f"/xac-minh/{world['serial']}", data=form)
        assert response.status_code == 200
        assert HOLDER not in response.text and "1991" not in response.text
        return response.text

    assert "<strong>khớp</strong>" in said(ho_ten="  phạm THỊ   lan ")
    decomposed = "Pha\u0323m Thi\u0323 Lan"  # the same name typed as NFD
    assert "<strong>khớp</strong>" in said(ho_ten=decomposed)
    assert "không khớp" in said(ho_ten="Phạm Thị Mai")
    assert "<strong>khớp</strong>" in said(nam_sinh="1991")
    assert "không khớp" in said(nam_sinh="1992")
    assert "không khớp" in said(nam_sinh="١٩٩١")  # Arabic-Indic digits are no year
    matched = public.post(
        f"/xac-minh/{world['serial']}.json", data={"ho_ten": "Phạm Thị Lan"}
    ).json()
    assert matched["match"] is True and HOLDER not in str(matched)


def test_a_title_revoked_by_an_amending_decision_checks_as_revoked(api: Api):
    world = world_with_certificate(api)
    revoke_by_amending_decision(api, world, "Minh chứng sai")
    folded(api)
    answer = TestClient(api.client.app).get(f"/xac-minh/{world['serial']}")
    assert answer.status_code == 200 and "Đã thu hồi" in answer.text
    assert "Còn hiệu lực" not in answer.text
    data = TestClient(api.client.app).get(f"/xac-minh/{world['serial']}.json").json()
    assert (data["status"], data["revoked_from"]) == ("revoked", "2026-03-01")


def test_a_certificate_past_its_validity_checks_as_expired(api: Api, clock: FixedClock):
    world = world_with_certificate(api)
    valid_until = api.ledger.records.get(AssessmentCase, world["case"]).valid_until
    assert valid_until is not None
    clock.current = datetime.combine(valid_until, time(23, 0), VIETNAM)
    public = TestClient(api.client.app)
    assert public.get(f"/xac-minh/{world['serial']}.json").json()["status"] == "valid"
    clock.current += timedelta(hours=2)
    answer = public.get(f"/xac-minh/{world['serial']}")
    assert answer.status_code == 200 and "Hết hiệu lực" in answer.text


def test_unknown_and_hostile_serials_answer_not_found_never_500(api: Api):
    public = TestClient(api.client.app)
    unknown = public.get("/xac-minh/00000-00000-00000-00000")
    assert unknown.status_code == 404 and "Không tìm thấy" in unknown.text
    hostile = [
        "%00%01%1b",
        "١٢٣٤٥-١٢٣٤٥-١٢٣٤٥-١٢٣٤٥",
        "Ａ" * 20,
        "A" * 5000,
        "<script>alert(1)<script>",
        "' OR 1=1 --",
        "%F0%9F%98%80",
    ]
    for serial in hostile:
        answer = public.get(f"/xac-minh/{serial}")
        assert answer.status_code == 400, (serial, answer.status_code)
        assert "Không tìm thấy" in answer.text and "<script>alert" not in answer.text
        as_json = public.get(f"/xac-minh/{serial}.json")
        assert as_json.status_code == 400 and as_json.json()["status"] == "unknown"
    assert public.get("/xac-minh/<b>x</b>").status_code == 404  # a slash: no such page
    posted = public.post("/xac-minh/%00", data={"ho_ten": "x" * 10_000})
    assert posted.status_code == 400


def test_lookups_past_the_burst_are_refused_429_and_counted(api: Api):
    settings = api.client.app.state.settings
    settings.verify_burst, settings.verify_rate_per_second = 3, 0.01
    public = TestClient(api.client.app)
    answers = [public.get("/xac-minh/00000-00000-00000-00000").status_code for _ in range(5)]
    assert answers == [404, 404, 404, 429, 429]
    refused = public.get("/xac-minh/00000-00000-00000-00000")
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["status"] == 429 and int(refused.headers["Retry-After"]) >= 1
    metrics = api.client.get("/metrics").text
    assert 'hoctap_certificate_checks_total{outcome="unknown"} 3.0' in metrics
    assert 'hoctap_certificate_checks_total{outcome="rate_limited"} 3.0' in metrics
