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
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.notes import MalformedNote, Vkey

Backend = Literal["memory", "sqlite", "postgres"]
_PLACEHOLDERS = {"", "changeme", "change-me", "secret", "placeholder", "dev"}


class SettingsError(ValueError):
    """The configuration cannot run safely."""


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
    master_key: SecretStr | None = None  # base64 of 32 bytes: wraps every per-person key
    lookup_secret: SecretStr | None = None  # HMAC key for CCCD look-up hashes
    signing_key: SecretStr | None = None  # base64 of a 32-byte Ed25519 seed: signs checkpoints
    token_ttl_hours: int = 24 * 30
    max_upload_bytes: int = 20 * 1024 * 1024
    #: Requests per second a bearer token may send on average, and in a burst (0: no limit).
    rate_limit_per_second: float = 20.0
    rate_limit_burst: int = 100
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
    host: str = "127.0.0.1"
    port: int = 8000

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
            for name in ("master_key", "lookup_secret", "signing_key"):
                value = getattr(self, name)
                if value is None or value.get_secret_value().strip().lower() in _PLACEHOLDERS:
                    raise SettingsError(f"HOCTAP_{name.upper()} phải được đặt khi chạy production")
        return self

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

    def secret_bytes(self) -> tuple[bytes, bytes]:
        """(master key, look-up secret), generating development secrets on first use."""
        master, lookup = self.master_key, self.lookup_secret
        if master is None or lookup is None:
            if self.environment == "production":
                raise SettingsError("thiếu khóa bí mật khi chạy production")
            stored = self._development_secrets()
            master = master or SecretStr(stored["master_key"])
            lookup = lookup or SecretStr(stored["lookup_secret"])
        key = base64.b64decode(master.get_secret_value())
        if len(key) != 32:
            raise SettingsError("HOCTAP_MASTER_KEY phải là base64 của đúng 32 byte")
        return key, lookup.get_secret_value().encode()

    def signing_seed(self) -> bytes:
        """The Ed25519 seed that signs checkpoints (generated once in development)."""
        key = self.signing_key
        if key is None:
            if self.environment == "production":
                raise SettingsError("HOCTAP_SIGNING_KEY phải được đặt khi chạy production")
            key = SecretStr(self._development_secrets()["signing_key"])
        seed = base64.b64decode(key.get_secret_value())
        if len(seed) != 32:
            raise SettingsError("HOCTAP_SIGNING_KEY phải là base64 của đúng 32 byte")
        return seed

    def _development_secrets(self) -> dict[str, str]:
        """The development secrets, made once; safe when several processes start at once.

        The file is written whole under a temporary name and then linked into place, so no
        process can read it half-written, and when two processes race the first link wins and
        the other reads what the winner wrote.
        """
        path = self.var_dir / "secrets.json"
        if not path.exists():
            self.var_dir.mkdir(parents=True, exist_ok=True)
            self._publish_secrets(path, {}, replace=False)
        data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        if "signing_key" not in data:  # secrets made before checkpoints existed
            self._publish_secrets(path, data, replace=True)
            data = json.loads(path.read_text(encoding="utf-8"))
        return data

    @staticmethod
    def _publish_secrets(path: Path, known: dict[str, str], *, replace: bool) -> None:
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
