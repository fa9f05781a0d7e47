"""Rules added after the first review of the domain: majority votes, withdrawal dates,
leap-day validity and whole-number rule values."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.base import acting, ledger_id
from domain.decision import validity
from domain.errors import DateOutOfOrder, InvalidCriteriaSet, InvalidInput, UnitNotValid
from domain.glossary import UnitLevel
from domain.registry import AdministrativeUnit
from tests.domain.helpers import (
    ADMIN,
    APPRAISED_ON,
    CHAIR,
    CITIZEN,
    OPENED_ON,
    attach,
    case_at,
    establish,
    names,
    publish,
    recorded,
    refused,
    seed_content,
    when,
)


def test_a_recommendation_against_the_majority_of_votes_is_refused():
    story = case_at("council_formed")
    refused(
        InvalidInput,
        CHAIR,
        story.case.appraise,
        recommended=True,
        votes_for=0,
        votes_against=2,
        remarks=None,
        spec=story.spec,
        on=APPRAISED_ON,
        actor_conflicted=False,
        untouched=[story.case],
        says="kết luận của hội đồng phải theo đa số phiếu",
    )


def test_a_tied_vote_cannot_recommend():
    story = case_at("council_formed")
    refused(
        InvalidInput,
        CHAIR,
        story.case.appraise,
        recommended=True,
        votes_for=1,
        votes_against=1,
        remarks=None,
        spec=story.spec,
        on=APPRAISED_ON,
        actor_conflicted=False,
        untouched=[story.case],
        says="kết luận của hội đồng phải theo đa số phiếu",
    )


def test_a_withdrawal_dated_before_the_last_step_is_refused():
    story = case_at("opened")
    refused(
        DateOutOfOrder,
        CITIZEN,
        story.case.withdraw,
        "Chuyển nơi ở",
        date(2020, 1, 1),
        untouched=[story.case],
        says="ngày của bước này không được trước bước trước đó",
    )


def test_a_withdrawal_records_its_reason_and_date():
    story = case_at("opened")
    when(CITIZEN, story.case.withdraw, "Chuyển nơi ở", OPENED_ON)
    [event] = recorded(story.case)
    assert names([event]) == ["Withdrawn"]
    assert (event.reason, event.effective_date) == ("Chuyển nơi ở", OPENED_ON)


def test_a_title_granted_on_29_february_is_valid_until_28_february_next_year():
    assert validity(date(2024, 2, 29), 1) == (date(2024, 2, 29), date(2025, 2, 28))


@pytest.mark.parametrize("field", ["notice_days", "validity_years"])
def test_true_is_not_a_number_of_days_or_years(field: str):
    content = seed_content()
    content["rules"] |= {"public_notice_required": True, "notice_days": 10, field: True}
    with pytest.raises(InvalidCriteriaSet):
        publish(content)


@pytest.mark.parametrize("basis", ["", "   ", 1, ["Thông tư"], {"vi": "x"}])
def test_a_validity_basis_is_text_when_given(basis: object):
    content = seed_content()
    content["rules"]["validity_basis"] = basis
    with pytest.raises(InvalidCriteriaSet):
        publish(content)


def test_the_validity_basis_is_kept_as_published_and_absent_when_not_given():
    content = seed_content()
    content["rules"]["validity_basis"] = "  Thông tư 24/2023/TT-BGDĐT: có giá trị 3 năm "
    assert publish(content).spec.rules.validity_basis == (
        "Thông tư 24/2023/TT-BGDĐT: có giá trị 3 năm"
    )
    content["rules"].pop("validity_basis")
    assert publish(content).spec.rules.validity_basis is None


def test_evidence_cannot_be_attached_before_the_case_was_opened():
    story = case_at("opened")
    refused(
        DateOutOfOrder,
        CITIZEN,
        attach,
        story,
        9,
        ["1"],
        date(2024, 12, 1),
        OPENED_ON - timedelta(days=1),
        untouched=[story.case],
        says="ngày này không được trước ngày mở hồ sơ",
    )


def test_a_unit_that_had_already_ended_cannot_be_merged_later():
    province = establish("P", UnitLevel.PROVINCE, None)
    successor = establish("M", UnitLevel.COMMUNE, province, date(2025, 7, 1))
    with acting(ADMIN.context()):
        ended = AdministrativeUnit.establish(
            code="X",
            name="Xã cũ",
            level=UnitLevel.COMMUNE,
            unit_type="xa",
            parent=province,
            valid_from=date(2000, 1, 1),
            valid_to=date(2020, 12, 31),
        )
    ended.collect_events()
    refused(
        UnitNotValid,
        ADMIN,
        ended.merge_into,
        successor,
        date(2025, 7, 1),
        "NQ 2",
        untouched=[ended, successor],
        says="đơn vị không còn hiệu lực vào ngày trước khi sáp nhập",
    )


GOOD_DIGEST = "ab" * 32
BAD_DIGESTS = {
    "trailing newline": GOOD_DIGEST + "\n",
    "one short": GOOD_DIGEST[:-1],
    "one long": GOOD_DIGEST + "a",
    "upper case": GOOD_DIGEST.upper(),
    "Arabic-Indic digit": "١" + GOOD_DIGEST[1:],
    "fullwidth digit": "１" + GOOD_DIGEST[1:],
    "space": " " + GOOD_DIGEST[1:],
    "NUL": GOOD_DIGEST[:-1] + "\x00",
}


@pytest.mark.parametrize("digest", BAD_DIGESTS.values(), ids=BAD_DIGESTS.keys())
def test_evidence_whose_digest_is_not_64_lower_case_hex_digits_is_refused(digest):
    story = case_at("opened")
    error = refused(
        InvalidInput,
        CITIZEN,
        story.case.attach_evidence,
        evidence_id=ledger_id("test-evidence", 9),
        digest=digest,
        size=1024,
        media_type="application/pdf",
        kind="giay_xac_nhan",
        issuer="Trưởng thôn",
        issued_on=date(2024, 12, 1),
        indicators=["1"],
        spec=story.spec,
        on=OPENED_ON + timedelta(days=1),
        untouched=[story.case],
        says="mã băm SHA-256 hoặc kích thước không hợp lệ",
    )
    assert (error.message, error.details) == (
        "mã băm SHA-256 hoặc kích thước không hợp lệ",
        {"field": "digest"},
    )
