"""After a person is erased: the log still verifies, their case still explains itself,
statistics and exports still render, the person shows as "đã xóa", their evidence answers
410 Gone, and replaying the log rebuilds every view exactly."""

from __future__ import annotations

from application.adapters.read_models import ReadModels
from application.ledger import Ledger
from application.settings import Settings
from tests.api.helpers import Api
from tests.api.test_explanations import granted_citizen


def test_after_erasure_everything_renders_and_a_replay_rebuilds_every_view(
    api: Api, ledger: Ledger, settings: Settings
):
    granted = granted_citizen(api)
    case = api.get("officer", f"/cases/{granted['case']}").json()
    person, evidence = case["subject_id"], case["evidence"][0]["evidence_id"]
    assert api.get("officer", f"/cases/{granted['case']}/evidence/{evidence}").status_code == 200
    erased = api.post("admin", f"/persons/{person}/erasure", {"reason": "Yêu cầu xóa"}, 200)
    position = erased.json()["position"]

    assert ledger.auditor.verify().ok
    shown = api.get("officer", f"/persons/{person}").json()
    assert shown["erased"] and shown["label"] == "đã xóa" and shown["details"] is None
    gone = api.get("officer", f"/cases/{granted['case']}/evidence/{evidence}", status=410)
    assert gone.headers["content-type"] == "application/problem+json"
    assert gone.json()["code"] == "evidence-erased"
    assert gone.json()["title"] == "Dữ liệu đã bị xóa vĩnh viễn"

    explained = api.get("officer", f"/cases/{granted['case']}/explanation").json()
    assert explained["subject_label"] == "đã xóa" and explained["outcome"] == "granted"
    page = api.get("officer", f"/cases/{granted['case']}/explanation.html").text
    assert "(đã xóa)" in page
    api.get("officer", f"/standings?wait_for_position={position}")
    for path in (
        "/statistics?cycle_year=2026",
        "/exports/standings.csv?cycle_year=2026",
        "/exports/register.xlsx?cycle_year=2026",
        "/exports/statistics.csv?cycle_year=2026",
        f"/register/subjects/{person}",
    ):
        api.get("officer", path)

    models = ReadModels(settings, ledger.store)
    try:
        models.initialise()
        models.catch_up()
        for projection in models.engine.projections.values():
            assert models.engine.check(projection) == [], projection.name
    finally:
        models.close()
