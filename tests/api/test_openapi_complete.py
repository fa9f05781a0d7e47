"""The OpenAPI schema alone is enough to call the API: every operation has a summary of its
own, every request body property, form field and parameter a description and an example
that validates against the schema it documents, every header its format, every error its
problem types. This fails the day a new route or field forgets any of it."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from api.app import create_app
from api.deps import if_match
from api.provinces import create_national_app
from tests.conftest import make_settings

Json = dict[str, Any]


@pytest.fixture(scope="module", params=("one-store", "provinces"))
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """The single-store API, and the national app of a deployment of provinces (its own
    routes: each province's mounted app is the single-store API)."""
    var = Path(tmp_path_factory.mktemp("var"))
    if request.param == "one-store":
        return create_app(make_settings("memory", var))
    file = var / "tinh.json"
    file.write_text('{"provinces": [{"code": "01", "name": "Hà Nội"}]}', encoding="utf-8")
    settings = make_settings("memory", var).model_copy(update={"provinces_file": file})
    return create_national_app(settings)


@pytest.fixture(scope="module")
def schema(app: FastAPI) -> Json:
    return app.openapi()


@pytest.fixture(scope="module")
def one_store_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """For what only the single-store API has (If-Match writes, the evidence upload)."""
    return create_app(make_settings("memory", Path(tmp_path_factory.mktemp("var"))))


@pytest.fixture(scope="module")
def one_store_schema(one_store_app: FastAPI) -> Json:
    return one_store_app.openapi()


def operations(schema: Json) -> Iterator[tuple[str, Json]]:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def resolved(schema: Json, node: Json) -> Json:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def properties(schema: Json, node: Json, seen: set[str]) -> Iterator[tuple[str, str, Json]]:
    """Every (model, property, its schema) reachable from a request body, once per model."""
    name = node.get("$ref", "")
    if name in seen:
        return
    seen.add(name)
    node = resolved(schema, node)
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in node.get(key, []):
            yield from properties(schema, branch, seen)
    if "items" in node:
        yield from properties(schema, node["items"], seen)
    if isinstance(node.get("additionalProperties"), dict):
        yield from properties(schema, node["additionalProperties"], seen)
    for prop, prop_schema in node.get("properties", {}).items():
        yield node.get("title", "?"), prop, prop_schema
        yield from properties(schema, prop_schema, seen)


def request_properties(schema: Json) -> Iterator[tuple[str, str, Json]]:
    for name, operation in operations(schema):
        for media in operation.get("requestBody", {}).get("content", {}).values():
            for model, prop, prop_schema in properties(schema, media["schema"], set()):
                yield f"{name} {model}.{prop}", media["schema"], prop_schema


def examples_of(node: Json) -> list[Any]:
    found = list(node.get("examples", []))
    if "example" in node:
        found.append(node["example"])
    return found


def validator(schema: Json, node: Json) -> Any:
    rooted = {**copy.deepcopy(node), "components": schema["components"]}
    return jsonschema_rs.Draft202012Validator(rooted, validate_formats=True)


def api_routes(app: FastAPI) -> Iterator[APIRoute]:
    for context in iter_route_contexts(app.routes):  # type: ignore[arg-type]
        if isinstance(context.original_route, APIRoute):
            yield context.original_route


def test_every_operation_has_a_summary_of_its_own_and_a_tag(app: FastAPI, schema: Json):
    """FastAPI makes a summary from the function name ("Read Case"): that one is not ours."""
    generated = {route.name.replace("_", " ").title() for route in api_routes(app)}
    assert ("Read Case" if app.title == "Hoctap Ledger" else "Province List") in generated
    missing = [
        name
        for name, operation in operations(schema)
        if not operation.get("summary") or operation["summary"] in generated
    ]
    assert missing == []
    assert [name for name, operation in operations(schema) if not operation.get("tags")] == []


def test_every_request_body_property_and_form_field_has_a_description_and_an_example(
    schema: Json,
):
    missing = [
        where
        for where, _, node in request_properties(schema)
        if not (node.get("description") or resolved(schema, node).get("description"))
        or not examples_of(node)
    ]
    assert missing == []


def test_every_parameter_has_a_description_and_an_example(schema: Json):
    missing = [
        f"{name} {parameter['in']} {parameter['name']}"
        for name, operation in operations(schema)
        for parameter in operation.get("parameters", [])
        if not parameter.get("description")
        or not (examples_of(parameter) or examples_of(parameter.get("schema", {})))
    ]
    assert missing == []


def test_every_example_validates_against_the_schema_it_documents(schema: Json):
    wrong = []
    for where, _, node in request_properties(schema):
        for example in examples_of(node):
            errors = [e.message for e in validator(schema, node).iter_errors(example)]
            if errors:
                wrong.append(f"{where}: {example!r}: {errors[0]}")
    for name, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            node = parameter.get("schema", {})
            for example in examples_of(parameter) + examples_of(node):
                errors = [e.message for e in validator(schema, node).iter_errors(example)]
                if errors:
                    wrong.append(f"{name} {parameter['name']}: {example!r}: {errors[0]}")
    assert wrong == []


def test_the_example_checker_catches_an_example_its_schema_refuses(schema: Json):
    """The check above can fail: a made-up date, a too-short text, a wrong type."""
    for node, example in (
        ({"type": "string", "format": "date"}, "2026-02-30"),
        ({"type": "string", "minLength": 9}, "123"),
        ({"type": "integer"}, "7"),
        ({"$ref": "#/components/schemas/Problem"}, {"type": "x"}),
    ):
        assert not validator(schema, node).is_valid(example), (node, example)


def takes(dependant: Dependant, call: Any) -> bool:
    return dependant.call is call or any(takes(d, call) for d in dependant.dependencies)


def test_every_route_that_takes_if_match_documents_the_header_and_its_refusals(
    one_store_app: FastAPI, one_store_schema: Json
):
    writes = [
        (method, route.path)
        for route in api_routes(one_store_app)
        if takes(route.dependant, if_match)
        for method in route.methods
    ]
    assert len(writes) > 20  # every write to an existing record
    wrong = []
    for method, path in writes:
        operation = one_store_schema["paths"][path][method.lower()]
        header = [p for p in operation.get("parameters", []) if p["name"].lower() == "if-match"]
        if not header or header[0]["in"] != "header" or '"' not in header[0]["description"]:
            wrong.append(f"{method} {path}: If-Match")
        for status in ("412", "428"):
            if status not in operation["responses"]:
                wrong.append(f"{method} {path}: {status}")
    assert wrong == []
    for name, operation in operations(one_store_schema):  # and only those
        if any(p["name"].lower() == "if-match" for p in operation.get("parameters", [])):
            method, path = name.split(" ", 1)
            assert (method, path) in writes, name


def test_every_post_documents_its_idempotency_key_and_request_id(schema: Json):
    wrong = []
    for name, operation in operations(schema):
        headers = {p["name"].lower(): p for p in operation.get("parameters", [])}
        if name.startswith("POST ") and "idempotency-key" not in headers:
            wrong.append(f"{name}: Idempotency-Key")
        if name.startswith("POST ") and operation.get("security") and "x-request-id" not in headers:
            wrong.append(f"{name}: X-Request-ID")
    assert wrong == []


def test_the_bearer_scheme_says_the_token_format(schema: Json):
    [bearer] = schema["components"]["securitySchemes"].values()
    assert (bearer["type"], bearer["scheme"]) == ("http", "bearer")
    assert "htl_" in bearer["bearerFormat"] and bearer["description"]


def test_every_error_response_is_a_problem_naming_its_types(schema: Json):
    wrong = []
    for name, operation in operations(schema):
        errors = {s: r for s, r in operation["responses"].items() if s[0] in "45"}
        if "422" not in errors or "500" not in errors:
            wrong.append(f"{name}: no 422 or 500")
        for status, response in errors.items():
            content = response.get("content", {}).get("application/problem+json")
            types = (content or {}).get("schema", {}).get("properties", {}).get("type", {})
            if not types.get("enum") or not all(
                t.startswith("urn:hoctap:problem:") for t in types["enum"]
            ):
                wrong.append(f"{name} {status}: no problem types")
                continue
            for example in examples_of(content):
                if not validator(schema, content["schema"]).is_valid(example):
                    wrong.append(f"{name} {status}: example {example}")
    assert wrong == []


def test_the_evidence_upload_names_and_describes_its_form_fields(one_store_schema: Json):
    body = one_store_schema["paths"]["/cases/{case_id}/evidence"]["post"]["requestBody"]
    form = resolved(one_store_schema, body["content"]["multipart/form-data"]["schema"])
    assert {"file", "kind", "issuer", "issued_on", "indicators"} <= set(form["properties"])
    assert set(form["required"]) >= {"file", "kind", "issuer", "issued_on", "indicators"}
    assert "1,2,3" in str(form["properties"]["indicators"]["examples"])
