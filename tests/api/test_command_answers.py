"""A command's answer is serialised by ``views.recorded`` itself (no second validation by
FastAPI, no thread-pool hop for it): the same body, status and headers as the route declares."""

from __future__ import annotations

import inspect
import json
import uuid
from typing import Any

import anyio.to_thread
import pytest
from fastapi import Response
from fastapi.routing import APIRoute

from api import schemas, views
from api.routers import access, cases, complaints, criteria, decisions, registry, reports
from application.services.records import Recorded
from tests.api.helpers import Api

ROUTERS = (access, cases, complaints, criteria, decisions, registry, reports)


def test_the_answer_carries_the_model_the_status_and_the_endpoints_headers() -> None:
    given = Recorded(uuid.uuid4(), 7, 42)
    endpoint_response = Response()  # as FastAPI lends it: the endpoint may set headers on it
    endpoint_response.headers["Location"] = "/cases/x"

    answer = views.recorded(given, endpoint_response, status_code=201)

    assert answer.status_code == 201
    assert answer.media_type == "application/json"
    assert json.loads(answer.body) == {"id": str(given.id), "version": 7, "position": 42}
    assert schemas.Recorded.model_validate_json(answer.body) == schemas.Recorded(
        id=given.id, version=7, position=42
    )
    assert answer.headers["ETag"] == '"7"'
    assert answer.headers["X-Log-Position"] == "42"
    assert answer.headers["Location"] == "/cases/x"
    assert answer.headers.getlist("content-length") == [str(len(answer.body))]
    assert answer.headers.getlist("content-type") == ["application/json"]


def test_without_a_position_the_answer_says_null_and_sends_no_position_header() -> None:
    answer = views.recorded(Recorded(uuid.uuid4(), 1, None), Response())

    assert answer.status_code == 200
    assert json.loads(answer.body)["position"] is None
    assert "X-Log-Position" not in answer.headers


def test_every_route_answering_with_recorded_passes_the_status_its_decorator_declares() -> None:
    """A returned Response skips the route's ``status_code``: a route that creates (201)
    must pass it to ``views.recorded``, and one that does not must not."""
    routers = [module.router for module in ROUTERS] + [criteria.rules_router]
    checked = 0
    for route in (route for router in routers for route in router.routes):
        if not isinstance(route, APIRoute) or route.response_model is not schemas.Recorded:
            continue
        source = inspect.getsource(route.endpoint)
        if "views.recorded(" not in source:
            continue
        passes_201 = "status_code=201" in source.split("views.recorded(", 1)[1]
        assert passes_201 == (route.status_code == 201), route.path
        checked += 1
    assert checked >= 38


def test_over_http_a_creation_answers_201_and_a_revocation_200_with_the_models_body(
    api: Api,
) -> None:
    created = api.post("admin", "/users", {"username": "thu-ky", "roles": ["reviewer"]})
    assert created.status_code == 201, created.text
    assert created.headers["content-type"] == "application/json"
    body = created.json()
    assert set(body) == {"id", "version", "position"}
    assert created.headers["ETag"] == f'"{body["version"]}"'
    assert created.headers["X-Log-Position"] == str(body["position"])

    issued = api.post("admin", f"/users/{body['id']}/tokens", {}, status=201).json()
    revoked = api.post(
        "admin", f"/tokens/{issued['token_id']}/revocation", {"reason": "Nghỉ việc"}, status=None
    )
    assert revoked.status_code == 200, revoked.text
    assert set(revoked.json()) == {"id", "version", "position"}


def test_a_command_leaves_the_event_loop_to_authenticate_and_to_run_and_not_to_answer(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two hops to the thread pool, both for I/O: the token check and the endpoint. FastAPI
    validating the returned model in the pool was a third (docs/performance.md)."""
    user_id = api.post("admin", "/users", {"username": "thu-ky", "roles": ["reviewer"]}).json()
    token_id = api.post("admin", f"/users/{user_id['id']}/tokens", {}, status=201).json()
    hops: list[object] = []
    run_sync = anyio.to_thread.run_sync

    async def counted(func: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(func)
        return await run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    api.post(
        "admin",
        f"/tokens/{token_id['token_id']}/revocation",
        {"reason": "Nghỉ việc"},
        status=200,
    )

    names = [getattr(hop, "func", hop).__name__ for hop in hops]
    assert len(names) == 2, names  # the second is the endpoint (FastAPI wraps it)
    assert names[0] == "get_principal"
    assert "validate" not in names
