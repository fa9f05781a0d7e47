"""RFC 9457 problem details for every error: one mapping from domain errors to HTTP."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from application.adapters.blobs import EvidenceCorrupted
from application.adapters.media import UnsupportedMediaType
from application.adapters.read_models import ViewsBehind
from domain.errors import (
    DomainError,
    Gone,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    PreconditionRequired,
    RuleViolation,
    TooManyAttempts,
    VersionConflict,
)
from domain.text import shown

log = logging.getLogger("hoctap.api")
PROBLEM_JSON = "application/problem+json"

#: Most specific first: the first family an error belongs to gives its status.
_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (UnsupportedMediaType, 415),
    (InvalidInput, 422),
    (NotFound, 404),
    (Gone, 410),
    (PermissionDenied, 403),
    (NotAuthenticated, 401),
    (TooManyAttempts, 429),
    (PreconditionFailed, 412),
    (PreconditionRequired, 428),
    (VersionConflict, 409),
    (RuleViolation, 409),
    (EvidenceCorrupted, 500),
    (ViewsBehind, 503),
)

_TITLES = {
    400: "Yêu cầu không hợp lệ",
    401: "Chưa xác thực",
    403: "Không có quyền",
    404: "Không tìm thấy",
    405: "Phương thức không được hỗ trợ",
    409: "Xung đột với quy tắc hoặc phiên bản",
    410: "Dữ liệu đã bị xóa vĩnh viễn",
    412: "Phiên bản đã thay đổi",
    413: "Nội dung quá lớn",
    415: "Kiểu tệp không được chấp nhận",
    428: "Cần If-Match",
    422: "Dữ liệu không hợp lệ",
    429: "Quá nhiều yêu cầu",
    500: "Lỗi máy chủ",
    503: "Tạm thời chưa sẵn sàng",
}


def problem(
    status: int,
    *,
    code: str,
    detail: str,
    instance: str,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body = {
        "type": f"urn:hoctap:problem:{code}",
        "title": _TITLES.get(status, HTTPStatus(status).phrase),
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
        **extensions,
    }
    # Details and locations can echo what the client sent: a control character or a lone
    # surrogate there would make the answer itself fail (a surrogate cannot be UTF-8).
    body = _jsonable(body)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def status_of(error: DomainError) -> int:
    return next((status for family, status in _STATUS if isinstance(error, family)), 400)


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    def _domain(request: Request, error: DomainError) -> JSONResponse:
        status = status_of(error)
        if status == 500:
            log.error(
                "integrity error on %s: %s %s", request.url.path, error.message, error.details
            )
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if status == 503:
            headers = {"Retry-After": "1"}
        return problem(
            status,
            code=error.code,
            detail=error.message,
            instance=request.url.path,
            headers=headers,
            errors=_jsonable(error.details),
        )

    @app.exception_handler(RequestValidationError)
    def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "loc": [str(p) for p in e.get("loc", ())],
                "msg": e.get("msg", ""),
                "type": e.get("type"),
            }
            for e in error.errors()
        ]
        first = errors[0] if errors else {"loc": [], "msg": ""}
        where = ".".join(first["loc"][1:]) or "body"
        return problem(
            422,
            code="validation-error",
            detail=f"{where}: {first['msg']}",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return problem(
            error.status_code,
            code=f"http-{error.status_code}",
            detail=str(error.detail),
            instance=request.url.path,
            headers=dict(error.headers or {}),
        )

    @app.exception_handler(Exception)
    def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return problem(
            500, code="internal-error", detail="lỗi không mong đợi", instance=request.url.path
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {shown(str(k)): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, str):
        return shown(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details",
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance", "code"],
    "properties": {
        "type": {
            "type": "string",
            "pattern": "^urn:hoctap:problem:[a-z0-9-]+$",
            "description": "urn:hoctap:problem:<code>",
        },
        "title": {"type": "string", "description": "Tên của mã trạng thái, tiếng Việt"},
        "status": {"type": "integer", "description": "Mã trạng thái HTTP"},
        "detail": {"type": "string", "description": "Giải thích cho người đọc, tiếng Việt"},
        "instance": {"type": "string", "description": "Đường dẫn của yêu cầu"},
        "code": {"type": "string", "description": "Mã quy tắc hoặc loại lỗi, ổn định"},
        "errors": {"description": "Bằng chứng: chỉ số, giới hạn, ngày..."},
    },
}
#: Problems answered outside the domain hierarchy, by status: the edge's own refusals.
_EDGE_CODES: dict[int, tuple[str, ...]] = {
    400: ("http-400",),  # a body FastAPI cannot parse (JSON, multipart)
    404: ("http-404",),
    405: ("http-405",),
    409: ("idempotency-key-in-progress",),
    413: ("request-too-large",),
    422: (
        "validation-error",
        "invalid-idempotency-key",
        "idempotency-key-reused",
    ),
    429: ("rate-limited",),
    500: ("internal-error",),
    503: ("idempotency-outcome-unknown",),
}
DOCUMENTED = {
    400: "Yêu cầu không hợp lệ",
    401: "Chưa xác thực: thiếu mã truy cập, mã sai, hết hạn hoặc đã thu hồi",
    403: "Không có quyền (vai trò) hoặc ngoài phạm vi (đơn vị, hồ sơ của mình)",
    404: "Không tìm thấy",
    409: "Vi phạm quy tắc hoặc xung đột phiên bản",
    410: "Dữ liệu đã bị xóa vĩnh viễn",
    412: 'If-Match không còn là phiên bản hiện tại: đọc lại rồi gửi ETag mới, dạng "<n>"',
    413: "Yêu cầu quá lớn",
    415: "Kiểu tệp không được chấp nhận",
    422: "Dữ liệu không hợp lệ (nêu tên trường)",
    428: 'Thiếu If-Match: "<phiên bản>" khi ghi vào bản ghi đã có',
    429: "Quá nhiều yêu cầu (xem Retry-After)",
    500: "Lỗi máy chủ (ví dụ tệp minh chứng không còn khớp mã băm)",
    503: "Mô hình đọc chưa cập nhật kịp, hoặc chưa rõ kết quả lần gửi đầu (xem Retry-After)",
}
#: Statuses only some operations answer: writes to an existing record, bodies, the signed in.
_IF_MATCH_ONLY = {412, 428}
_POST_ONLY = {413, 415}
_SECURED_ONLY = {401, 403}

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Khóa tự chọn, 8-128 ký tự chữ, số và . _ : -: gửi lại cùng khóa và nội "
    "dung thì nhận đúng kết quả lần đầu (kể cả lỗi), không ghi thêm; cùng khóa khác nội dung "
    "thì 422 idempotency-key-reused; lần gửi cùng khóa đang chạy thì 409 kèm Retry-After",
    "schema": {
        "type": "string",
        "pattern": "^[A-Za-z0-9._:-]{8,128}$",
        "examples": ["dang-ky-2026-03-01-0001"],
    },
}


def problem_types() -> dict[int, list[str]]:
    """Every problem type URI the API can answer, by status (domain errors by family)."""
    found: dict[int, set[str]] = {status: set(codes) for status, codes in _EDGE_CODES.items()}
    pending: list[type[DomainError]] = [DomainError]
    while pending:
        family = pending.pop()
        pending.extend(family.__subclasses__())
        status = next((s for f, s in _STATUS if issubclass(family, f)), 400)
        found.setdefault(status, set()).add(family.code)
    return {s: sorted(f"urn:hoctap:problem:{c}" for c in codes) for s, codes in found.items()}


def _answered(status: int, operation: dict[str, Any], method: str) -> bool:
    names = {p.get("name", "").lower() for p in operation.get("parameters", [])}
    if status in _IF_MATCH_ONLY:
        return "if-match" in names
    if status in _POST_ONLY:
        return method == "post"
    if status in _SECURED_ONLY:
        return bool(operation.get("security"))
    return True


def _problem_response(status: int, description: str, types: list[str]) -> dict[str, Any]:
    example = {
        "type": types[0],
        "title": _TITLES.get(status, HTTPStatus(status).phrase),
        "status": status,
        "detail": description,
        "instance": "/cases/3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "code": types[0].removeprefix("urn:hoctap:problem:"),
    }
    schema = {
        "allOf": [{"$ref": "#/components/schemas/Problem"}],
        "properties": {"type": {"type": "string", "enum": types}, "status": {"const": status}},
    }
    return {
        "description": f"{description}. Loại (type): {', '.join(types)}",
        "content": {PROBLEM_JSON: {"schema": schema, "example": example}},
    }


def document_problems(app: FastAPI) -> None:
    """Every operation answers its errors as application/problem+json, each status naming the
    problem types it can carry; every POST takes an Idempotency-Key: say so in OpenAPI."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        types = problem_types()
        for path in schema.get("paths", {}).values():
            for method, operation in path.items():
                if method == "post":
                    operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
                responses = operation.setdefault("responses", {})
                for status, description in DOCUMENTED.items():
                    if status in types and _answered(status, operation, method):
                        responses[str(status)] = _problem_response(
                            status, description, types[status]
                        )
        schema["components"]["schemas"].pop("HTTPValidationError", None)
        schema["components"]["schemas"].pop("ValidationError", None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
