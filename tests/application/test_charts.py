"""The statistics page's charts: series from a report, drawn as SVG that cannot carry markup."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest

from application.clients.charts import Bar, Chart, statistics_charts, svg_bar_chart
from projections.statistics.queries import Line, Progress, Report

CITIZEN, FAMILY = "cong_dan_hoc_tap", "gia_dinh_hoc_tap"
SVG = "{http://www.w3.org/2000/svg}"


def line(unit_id: str, parent: str | None, name: str, **by_model: tuple[int, int]) -> Line:
    counts = {
        m: {"registered": r, "assessed": r, "recognised": c} for m, (r, c) in by_model.items()
    }
    return Line(
        unit_id=unit_id,
        code=unit_id,
        name=name,
        level="x",
        parent_id=parent,
        registered=sum(r for r, _ in by_model.values()),
        recognised=sum(c for _, c in by_model.values()),
        by_model=counts,
    )


def province_report(progress: list[Progress] | None = None) -> Report:
    province = line("P", None, "Tỉnh", cong_dan_hoc_tap=(10, 6), gia_dinh_hoc_tap=(4, 1))
    province.by_group = {"hoc_sinh": {"registered": 7, "recognised": 5, "subjects": 20}}
    communes = [
        line("C1", "P", "Xã Một", cong_dan_hoc_tap=(6, 4), gia_dinh_hoc_tap=(4, 1)),
        line("C2", "P", "Xã Hai", cong_dan_hoc_tap=(4, 2)),
    ]
    village = line("V1", "C1", "Thôn A", cong_dan_hoc_tap=(6, 4))
    return Report(
        "two_level", date(2025, 7, 1), 2026, None, [province, *communes, village], progress or []
    )


def test_titles_count_the_scope_once_not_again_for_each_unit_below():
    charts = statistics_charts(province_report(), None)

    bars = {bar.label: bar.values for bar in charts.by_title.bars}
    assert bars["Công dân học tập"] == (10, 6)
    assert bars["Gia đình học tập"] == (4, 1)
    assert len(bars) == 5  # every title, even those with nothing yet


def test_units_are_the_ones_directly_below_the_chosen_unit():
    report = province_report()

    assert [b.label for b in statistics_charts(report, None).by_unit.bars] == ["Xã Một", "Xã Hai"]
    assert [b.values for b in statistics_charts(report, "C1").by_unit.bars] == [(6, 4)]
    assert statistics_charts(report, "C1").by_title.bars[0].values == (6, 4)


def test_target_groups_read_their_labels_and_progress_compares_target_with_achieved():
    target = Progress(CITIZEN, ("hoc_sinh",), 2026, Decimal("50"), "QĐ 677", None, 5, 20)
    never = Progress(FAMILY, (), 2026, Decimal("30"), "QĐ 387", None, 0, 0)

    charts = statistics_charts(province_report([target, never]), None, {"hoc_sinh": "Học sinh"})

    assert charts.by_group.bars == (Bar("Học sinh", (7, 5)),)
    assert charts.progress.bars == (
        Bar("Công dân học tập (Học sinh)", (Decimal("50"), Decimal("25.00"))),
        Bar("Gia đình học tập", (Decimal("30"), Decimal(0))),
    )


def test_a_report_filtered_to_one_title_charts_only_that_title():
    report = province_report()
    report.model = FAMILY

    assert [b.label for b in statistics_charts(report, None).by_title.bars] == ["Gia đình học tập"]


def test_the_largest_value_fills_the_room_and_the_others_are_in_proportion():
    chart = Chart("t", ("a", "b"), (Bar("x", (100, 50)), Bar("y", (25, 0))))

    widths = [
        float(r.get("width", 0))
        for r in ET.fromstring(svg_bar_chart(chart)).iter(f"{SVG}rect")
        if r.get("height") != "12"
    ]

    assert widths == [360.0, 180.0, 90.0, 0.0]


def test_a_chart_with_no_figures_says_so_instead_of_drawing_nothing():
    assert svg_bar_chart(Chart("t", ("a",), ())) == '<p class="chart-empty">Chưa có số liệu.</p>'
    assert "Chưa có số liệu" in svg_bar_chart(Chart("t", ("a",), (Bar("x", (0,)),)))


HOSTILE = [
    '<script>alert("x")</script>',
    "</text><foreignObject><iframe src='//evil'/></foreignObject>",
    "A & B \"quoted\" 'single'",
    "Xã Hòa\u0000Bình\u001b[31m",
    "Ủy ban nhân dân " * 200,
    "\u202eđảo chiều",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_unit_and_series_names_never_become_markup(name: str):
    chart = Chart(name, (name, "b"), (Bar(name, (3, 1)),))

    drawn = svg_bar_chart(
        chart.__class__(chart.title.replace("\u0000", ""), chart.series, chart.bars)
    )
    root = ET.fromstring(drawn.replace("\u0000", "").replace("\u001b", ""))

    assert {el.tag.removeprefix(SVG) for el in root.iter()} <= {"svg", "title", "rect", "text"}
    assert "<script" not in drawn and "<iframe" not in drawn and "<foreignObject" not in drawn
    assert "\u202e" not in drawn


def test_rates_read_with_a_decimal_comma_and_counts_with_thousands_dots():
    chart = Chart("t", ("a", "b"), (Bar("x", (Decimal("33.50"), Decimal("7"))),), "%")
    counts = Chart("t", ("a",), (Bar("x", (1234567,)),))

    assert ">33,5%<" in svg_bar_chart(chart) and ">7%<" in svg_bar_chart(chart)
    assert ">1.234.567<" in svg_bar_chart(counts)
