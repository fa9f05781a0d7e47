"""Many provinces, one deployment: one store per province, built in one place.

``HOCTAP_PROVINCES_FILE`` names a JSON file listing the provinces a deployment serves::

    {"provinces": [
        {"code": "01", "name": "Thành phố Hà Nội", "database_schema": "tinh_01"},
        {"code": "79", "name": "Thành phố Hồ Chí Minh", "database_url": "postgresql://…/hcm"}
    ]}

Each province gets its own :class:`~application.ledger.Ledger` on its own store (a PostgreSQL
schema or database; on SQLite a folder under ``HOCTAP_VAR_DIR``), hence its own append lock,
hash chain, Merkle tiles, signed checkpoints (under its own log origin), witnesses and views.
Everything else is the base settings. Nothing crosses stores but what is published to every
one of them (national rule documents) and what is read from every one of them and summed
(the national report). Without the file there is one store and none of this runs.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from application.adapters.read_models import ReadModels
from application.clients.housekeeping import scheduled_jobs
from application.ledger import Ledger
from application.services.access import IssuedToken, check_ttl_hours, new_token
from application.services.records import Clock, Recorded
from application.settings import Settings, SettingsError
from domain.access import ApiToken, UserAccount, user_id_for
from domain.base import CommandContext
from domain.errors import InvalidInput, NotFound, RuleViolation
from domain.glossary import Role
from domain.registry import AdministrativeUnit
from domain.structures import Structure
from domain.text import nfc, refused_character
from projections.statistics.queries import Line, report, summed

T = TypeVar("T")
log = logging.getLogger("hoctap.provinces")
#: A province's code: two ASCII digits, as in the national list of administrative units.
PROVINCE_CODE = re.compile(r"[0-9]{2}", re.ASCII)
#: How many stores a national report reads at once (each read holds one connection).
REPORT_WORKERS = 8


class ProvinceEntry(BaseModel):
    """One line of the provinces file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    name: str
    #: PostgreSQL: the schema of this province's store (default ``tinh_<code>``).
    database_schema: str | None = None
    #: PostgreSQL: a database of its own (default: the base ``HOCTAP_DATABASE_URL``).
    database_url: str | None = None
    #: The folder of its embedded stores, blobs and development secrets (default
    #: ``<HOCTAP_VAR_DIR>/tinh/<code>``).
    var_dir: Path | None = None
    #: Its log's name in checkpoint notes (default ``<HOCTAP_LOG_ORIGIN>/<code>``).
    log_origin: str | None = None

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not PROVINCE_CODE.fullmatch(value):
            raise ValueError(f"mã tỉnh {value!r} phải gồm đúng 2 chữ số 0-9")
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        refused = refused_character(value)
        if refused is not None:
            raise ValueError(f"tên tỉnh có ký tự không được phép ({refused})")
        if not value.strip():
            raise ValueError("tên tỉnh không được rỗng")
        return value


class ProvincesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    provinces: list[ProvinceEntry]

    @model_validator(mode="after")
    def _distinct(self) -> ProvincesFile:
        if not self.provinces:
            raise ValueError("danh sách tỉnh rỗng")
        seen: set[str] = set()
        for entry in self.provinces:
            if entry.code in seen:
                raise ValueError(f"mã tỉnh {entry.code} xuất hiện hai lần")
            seen.add(entry.code)
        return self


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    settings: Settings

    @property
    def store(self) -> str:
        """Where its store is, in one line (no password)."""
        settings = self.settings
        if settings.backend == "postgres":
            database = (settings.database_url or "").rsplit("/", 1)[-1]
            return f"postgres {database} schema {settings.database_schema}"
        if settings.backend == "sqlite":
            return f"sqlite {settings.var_dir}"
        return settings.backend


