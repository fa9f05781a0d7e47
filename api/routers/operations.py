"""Health and metrics: how far behind the log each read model is."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Request, Response
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from api.read_schemas import Health, ProjectionHealth
from application.adapters.read_models import ReadModels
from application.ledger import Ledger

router = APIRouter(tags=["Vận hành"])


def _health(ledger: Ledger, models: ReadModels) -> Health:
    statuses = models.statuses(ledger.clock.now())
    threshold = ledger.settings.health_max_lag_seconds
    projections = [
        ProjectionHealth(
            name=s.name,
            generation=s.generation,
            position=s.position,
            lag_events=s.lag_events,
            lag_seconds=s.lag_seconds,
            stalled=s.lag_events > 0 and s.lag_seconds > threshold,
        )
        for s in statuses
    ]
    refused = ledger.auditor.refused
    return Health(
        status="degraded" if refused or any(p.stalled for p in projections) else "ok",
        signing_refused=str(refused) if refused else None,
        max_lag_seconds=threshold,
        backend=ledger.settings.backend,
        log_position=ledger.store.recorder.max_notification_id() or 0,
        projections=projections,
    )


@router.get("/health", summary="Tình trạng máy chủ và độ trễ mô hình đọc", response_model=Health)
def health(request: Request) -> Health:
    """The log position and each read model's lag (events and seconds behind).

    ``status`` is ``degraded`` when a read model's oldest unfolded event has waited longer
    than ``HOCTAP_HEALTH_MAX_LAG_SECONDS`` (its runner is stalled or dead). The answer stays
    HTTP 200 then: this process still takes commands, and a load balancer that took every
    API process out of rotation because the separate runner stopped would turn stale reads
    into a full outage. Alert on ``status`` or on ``hoctap_projection_stalled`` instead.

    ``status`` is ``degraded`` too, with ``signing_refused`` saying why, when this process
    last refused to sign a checkpoint because the log no longer verifies.
    """
    return _health(request.app.state.ledger, request.app.state.read_models)


class LagCollector(Collector):
    def __init__(self, ledger: Ledger, models: ReadModels) -> None:
        self.ledger, self.models = ledger, models

    def collect(self) -> Iterator[GaugeMetricFamily]:
        state = _health(self.ledger, self.models)
        position = GaugeMetricFamily("hoctap_log_position", "Last position in the event log")
        position.add_metric([], state.log_position)
        events = GaugeMetricFamily(
            "hoctap_projection_lag_events", "Events not yet folded", labels=["projection"]
        )
        seconds = GaugeMetricFamily(
            "hoctap_projection_lag_seconds",
            "Age of the oldest unfolded event",
            labels=["projection"],
        )
        stalled = GaugeMetricFamily(
            "hoctap_projection_stalled",
            "1 when the lag passed HOCTAP_HEALTH_MAX_LAG_SECONDS (health: degraded)",
            labels=["projection"],
        )
        for item in state.projections:
            events.add_metric([item.name], item.lag_events)
            seconds.add_metric([item.name], item.lag_seconds)
            stalled.add_metric([item.name], int(item.stalled))
        refused = GaugeMetricFamily(
            "hoctap_checkpoint_refused",
            "1 when the last checkpoint was not signed: the log did not verify (health: degraded)",
        )
        refused.add_metric([], int(state.signing_refused is not None))
        yield from (position, events, seconds, stalled, refused)


def metrics_registry(ledger: Ledger, models: ReadModels) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LagCollector(ledger, models))
    return registry


@router.get(
    "/metrics",
    summary="Số đo Prometheus",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}},
)
def metrics(request: Request) -> Response:
    """Prometheus metrics (text exposition format)."""
    body = generate_latest(request.app.state.metrics)
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")
