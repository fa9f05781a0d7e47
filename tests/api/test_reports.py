"""Reports sent upward: frozen at a cut-off, immutable once submitted, reproducible later."""

from __future__ import annotations

from application.services import figures as reporting
from tests.api.helpers import Api
from tests.api.test_reads import granted_world
from tests.api.test_scenario import open_citizen_case


def line_of(report: dict, unit: object) -> dict:
    return next(x for x in report["figures"] if x["unit_id"] == str(unit))


def test_a_submitted_report_stays_as_sent_reproduces_at_its_cut_off_and_is_corrected_by_a_new_edition(
    api: Api,
):
    # Given two decided cases in a commune, and the province's reporting officer
    world = granted_world(api)
    api.user("reporter", ["reporting_officer"], unit_id=world["province"])
    api.user("inspector", ["inspector"])
    api.get("reporter", f"/standings?wait_for_position={world['position']}")

    # When the officer compiles the province's 2026 report and submits it
    body = {"cycle_year": 2026, "unit_id": str(world["province"])}
    first = api.post("reporter", "/reports", body, status=201).json()
    submission = {"recipient": "Bộ GD&ĐT"}
    api.post("reporter", f"/reports/{first['id']}/submission", submission, status=200)
    sent = api.get("inspector", f"/reports/{first['id']}").json()

    # Then it holds the commune's figures, the log position they were read at, their digest
    commune = line_of(sent, world["commune"])
    assert (commune["registered"], commune["recognised"]) == (2, 2)
    assert sent["cut_off"] >= world["position"] and len(sent["digest"]) == 64
    assert (sent["submitted_to"], sent["edition"]) == ("Bộ GD&ĐT", 1)
    # and it is not sent twice
    again = api.post(
        "reporter", f"/reports/{first['id']}/submission", {"recipient": "Bộ"}, status=409
    )
    assert again.json()["code"] == "rule-violation"

    # When a late registration changes the figures
    late = api.created(
        "admin",
        "/persons",
        {
            "cccd": "001090000777",
            "full_name": "Lê Văn Muộn",
            "birth_date": "1980-05-06",
            "gender": "nam",
            "ethnicity": "Kinh",
            "target_group": "can_bo",
            "unit_id": str(world["commune"]),
        },
    )
    open_citizen_case(api, late, applicant="officer")
    position = api.client.get("/health").json()["log_position"]
    api.get("reporter", f"/standings?wait_for_position={position}")

    # Then the sent report still reproduces exactly from the log up to its cut-off
    proof = api.get("inspector", f"/reports/{first['id']}/reproduction").json()
    assert proof["matches"] and proof["recomputed_digest"] == sent["digest"]
    # and a corrected edition carries the new figures while the first stays as sent
    second = api.post(
        "reporter",
        f"/reports/{first['id']}/supersession",
        {"reason": "Bổ sung đăng ký muộn"},
        status=201,
    ).json()
    corrected = api.get("reporter", f"/reports/{second['id']}").json()
    assert (corrected["edition"], corrected["supersedes_id"]) == (2, first["id"])
    assert line_of(corrected, world["commune"])["registered"] == 3
    old = api.get("reporter", f"/reports/{first['id']}").json()
    assert old["superseded_by"] == second["id"] and old["figures"] == sent["figures"]


def test_reports_stay_within_the_reporting_officers_unit(api: Api):
    world = granted_world(api)
    api.user("commune_reporter", ["reporting_officer"], unit_id=world["commune"])
    api.user("province_reporter", ["reporting_officer"], unit_id=world["province"])
    province = {"cycle_year": 2026, "unit_id": str(world["province"])}
    refused = api.post("commune_reporter", "/reports", province, status=403).json()
    assert refused["code"] == "out-of-scope"
    own = api.post("province_reporter", "/reports", {"cycle_year": 2026}, status=201).json()
    assert api.get("province_reporter", f"/reports/{own['id']}").json()["unit_id"] == str(
        world["province"]
    )  # no unit named: the officer's own, never the whole country
    made = api.post("province_reporter", "/reports", province, status=201).json()
    hidden = api.get("commune_reporter", f"/reports/{made['id']}", status=403).json()
    assert hidden["code"] == "out-of-scope"


def test_figures_read_from_the_live_views_equal_a_fold_of_the_log(api: Api, monkeypatch):
    world = granted_world(api)
    api.user("reporter", ["reporting_officer"], unit_id=world["province"])
    api.get("reporter", f"/standings?wait_for_position={world['position']}")
    body = {"cycle_year": 2026, "unit_id": str(world["province"])}
    live = api.post("reporter", "/reports", body, status=201).json()
    monkeypatch.setattr(reporting, "LIVE_ATTEMPTS", 0)  # fold a scratch copy instead
    folded = api.post("reporter", "/reports", body, status=201).json()
    first, second = (api.get("reporter", f"/reports/{r['id']}").json() for r in (live, folded))
    assert second["figures"] == first["figures"] and second["digest"] == first["digest"]
    assert any(line["recognised"] for line in first["figures"])