def read_provinces(base: Settings) -> list[Province]:
    """The provinces of ``base.provinces_file``, each with its own settings.

    A bad file is one :class:`SettingsError` naming it and what is wrong, in Vietnamese.
    """
    path = base.provinces_file
    if path is None:
        raise SettingsError("chưa đặt HOCTAP_PROVINCES_FILE")
    try:
        content = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SettingsError(f"HOCTAP_PROVINCES_FILE {path}: không đọc được ({error})") from error
    try:
        parsed = ProvincesFile.model_validate(content)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(
            f"HOCTAP_PROVINCES_FILE {path}: {where + ': ' if where else ''}{message}"
        ) from error
    provinces = [_province(base, entry) for entry in parsed.provinces]
    _check_apart(path, provinces)
    return provinces


def _province(base: Settings, entry: ProvinceEntry) -> Province:
    update: dict[str, Any] = {
        "provinces_file": None,
        "var_dir": entry.var_dir or base.var_dir / "tinh" / entry.code,
        "blob_dir": None if base.blob_dir is None else base.blob_dir / entry.code,
        "log_origin": entry.log_origin or f"{base.log_origin}/{entry.code}",
        "database_schema": entry.database_schema or f"tinh_{entry.code}",
    }
    if entry.database_url is not None:
        update["database_url"] = entry.database_url
    try:
        settings = Settings.model_validate(base.model_dump() | update)
    except (ValidationError, SettingsError) as error:
        raise SettingsError(f"tỉnh {entry.code}: {_first_line(error)}") from error
    return Province(entry.code, entry.name, settings)


