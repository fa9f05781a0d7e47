"""How a console command reaches the ledger: as the local operator, on the configured store."""

from __future__ import annotations

import getpass
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from application.ledger import Ledger
from application.settings import Settings, SettingsError
from cli.errors import fail
from domain.base import CommandContext
from domain.glossary import Role


def operator_context() -> CommandContext:
    """Commands typed at the console act as the local operator, in the administrator role."""
    return CommandContext(f"cli:{getpass.getuser()}", Role.ADMINISTRATOR.value, str(uuid.uuid4()))


@contextmanager
def open_ledger(*, initialise: bool = True) -> Iterator[Ledger]:
    try:
        ledger = Ledger(Settings(), initialise=initialise)
    except (SettingsError, ValueError) as exc:
        fail(f"cấu hình không hợp lệ: {exc}")
    try:
        yield ledger
    finally:
        ledger.close()
