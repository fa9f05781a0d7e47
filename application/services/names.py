"""What a reader may see in place of an id: names for those whose role needs them.

Pages list people, households, accounts and units; nobody should read a UUID. A person's or
household's name is personal data: it is decrypted only for the roles that read personal
data (and for the person themself or a member of the household), and each such view goes
into the reader's read trail, as the API's person reads do. Everyone else sees an initial;
an erased person shows as "đã xóa".
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from application.adapters.vault import PersonalDataVault
from application.services.access import AccessService
from application.services.records import Records
from domain.access import PERSONAL_DATA_READERS, UserAccount
from domain.base import CommandContext
from domain.glossary import ERASED_LABEL, Role, SubjectKind
from domain.registry import AdministrativeUnit, Collective, Person

ERASED = ERASED_LABEL["vi"]
UNKNOWN = "(không rõ)"


def initial(name: str) -> str:
    """The initial of a Vietnamese name's given name (its last word): "Nguyễn Thị Hoa" → "H."."""
    words = name.split()
    return f"{words[-1][0].upper()}." if words else "?"


class NameBook:
    """Turns the ids of persons, collectives, accounts and units into readable names."""

    def __init__(self, records: Records, vault: PersonalDataVault, access: AccessService) -> None:
        self.records = records
        self.vault = vault
        self.access = access

    def names(
        self,
        ctx: CommandContext,
        ids: Iterable[UUID | None],
        *,
        roles: Iterable[Role] = (),
        person_id: UUID | None = None,
        needed: Iterable[UUID] = (),
    ) -> dict[UUID, str]:
        """A name for each id that names a record; ``roles`` and ``person_id`` are the
        reader's (who may read personal data). ``needed``: ids whose names this reader's
        work needs though their role reads no personal data in general (a complaint
        handler, the complainants in their scope). Decrypted names are recorded as read."""
        wanted = list(dict.fromkeys(i for i in ids if i is not None))
        loaded = self.records.load_all(wanted)
        reads_personal = any(role in PERSONAL_DATA_READERS for role in roles)
        needs = set(needed)
        shown: dict[UUID, str] = {}
        read: list[tuple[str, UUID]] = []
        for record_id in wanted:
            item = loaded.get(record_id)
            reads = reads_personal or record_id in needs
            if isinstance(item, Person):
                full = self._sealed_name(item.id, item.sealed, "full_name")
                own = person_id == item.id
                shown[record_id] = self._personal(item.erased, full, reads or own)
                if full and reads and not own and not item.erased:
                    read.append(("person", item.id))
            elif isinstance(item, Collective):
                shown[record_id] = self._collective(item, reads, person_id, read)
            elif isinstance(item, UserAccount):
                shown[record_id] = item.username
            elif isinstance(item, AdministrativeUnit):
                shown[record_id] = item.name
        if read:
            self.access.record_views(ctx, read, "tên hiện trên trang")
        return shown

    def _collective(
        self,
        item: Collective,
        reads_personal: bool,
        person_id: UUID | None,
        read: list[tuple[str, UUID]],
    ) -> str:
        if item.kind is not SubjectKind.HOUSEHOLD:
            return item.name or UNKNOWN
        member = person_id is not None and person_id in item.members
        name = self._sealed_name(item.id, item.sealed, "name")
        if name and reads_personal and not member:
            read.append(("household", item.id))
        return self._personal(False, name, reads_personal or member)

    def _sealed_name(self, subject_id: UUID, sealed: str | None, field: str) -> str | None:
        details = self.vault.unseal(subject_id, sealed)
        value = details.get(field) if details else None
        return value if isinstance(value, str) else None

    @staticmethod
    def _personal(erased: bool, name: str | None, readable: bool) -> str:
        if erased or name is None:
            return ERASED
        return name if readable else initial(name)
