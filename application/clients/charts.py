"""The statistics page's charts: series from a statistics report, drawn as inline SVG.

:func:`statistics_charts` is pure: it turns the report the API and the exports already serve
(:func:`projections.statistics.queries.report`) into four bar charts. :func:`svg_bar_chart`
draws one as an accessible SVG element with no script and nothing fetched, so the page works
offline, prints, and reads on a phone (the drawing scales to its container).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from html import escape as _escape

from domain.glossary import TitleModel, label
from projections.statistics.queries import Line, Report

Number = int | Decimal


@dataclass(frozen=True)
class Bar:
    label: str
    values: tuple[Number, ...]


@dataclass(frozen=True)
class Chart:
    """Grouped horizontal bars: one group per ``bars`` item, one bar per ``series`` name."""

    title: str
    series: tuple[str, ...]
    bars: tuple[Bar, ...]
    unit: str = ""  # "%" for rates

    @property
    def empty(self) -> bool:
        return not any(v for bar in self.bars for v in bar.values)


@dataclass(frozen=True)
class StatisticsCharts:
    by_title: Chart
    by_group: Chart
    progress: Chart
    by_unit: Chart

    def all(self) -> tuple[Chart, ...]:
        return (self.by_title, self.by_group, self.progress, self.by_unit)


COUNTS = ("Đăng ký", "Được công nhận")


def scope_lines(report: Report, root_id: str | None) -> list[Line]:
    """The lines the figures are about: the chosen unit, or every top unit when none."""
    if root_id is not None:
        return [line for line in report.lines if line.unit_id == root_id]
    return [line for line in report.lines if line.parent_id is None]


def statistics_charts(
    report: Report, root_id: str | None, group_labels: Mapping[str, str] | None = None
) -> StatisticsCharts:
    """The four charts of a unit's statistics for a cycle (``root_id`` None: nationwide)."""
    scope = scope_lines(report, root_id)
    names = group_labels or {}

    def model_counts(model: str) -> tuple[int, int]:
        counts = [line.by_model.get(model, {}) for line in scope]
        return sum(c.get("registered", 0) for c in counts), sum(
            c.get("recognised", 0) for c in counts
        )

    by_title = tuple(
        Bar(label(m.value), model_counts(m.value))
        for m in TitleModel
        if report.model in (None, m.value)
    )
    groups = sorted({g for line in scope for g in line.by_group})
    by_group = tuple(
        Bar(
            names.get(g, g),
            (
                sum(line.by_group.get(g, {}).get("registered", 0) for line in scope),
                sum(line.by_group.get(g, {}).get("recognised", 0) for line in scope),
            ),
        )
        for g in groups
    )
    progress = tuple(
        Bar(
            label(p.model)
            + (
                f" ({', '.join(names.get(g, g) for g in p.target_groups)})"
                if p.target_groups
                else ""
            ),
            (p.target_rate, p.achieved_rate if p.achieved_rate is not None else Decimal(0)),
        )
        for p in report.progress
    )
    parents = {line.unit_id for line in scope}
    children = [line for line in report.lines if line.parent_id in parents]
    by_unit = tuple(Bar(line.name, (line.registered, line.recognised)) for line in children)
    return StatisticsCharts(
        Chart("Đăng ký và công nhận theo danh hiệu", COUNTS, by_title),
        Chart("Công dân học tập theo nhóm đối tượng", COUNTS, by_group),
        Chart(
            "Tiến độ so với mục tiêu của chương trình (%)", ("Mục tiêu", "Đã đạt"), progress, "%"
        ),
        Chart("Theo đơn vị trực thuộc", COUNTS, by_unit),
    )


#: Drawing sizes, in SVG user units (the element scales to the page's width).
WIDTH, LABEL_WIDTH, BAR, GAP, PAD = 720, 300, 14, 10, 4
COLOURS = ("#3b6ea5", "#e08a1e", "#4c9a5b", "#a34c8f")


def _text(value: Number, unit: str) -> str:
    if isinstance(value, Decimal):
        shown = f"{value:.2f}".rstrip("0").rstrip(".")
    else:
        shown = f"{value:,}".replace(",", ".")
    return shown.replace(".", ",", 1) if unit == "%" and isinstance(value, Decimal) else shown


def svg_bar_chart(chart: Chart) -> str:
    """The chart as an ``<svg>`` element; every label is escaped; empty charts say so."""
    if not chart.bars or chart.empty:
        return '<p class="chart-empty">Chưa có số liệu.</p>'
    largest = max(max(bar.values) for bar in chart.bars) or 1
    room = WIDTH - LABEL_WIDTH - 60
    group = len(chart.series) * (BAR + PAD) + GAP
    legend = 22
    height = legend + group * len(chart.bars)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img"'
        f' aria-label="{escape(chart.title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(chart.title)}</title>",
    ]
    for i, name in enumerate(chart.series):
        x = LABEL_WIDTH + i * 150
        parts.append(
            f'<rect x="{x}" y="4" width="12" height="12" fill="{COLOURS[i % len(COLOURS)]}"/>'
            f'<text x="{x + 16}" y="14" font-size="12">{escape(name)}</text>'
        )
    for row, bar in enumerate(chart.bars):
        top = legend + row * group
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{top + BAR}" font-size="12" text-anchor="end">'
            f"{escape(_short(bar.label))}<title>{escape(bar.label)}</title></text>"
        )
        for i, value in enumerate(bar.values):
            y = top + i * (BAR + PAD)
            length = round(room * float(value) / float(largest), 1)
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR}"'
                f' fill="{COLOURS[i % len(COLOURS)]}"><title>{escape(chart.series[i])}:'
                f" {_text(value, chart.unit)}{chart.unit}</title></rect>"
                f'<text x="{LABEL_WIDTH + length + 4}" y="{y + BAR - 3}" font-size="11">'
                f"{_text(value, chart.unit)}{chart.unit}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def escape(text: str) -> str:
    """Escaped for XML, without control or format characters (bidi overrides included): a
    unit's name never breaks the drawing nor reorders what is read around it."""
    kept = "".join(c for c in text if unicodedata.category(c) not in {"Cc", "Cf"})
    return _escape(unicodedata.normalize("NFC", kept))


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
