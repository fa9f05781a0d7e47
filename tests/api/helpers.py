"""A thin HTTP client for tests: every call goes through real HTTP (TestClient)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

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
    admin = ledger.create_user(console, "admin", [Role.ADMINISTRATOR])
    return ledger.issue_token(console, admin.id).token


class Api:
    def __init__(self, client: TestClient, admin_token: str) -> None:
        self.client = client
        self.tokens = {"admin": admin_token}

    def headers(self, who: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}", **extra}

    def post(self, who: str, path: str, body: Any = None, status: int | None = None, **kw: Any):
        response = self.client.post(path, json=body, headers=self.headers(who), **kw)
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
        return self.client.post(
            f"/cases/{case_id}/evidence",
            headers=self.headers(who),
            files={"file": ("minh-chung.pdf", content, "application/pdf")},
            data=data | form | {"indicators": indicators},
        )
