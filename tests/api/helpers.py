"""A thin HTTP client for tests: every call goes through real HTTP (TestClient)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from fastapi.testclient import TestClient

from application.ledger import Ledger
from domain.base import CommandContext
from domain.glossary import Role

SEED = Path(__file__).resolve().parents[2] / "application" / "seed"


def seed_content(name: str, **rule_changes: Any) -> dict[str, Any]:
    content: dict[str, Any] = json.loads((SEED / name).read_text(encoding="utf-8"))
    content["rules"] |= rule_changes
    return content


def bootstrap_admin(ledger: Ledger) -> str:
    """The first administrator is made at the console, as `hoctap users create` does."""
    console = CommandContext("cli:test", Role.ADMINISTRATOR.value, "bootstrap")
    admin = ledger.access.create_user(console, "admin", [Role.ADMINISTRATOR])
    return ledger.access.issue_token(console, admin.id).token


#: Writes to an existing record: the first UUID in the path names it, and If-Match is due.
_EXISTING = re.compile(
    r"^/(?:cases|complaints|persons|collectives|units|tokens|reports)/([0-9a-f-]{36})/(?!re-evaluations)"
)


class Api:
    """Calls as a named user. Writes to an existing record send ``If-Match`` with the
    record's current version, as a client does after reading it, unless the test gives
    its own headers (tests of If-Match itself do)."""

    def __init__(self, client: TestClient, admin_token: str, ledger: Ledger | None = None) -> None:
        self.client = client
        self.tokens = {"admin": admin_token}
        self.ledger = ledger

    def headers(self, who: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}", **extra}

    def current_etag(self, path: str) -> dict[str, str]:
        match = _EXISTING.match(path)
        if match is None or self.ledger is None:
            return {}
        try:
            version = self.ledger.store.repository.get(UUID(match.group(1))).version
        except AggregateNotFoundError:  # the server answers 404 before looking at If-Match
            version = 1
        return {"If-Match": f'"{version}"'}

    def post(self, who: str, path: str, body: Any = None, status: int | None = None, **kw: Any):
        headers = kw.pop("headers", None) or self.headers(who, **self.current_etag(path))
        response = self.client.post(path, json=body, headers=headers, **kw)
        if status is not None:
            assert response.status_code == status, response.text
        return response

    def get(self, who: str, path: str, status: int | None = 200):
        response = self.client.get(path, headers=self.headers(who))
        if status is not None:
            assert response.status_code == status, response.text
        return response

    def created(self, who: str, path: str, body: Any) -> UUID:
        return UUID(self.post(who, path, body, status=201).json()["id"])

    def user(self, username: str, roles: list[str], **links: Any) -> UUID:
        body = {"username": username, "roles": roles, **{k: str(v) for k, v in links.items()}}
        user_id = self.created("admin", "/users", body)
        token = self.post("admin", f"/users/{user_id}/tokens", {}, status=201).json()["token"]
        self.tokens[username] = token
        return user_id

    def upload(self, who: str, case_id: UUID, content: bytes, indicators: str, **form: str):
        data = {"kind": "giay_xac_nhan", "issuer": "Chi hội Khuyến học", "issued_on": "2026-01-15"}
        path = f"/cases/{case_id}/evidence"
        return self.client.post(
            path,
            headers=self.headers(who, **self.current_etag(path)),
            files={"file": ("minh-chung.pdf", content, "application/pdf")},
            data=data | form | {"indicators": indicators},
        )


def amending_decision(
    api: Api,
    world: dict[str, Any],
    rulings: list[dict[str, str]],
    *,
    number: str = "42/QĐ-UBND",
    legal_basis: str = "244/QĐ-KHVN",
) -> UUID:
    """The commune chairman's decision of 1 March 2026 amending ``world["decision"]`` with
    ``rulings`` (each a case id, an outcome and, for a revocation, a reason)."""
    return api.created(
        "signer",
        "/decisions",
        {
            "number": number,
            "decided_on": "2026-03-01",
            "signer_title": "Chủ tịch UBND xã",
            "authority_name": "UBND xã Hòa Bình",
            "authority_unit_id": str(world["commune"]),
            "legal_basis": legal_basis,
            "amends": str(world["decision"]),
            "rulings": rulings,
        },
    )


def revoke_by_amending_decision(api: Api, world: dict[str, Any], reason: str) -> UUID:
    """Revoke the title of ``world["case"]`` by an amending decision, as of 1 March 2026."""
    ruling = {"case_id": str(world["case"]), "outcome": "revoked", "reason": reason}
    return amending_decision(api, world, [ruling])
