"""How a console command reaches the ledger: as the local operator, on the configured store.

With ``HOCTAP_PROVINCES_FILE`` a deployment has one store per province: every command then
runs on the province chosen with ``hoctap --tinh <mã>`` (or ``HOCTAP_PROVINCE``).
"""

from __future__ import annotations

import getpass
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from application.clients.provinces import read_provinces
from application.ledger import Ledger
from application.settings import Settings, SettingsError
from cli.errors import fail, options
from domain.base import CommandContext
from domain.glossary import Role


def operator_context() -> CommandContext:
    """Commands typed at the console act as the local operator, in the administrator role."""
    return CommandContext(f"cli:{getpass.getuser()}", Role.ADMINISTRATOR.value, str(uuid.uuid4()))


def base_settings() -> Settings:
    """The settings of the environment, as they are (every province's, with a provinces file)."""
    try:
        return Settings()
    except (SettingsError, ValueError) as exc:
        fail(f"cấu hình không hợp lệ: {exc}")


def current_settings() -> Settings:
    """The settings of the store this command works on: the one store, or the province
    chosen with ``--tinh`` when a provinces file is configured."""
    settings = base_settings()
    chosen = options.province
    if settings.provinces_file is None:
        if chosen is not None:
            fail("--tinh chỉ dùng được khi đã đặt HOCTAP_PROVINCES_FILE (triển khai nhiều tỉnh)")
        return settings
    try:
        provinces = read_provinces(settings)
    except SettingsError as exc:
        fail(f"cấu hình không hợp lệ: {exc}")
    if chosen is None:
        fail(
            "triển khai nhiều tỉnh: chọn tỉnh bằng hoctap --tinh <mã> …"
            " (danh sách: hoctap tinh list)"
        )
    for province in provinces:
        if province.code == chosen:
            return province.settings
    fail(f"không có tỉnh mã {chosen!r} (các tỉnh: {', '.join(p.code for p in provinces)})")


@contextmanager
def open_ledger(*, initialise: bool = True) -> Iterator[Ledger]:
    settings = current_settings()
    try:
        ledger = Ledger(settings, initialise=initialise)
    except (SettingsError, ValueError) as exc:
        fail(f"cấu hình không hợp lệ: {exc}")
    try:
        yield ledger
    finally:
        ledger.close()
