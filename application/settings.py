"""One typed Settings for every process: SQLite under ./var unless a PostgreSQL URL is given.

Environment variables use the prefix ``HOCTAP_`` (``HOCTAP_DATABASE_URL``, ...). Secrets left
empty in development are generated once and kept in ``var/secrets.json``; outside development
they must be given, and placeholders are refused.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import PrivateAttr, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.notes import MalformedNote, Vkey

Backend = Literal["memory", "sqlite", "postgres"]
_PLACEHOLDERS = {"", "changeme", "change-me", "secret", "placeholder", "dev"}


class SettingsError(ValueError):
    """The configuration cannot run safely."""


#: The id of the key-encryption key given as ``HOCTAP_MASTER_KEY``: data keys wrapped before
#: key-encryption keys had ids were all wrapped under it.
LEGACY_KEK_ID = "0"


@dataclass(frozen=True)
class KeyRing:
    """The key-encryption keys this process knows (id -> 32 bytes); new data keys are
    wrapped under ``active``. A key retired by the operator is simply absent."""

    active: str
    keys: dict[str, bytes]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOCTAP_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    #: ``postgresql://user:password@host:port/dbname``; empty means the embedded SQLite store.
    database_url: str | None = None
    #: PostgreSQL schema for every table (created if missing). Lets tests isolate themselves.
    database_schema: str = "public"
    #: ``auto`` picks PostgreSQL when ``database_url`` is set, else SQLite; ``memory`` is for tests.
    store: Literal["auto", "memory", "sqlite", "postgres"] = "auto"
    var_dir: Path = Path("var")
    blob_dir: Path | None = None
    master_key: SecretStr | None = None  # base64 of 32 bytes: key-encryption key "0"
    #: More key-encryption keys, as JSON ``{"<id>": "<base64 of 32 bytes>"}`` (docs/privacy.md).
    key_encryption_keys: SecretStr | None = None
    #: The id of the key-encryption key that wraps new data keys (default: the highest id).
    active_kek: str | None = None
    lookup_secret: SecretStr | None = None  # HMAC key for CCCD look-up hashes
    signing_key: SecretStr | None = None  # base64 of a 32-byte Ed25519 seed: signs checkpoints
    token_ttl_hours: int = 24 * 30
    max_upload_bytes: int = 20 * 1024 * 1024
    #: Requests per second a bearer token may send on average, and in a burst (0: no limit).
    rate_limit_per_second: float = 20.0
    rate_limit_burst: int = 100
    #: Certificate checks (``/xac-minh``, no sign-in) per second and in a burst, per client
    #: address: enough for a person at a counter, too few to walk the space of serials.
    verify_rate_per_second: float = 0.5
    verify_burst: int = 30
    pool_size: int = 5
    pool_max_overflow: int = 10
    lock_timeout_seconds: int = 5
    #: A pooled PostgreSQL connection unused for this long is checked before it is handed out
    #: (0: every time); see projections/connections.py.
    pg_check_idle_seconds: float = 1.0
    #: Run the projections inside the API process (default: yes, except on PostgreSQL where
    #: ``hoctap projections run`` runs them in their own process).
    projections_in_api: bool | None = None
    #: How long a read may wait for the views to reach a given log position.
    read_wait_max_seconds: float = 5.0
    #: The projection runner folds at most this often, so a burst of commands is folded in
    #: one page instead of one fold per command (reads that wait for a position still see it).
    fold_every_seconds: float = 0.05
    #: How long a request holds its ``Idempotency-Key`` claim: longer than any request runs.
    #: A claim left pending (its answer could not be stored, or its process died) is
    #: resolved by the first retry after it ends (application/adapters/keyed_requests.py).
    idempotency_lease_seconds: float = 60.0
    #: ``/health`` says ``degraded`` when a read model's oldest unfolded event has waited
    #: longer than this (its runner is stalled, dead, or cannot reach the database).
    health_max_lag_seconds: float = 60.0
    #: Sign a checkpoint this often when the log has grown (0: only on demand).
    checkpoint_every_seconds: int = 3600
    #: The log's name in its checkpoint notes (c2sp.org/tlog-checkpoint origin line, and the
    #: key name of its signature): unique per deployment, e.g. ``hoctap.example/ha-noi``.
    log_origin: str = "hoctap.example/ledger"
    #: Verifier keys of the witnesses whose cosignatures the log keeps (JSON list of vkeys,
    #: ``<name>+<key ID>+<base64>``, as ``hoctap witness init`` prints them).
    witness_keys: list[str] = []
    #: Submission prefixes of witnesses asked to cosign each scheduled checkpoint (JSON list
    #: of URLs, e.g. ``["http://thanh-tra.example:8100"]``); ``hoctap checkpoints witness``
    #: asks on demand.
    witness_urls: list[str] = []
    #: A JSON file listing the provinces this deployment serves, one store each
    #: (application/clients/provinces.py); empty: one store, as configured above.
    provinces_file: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    #: False for a process that only reads an existing store (``verify``, exports): it must
    #: never make development secrets, since new keys cannot read what the old ones sealed.
    _make_secrets: bool = PrivateAttr(default=True)

    @field_validator("provinces_file", mode="before")
    @classmethod
    def _no_file_when_empty(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.database_url and not self.database_url.startswith(("postgresql://", "postgres://")):
            raise SettingsError("HOCTAP_DATABASE_URL phải bắt đầu bằng postgresql://")
        if not self.database_schema.replace("_", "").isalnum():
            raise SettingsError("HOCTAP_DATABASE_SCHEMA chỉ gồm chữ, số và dấu gạch dưới")
        if (
            not self.log_origin
            or "+" in self.log_origin
            or any(c.isspace() for c in self.log_origin)
        ):
            raise SettingsError("HOCTAP_LOG_ORIGIN không được rỗng, có dấu cách hay dấu '+'")
        for vkey in self.witness_keys:
            try:
                Vkey.parse(vkey)
            except MalformedNote as error:
                raise SettingsError(f"HOCTAP_WITNESS_KEYS: {error}") from error
        if self.environment == "production":
            required = ["lookup_secret", "signing_key"]
            required.insert(0, "key_encryption_keys" if self.key_encryption_keys else "master_key")
            for name in required:
                value = getattr(self, name)
                if value is None or value.get_secret_value().strip().lower() in _PLACEHOLDERS:
                    raise SettingsError(f"HOCTAP_{name.upper()} phải được đặt khi chạy production")
        return self

    def reading_only(self) -> Settings:
        """These settings for a process that reads an existing store: a missing
        ``var/secrets.json`` is then an error, never a reason to make new keys."""
        copy = self.model_copy()
        copy._make_secrets = False
        return copy

    @property
    def backend(self) -> Backend:
        if self.store != "auto":
            return self.store
        return "postgres" if self.database_url else "sqlite"

    @property
    def runs_projections_in_api(self) -> bool:
        if self.projections_in_api is not None:
            return self.projections_in_api
        return self.backend != "postgres"

    @property
    def blobs_path(self) -> Path:
        return self.blob_dir or self.var_dir / "blobs"

    def lookup_key(self) -> bytes:
        """The HMAC key of CCCD look-up hashes (generated once in development)."""
        lookup = self.lookup_secret
        if lookup is None:
            if self.environment == "production":
                raise SettingsError("thiếu HOCTAP_LOOKUP_SECRET khi chạy production")
            lookup = SecretStr(self._development_secrets()["lookup_secret"])
        return lookup.get_secret_value().encode()

    def key_ring(self) -> KeyRing:
        """Every key-encryption key given, and the one that wraps new data keys.

        ``HOCTAP_MASTER_KEY`` is key "0" (what wrapped every data key before keys had ids);
        ``HOCTAP_KEY_ENCRYPTION_KEYS`` adds others. In development, missing keys come from
        ``var/secrets.json``, where ``hoctap keys rotate --new-kek`` adds one and
        ``hoctap keys retire`` blanks one out.
        """
        given: dict[str, Any] = {}
        stored: dict[str, Any] = {}
        missing = self.master_key is None and self.key_encryption_keys is None
        if missing and self.environment != "production":
            stored = dict(self._development_secrets())
        if self.master_key is not None:
            given[LEGACY_KEK_ID] = self.master_key.get_secret_value()
        elif self.key_encryption_keys is None:
            given[LEGACY_KEK_ID] = stored.get("master_key")
        extra = (
            self.key_encryption_keys.get_secret_value()
            if self.key_encryption_keys is not None
            else stored.get("keks")
        )
        try:
            more: dict[str, Any] = json.loads(extra) if isinstance(extra, str) else (extra or {})
        except ValueError as error:
            raise SettingsError("HOCTAP_KEY_ENCRYPTION_KEYS phải là JSON {mã: base64}") from error
        given |= more
        keys = {kek_id: _key_bytes(kek_id, value) for kek_id, value in given.items() if value}
        if not keys:
            raise SettingsError("không có khóa bọc (HOCTAP_MASTER_KEY / KEY_ENCRYPTION_KEYS)")
        active = self.active_kek or str(stored.get("active_kek") or "") or max(keys, key=_kek_order)
        if active not in keys:
            raise SettingsError(f"HOCTAP_ACTIVE_KEK: không có khóa bọc mã {active}")
        return KeyRing(active, keys)

    def add_development_kek(self) -> str:
        """Make a new key-encryption key in ``var/secrets.json`` and make it the active one
        (development only: in production the operator adds it to the environment)."""
        self._refuse_outside_development()
        path = self.var_dir / "secrets.json"
        data = self._development_secrets()
        keks = dict(data.get("keks") or {})
        known = [k for k in (*keks, LEGACY_KEK_ID)]
        kek_id = str(max(int(k) for k in known if k.isdigit()) + 1)
        keks[kek_id] = base64.b64encode(secrets.token_bytes(32)).decode()
        self._publish_secrets(path, data | {"keks": keks, "active_kek": kek_id}, replace=True)
        return kek_id

    def retire_development_kek(self, kek_id: str) -> None:
        """Blank a key-encryption key out of ``var/secrets.json`` (never to be made again)."""
        self._refuse_outside_development()
        path = self.var_dir / "secrets.json"
        data = self._development_secrets()
        if kek_id == LEGACY_KEK_ID:
            data["master_key"] = None
        else:
            keks = dict(data.get("keks") or {})
            keks[kek_id] = None
            data["keks"] = keks
        self._publish_secrets(path, data, replace=True)

    def _refuse_outside_development(self) -> None:
        if self.environment == "production" or self.master_key or self.key_encryption_keys:
            raise SettingsError(
                "khóa bọc được đặt qua biến môi trường: hãy thêm hoặc bỏ khóa ở đó"
                " (HOCTAP_KEY_ENCRYPTION_KEYS, HOCTAP_ACTIVE_KEK)"
            )

    def signing_seed(self) -> bytes:
        """The Ed25519 seed that signs checkpoints (generated once in development)."""
        key = self.signing_key
        if key is None:
            if self.environment == "production":
                raise SettingsError("HOCTAP_SIGNING_KEY phải được đặt khi chạy production")
            stored = self._development_secrets().get("signing_key")
            if stored is None:
                raise SettingsError("secrets.json không có signing_key: chạy một lệnh ghi trước")
            key = SecretStr(stored)
        seed = base64.b64decode(key.get_secret_value())
        if len(seed) != 32:
            raise SettingsError("HOCTAP_SIGNING_KEY phải là base64 của đúng 32 byte")
        return seed

    def _development_secrets(self) -> dict[str, Any]:
        """The development secrets, made once; safe when several processes start at once.

        The file is written whole under a temporary name and then linked into place, so no
        process can read it half-written, and when two processes race the first link wins and
        the other reads what the winner wrote.
        """
        path = self.var_dir / "secrets.json"
        if not path.exists():
            if not self._make_secrets:
                raise SettingsError(
                    f"không có {path}: lệnh chỉ đọc không tạo khóa mới (khóa mới không mở được"
                    " dữ liệu đã niêm phong và làm mọi điểm kiểm sai chữ ký). Với bản sao lưu,"
                    " chép secrets.json của kho gốc vào (hoctap db backup --with-secrets) hoặc"
                    " đặt HOCTAP_MASTER_KEY, HOCTAP_LOOKUP_SECRET và HOCTAP_SIGNING_KEY"
                )
            self.var_dir.mkdir(parents=True, exist_ok=True)
            self._publish_secrets(path, {}, replace=False)
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if "signing_key" not in data and self._make_secrets:  # made before checkpoints existed
            self._publish_secrets(path, data, replace=True)
            data = json.loads(path.read_text(encoding="utf-8"))
        return data

    @staticmethod
    def _publish_secrets(path: Path, known: dict[str, Any], *, replace: bool) -> None:
        data = {
            "master_key": base64.b64encode(secrets.token_bytes(32)).decode(),
            "lookup_secret": secrets.token_urlsafe(32),
            "signing_key": base64.b64encode(secrets.token_bytes(32)).decode(),
        } | known
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secrets-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:  # mkstemp makes it 0o600
                json.dump(data, handle)
            if replace:
                os.replace(temporary, path)
            else:
                # when another process published first, its secrets stand
                with contextlib.suppress(FileExistsError):
                    os.link(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)


def _key_bytes(kek_id: str, value: str) -> bytes:
    key = base64.b64decode(value)
    if len(key) != 32:
        raise SettingsError(f"khóa bọc {kek_id} phải là base64 của đúng 32 byte")
    return key


def _kek_order(kek_id: str) -> tuple[int, str]:
    return (int(kek_id), "") if kek_id.isdigit() else (-1, kek_id)