def _first_line(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return str(error.errors()[0]["msg"]).removeprefix("Value error, ")
    return str(error)


def _check_apart(path: Path, provinces: Sequence[Province]) -> None:
    """No two provinces share a store, a folder or a log origin."""
    seen: dict[tuple[str, ...], str] = {}
    for province in provinces:
        settings = province.settings
        keys: list[tuple[str, ...]] = [
            ("origin", settings.log_origin),
            ("folder", str(settings.var_dir.resolve())),
        ]
        if settings.backend == "postgres":
            keys.append(("store", settings.database_url or "", settings.database_schema))
        for key in keys:
            other = seen.setdefault(key, province.code)
            if other != province.code:
                what = {
                    "origin": "cùng tên nhật ký (log_origin)",
                    "folder": "cùng thư mục dữ liệu",
                    "store": "cùng một kho (cơ sở dữ liệu và schema)",
                }[key[0]]
                raise SettingsError(
                    f"HOCTAP_PROVINCES_FILE {path}: tỉnh {other} và {province.code} {what}"
                )


@dataclass(frozen=True)
class ProvinceFigures:
    """One province's top line(s) of its own report."""

    code: str
    name: str
    lines: list[Line]


@dataclass(frozen=True)
class NationalReport:
    cycle_year: int
    model: str | None
    provinces: list[ProvinceFigures]
    total: Line


class Provinces:
    """One :class:`Ledger` per province, keyed by province code; close it after."""

    def __init__(
        self,
        base: Settings,
        *,
        clock: Clock | None = None,
        initialise: bool = True,
        only: str | None = None,
    ) -> None:
        """``only``: open that province's store alone (a console command on one province)."""
        self.provinces = {p.code: p for p in read_provinces(base)}
        if only is not None:
            self.province(only)
        self._ledgers: dict[str, Ledger] = {}
        self._unit_homes: dict[uuid.UUID, str] = {}
        try:
            for code, province in self.provinces.items():
                if only is None or code == only:
                    self._ledgers[code] = Ledger(
                        province.settings, clock=clock, initialise=initialise
                    )
        except BaseException:
            self.close()
            raise

    def province(self, code: str) -> Province:
        found = self.provinces.get(code)
        if found is None:
            known = ", ".join(self.provinces)
            raise InvalidInput(f"không có tỉnh mã {code!r} (các tỉnh: {known})", province=code)
        return found

    @property
    def ledgers(self) -> Mapping[str, Ledger]:
        return self._ledgers

    def ledger_for(self, code: str) -> Ledger:
        self.province(code)
        return self._ledgers[code]

    def province_of_unit(self, unit_id: uuid.UUID) -> str:
        """The province whose store registered the unit (a unit never changes stores).

        A unit found in two stores (the same id registered twice) is refused: a command
        about it could land in either."""
        home = self._unit_homes.get(unit_id)
        if home is not None:
            return home
        found = [
            code
            for code, ledger in sorted(self._ledgers.items())
            if isinstance(ledger.records.load_all([unit_id]).get(unit_id), AdministrativeUnit)
        ]
        if not found:
            raise NotFound("không tỉnh nào có đơn vị này", unit_id=str(unit_id))
        if len(found) > 1:
            raise RuleViolation(
                "đơn vị có trong kho của nhiều tỉnh: không biết gửi lệnh tới tỉnh nào",
                unit_id=str(unit_id),
                provinces=found,
            )
        self._unit_homes[unit_id] = found[0]
        return found[0]

    def ledger_for_unit(self, unit_id: uuid.UUID) -> Ledger:
        """The store a command about something in ``unit_id`` goes to."""
        return self._ledgers[self.province_of_unit(unit_id)]

    def publish_everywhere(self, publish: Callable[[Ledger], T]) -> dict[str, T]:
        """Run one national publication (a criteria set, a rule document) on every store,
        in code order; each store records it in its own log."""
        return {code: publish(ledger) for code, ledger in sorted(self._ledgers.items())}

    def publish_criteria_set(
        self, ctx: CommandContext, content: dict[str, Any]
    ) -> dict[str, Recorded | None]:
        """Publish one criteria set to every store; a store whose latest version of that code
        already has this content is left alone (None), so publishing again after a store
        failed half-way completes it instead of adding versions to the others."""
        wanted = json.loads(json.dumps(nfc(content)))

        def publish(ledger: Ledger) -> Recorded | None:
            catalogue = ledger.criteria.catalogue()
            latest = catalogue.latest(str(wanted.get("code", ""))) if catalogue else None
            if latest is not None and ledger.criteria.criteria_set(latest.set_id).content == wanted:
                return None
            return ledger.criteria.publish_criteria_set(ctx, content)

        return self.publish_everywhere(publish)

    def load_seed_criteria(self, ctx: CommandContext) -> dict[str, list[str]]:
        return self.publish_everywhere(lambda ledger: ledger.criteria.load_seed_criteria(ctx))

    def create_national_account(
        self, ctx: CommandContext, username: str, roles: Sequence[Role]
    ) -> dict[str, Recorded | None]:
        """One nationwide account (no unit), the same record in every store (its id comes
        from its name): a ministry's reporting officer or inspector signs in to any province
        with it. A store that already has it with these roles is left alone (None), so
        creating it again completes the stores a failure left without it; a store where the
        name is another account is refused before any store is written."""
        account_id = user_id_for(username)
        wanted = sorted({Role(role).value for role in roles})
        for code, ledger in sorted(self._ledgers.items()):
            found = ledger.records.find(UserAccount, account_id)
            if found is not None and (
                sorted(found.roles) != wanted or found.unit_id is not None or not found.active
            ):
                raise RuleViolation(
                    f"tỉnh {code} đã có tài khoản {username} khác (đơn vị, vai trò hoặc bị khóa)",
                    province=code,
                    username=username,
                )

        def create(ledger: Ledger) -> Recorded | None:
            if ledger.records.find(UserAccount, account_id) is not None:
                return None
            return ledger.access.create_user(ctx, username, [Role(r) for r in wanted])

        return self.publish_everywhere(create)

    def issue_national_token(
        self,
        ctx: CommandContext,
        username: str,
        ttl_hours: int | None = None,
        label: str | None = None,
    ) -> IssuedToken:
        """One bearer token of a nationwide account, kept (as its SHA-256) in every store, so
        it works on every province's API and pages. Every store must hold the account first;
        if a store refuses the token, the stores that kept it revoke it again before the
        refusal is raised: a token is usable everywhere or nowhere."""
        check_ttl_hours(ttl_hours)
        account_id = user_id_for(username)
        for code, ledger in sorted(self._ledgers.items()):
            account = ledger.records.find(UserAccount, account_id)
            if account is None or account.unit_id is not None:
                raise NotFound(
                    f"tỉnh {code} chưa có tài khoản toàn quốc {username}",
                    province=code,
                    username=username,
                )
        first = self._ledgers[min(self._ledgers)]
        hours = ttl_hours or first.settings.token_ttl_hours
        expires = first.records.clock.now() + timedelta(hours=hours)
        token = new_token(account_id)
        kept: dict[str, IssuedToken] = {}
        try:
            for code, ledger in sorted(self._ledgers.items()):
                kept[code] = ledger.access.record_token(ctx, account_id, token, expires, label)
        except BaseException:
            for code, issued in kept.items():
                try:
                    reason = "cấp toàn quốc không trọn: kho một tỉnh từ chối"
                    self._ledgers[code].access.revoke_token(ctx, issued.token_id, reason)
                except Exception:  # the refusal below says what failed; this one is logged
                    log.exception("tỉnh %s: không thu hồi được mã %s", code, issued.token_id)
            raise
        return kept[min(kept)]

    def revoke_national_token(
        self, ctx: CommandContext, token_id: uuid.UUID, reason: str
    ) -> dict[str, Recorded | None]:
        """Revoke a token in every store that keeps it (None where it is absent or already
        revoked): once revoked it is refused by every province."""

        def revoke(ledger: Ledger) -> Recorded | None:
            token = ledger.records.find(ApiToken, token_id)
            if token is None or token.revoked:
                return None
            return ledger.access.revoke_token(ctx, token_id, reason)

        return self.publish_everywhere(revoke)

    def open_read_models(self, *, catch_up: bool, scheduled: bool = False) -> dict[str, ReadModels]:
        """Each province's views (the caller closes them), folded up to date if asked;
        ``scheduled``: with the province's scheduled jobs (checkpoints), run by its loop."""
        opened: dict[str, ReadModels] = {}
        try:
            for code, ledger in self._ledgers.items():
                every = scheduled_jobs(ledger, _opened(opened, code)) if scheduled else None
                models = opened[code] = ReadModels(ledger.settings, ledger.store, every=every)
                models.initialise()
                if catch_up:
                    models.catch_up()
        except BaseException:
            for models in opened.values():
                models.close()
            raise
        return opened

    def start_read_models(self) -> dict[str, ReadModels]:
        """One fold loop per province, each on a thread of its own, in this process: every
        province's views kept up to date (and its scheduled checkpoints made) until closed.
        Each store is its own: a loop leads its own store's folding
        (application/adapters/leadership.py), never another province's."""
        opened = self.open_read_models(catch_up=False, scheduled=True)
        for models in opened.values():
            models.start()
        return opened

    def national_report(
        self,
        models: Mapping[str, ReadModels],
        *,
        cycle_year: int,
        model: str | None = None,
        structure: str | None = None,
        workers: int = REPORT_WORKERS,
    ) -> NationalReport:
        """Each province's report read from its own views, ``workers`` stores at a time
        (1: one after another), and the provinces' top lines summed."""

        def one(code: str) -> ProvinceFigures:
            ledger = self._ledgers[code]
            structures = ledger.criteria.structures()
            chosen: Structure = (
                structures.named(structure)
                if structure
                else structures.in_force_on(ledger.records.today())
            )
            result = report(
                models[code].engine,
                cycle_year=cycle_year,
                structure=chosen,
                model=model,
                depth=1,  # the province's own line: its units count straight into it
            )
            top = [line for line in result.lines if line.parent_id is None]
            return ProvinceFigures(code, self.provinces[code].name, top)

        codes = sorted(self._ledgers)
        if workers <= 1:
            figures = [one(code) for code in codes]
        else:
            with ThreadPoolExecutor(max_workers=min(workers, len(codes))) as pool:
                figures = list(pool.map(one, codes))
        total = summed(
            [line for province in figures for line in province.lines],
            unit_id="toan-quoc",
            code="VN",
            name="Toàn quốc",
            level="country",
        )
        return NationalReport(cycle_year, model, figures, total)

    def close(self) -> None:
        while self._ledgers:
            _, ledger = self._ledgers.popitem()
            ledger.close()


def _opened(opened: Mapping[str, ReadModels], code: str) -> Callable[[], ReadModels]:
    """The province's views, once opened (a scheduled job runs only after that)."""
    return lambda: opened[code]
