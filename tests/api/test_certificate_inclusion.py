"""The public check proves the grant is in the log: its inclusion in the latest signed
checkpoint, checked by the page from the event as stored now, with the audit path for anyone
to check again; pending before the next signing; a rewritten grant fails the check."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from application.services.records import VIETNAM
from domain.integrity import verify_inclusion
from tests.api.helpers import Api
from tests.api.test_certificates import world_with_certificate
from tests.application.test_tamper import RawLog


def public_json(api: Api, serial: str) -> dict:
    answer = TestClient(api.client.app).get(f"/xac-minh/{serial}.json")
    assert answer.status_code == 200, answer.text
    return answer.json()


def public_page(api: Api, serial: str) -> str:
    answer = TestClient(api.client.app).get(f"/xac-minh/{serial}")
    assert answer.status_code == 200, answer.text
    return answer.text


def sign(api: Api) -> None:
    api.ledger.auditor.make_checkpoint(datetime(2026, 3, 2, 10, tzinfo=VIETNAM))


def test_the_grant_is_pending_until_signed_then_its_proof_is_checked_and_given(api: Api):
    world = world_with_certificate(api)
    before = public_json(api, world["serial"])["inclusion"]
    assert before["checkpoint"] is None and before["proof_holds"] is None
    assert "sẽ có bằng chứng sau lần ký tiếp theo" in public_page(api, world["serial"])

    sign(api)
    found = public_json(api, world["serial"])["inclusion"]
    assert found["proof_holds"] is True
    checkpoint = found["checkpoint"]
    assert 1 <= found["position"] <= checkpoint["tree_size"]
    assert checkpoint["witnesses"] == []  # none configured here: the page says so
    # anyone can check the proof again from what the answer gives
    assert verify_inclusion(
        found["position"] - 1,
        checkpoint["tree_size"],
        bytes.fromhex(found["leaf_hash"]),
        [bytes.fromhex(h) for h in found["audit_path"]],
        bytes.fromhex(checkpoint["root_hash"]),
    )
    page = public_page(api, world["serial"])
    assert "bằng chứng đã được kiểm tra khớp" in page
    assert "chưa có nhân chứng đồng ký" in page
    assert f"/trang/kiem-tra?vi_tri={found['position']}" in page


def test_a_grant_rewritten_after_signing_fails_the_check_on_the_public_page(api: Api):
    if api.ledger.settings.backend == "memory":
        pytest.skip("the in-memory store has no stored rows to rewrite behind the ledger")
    world = world_with_certificate(api)
    sign(api)
    raw = RawLog(api.ledger.settings)
    [[grant]] = raw.run(
        f"SELECT {raw.id} FROM {raw.events} WHERE topic = ? ORDER BY {raw.id} DESC LIMIT 1",
        ("hoctap.AssessmentCase.TitleGranted",),
    )
    state = raw.state(int(grant))
    raw.set_state(int(grant), state.replace(b"2027", b"2029"))  # the validity, lengthened
    assert raw.state(int(grant)) != state

    found = public_json(api, world["serial"])["inclusion"]
    assert found["proof_holds"] is False
    assert "KHÔNG khớp với điểm kiểm đã ký" in public_page(api, world["serial"])
