"""Bulk import from the spreadsheets villages keep: what a workbook holds, and the import itself.

The sheets, their columns (Vietnamese headers and the variants people type) and the code
lists are data: the template generator writes them, the reader recognises them, and the
check refuses what falls outside them. An :class:`Import` is the auditable event of one
import: who imported which file (by its SHA-256 digest) into which commune, how many rows it
held, and which rows were accepted, batch by batch; every record it creates carries the
import's id as the ``causation_id`` of its events.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from domain.base import LedgerAggregate, LedgerCreated, aggregate_topic, ledger_id
from domain.errors import RuleViolation


class SheetKind(StrEnum):
    HOUSEHOLDS = "households"
    PERSONS = "persons"
    REGISTRATIONS = "registrations"


@dataclass(frozen=True)
class Column:
    """A column: its key in code, its header in the template, the headers also recognised
    (compared without case, accents or spaces), whether a row needs it, and its code list."""

    key: str
    header: str
    variants: tuple[str, ...] = ()
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (code, Vietnamese label)
    note: str = ""


@dataclass(frozen=True)
class Sheet:
    kind: SheetKind
    title: str
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


GENDERS = (("nam", "Nam"), ("nu", "Nữ"))
TARGET_GROUPS = (("nong_dan", "Nông dân"), ("cong_nhan", "Công nhân"), ("can_bo", "Cán bộ"))
RELATIONS = (
    ("chu_ho", "Chủ hộ"),
    ("vo", "Vợ"),
    ("chong", "Chồng"),
    ("con", "Con"),
    ("bo", "Bố"),
    ("me", "Mẹ"),
    ("chau", "Cháu"),
    ("khac", "Khác"),
)

HOUSEHOLDS = Sheet(
    SheetKind.HOUSEHOLDS,
    "Hộ gia đình",
    (
        Column("household_code", "Mã hộ", ("ma ho", "ma ho gia dinh", "so ho"), True,
               note="Mã do thôn đặt, duy nhất trong thôn (ví dụ H001)"),
        Column("village_code", "Mã thôn", ("ma thon", "ma to dan pho", "thon"), True,
               note="Mã đơn vị hành chính của thôn"),
        Column("name", "Tên hộ", ("ten ho", "ho", "ten chu ho"), True,
               note="Ví dụ: Hộ ông Nguyễn Văn An"),
        Column("clan", "Dòng họ", ("dong ho", "ten dong ho", "thuoc dong ho"),
               note="Tên dòng họ trong thôn mà hộ thuộc về (ví dụ Dòng họ Nguyễn thôn Đông)"),
    ),
)  # fmt: skip
PERSONS = Sheet(
    SheetKind.PERSONS,
    "Nhân khẩu",
    (
        Column("cccd", "Số CCCD", ("cccd", "so cccd", "so cmnd", "so dinh danh", "cccd cmnd"),
               True, note="12 chữ số (hoặc CMND 9 chữ số), nhập dạng văn bản"),
        Column("full_name", "Họ và tên", ("ho ten", "ho va ten", "ten"), True),
        Column("birth_date", "Ngày sinh", ("ngay sinh", "ngay thang nam sinh"),
               note="dd/mm/yyyy, không ở tương lai"),
        Column("gender", "Giới tính", ("gioi tinh", "gioi"), choices=GENDERS),
        Column("ethnicity", "Dân tộc", ("dan toc",)),
        Column("target_group", "Đối tượng", ("doi tuong", "nhom doi tuong"),
               choices=TARGET_GROUPS, note="Để trống với trẻ em"),
        Column("village_code", "Mã thôn", ("ma thon", "ma to dan pho", "thon"), True),
        Column("household_code", "Mã hộ", ("ma ho", "ma ho gia dinh", "so ho"),
               note="Mã hộ ở trang Hộ gia đình, hoặc hộ đã nhập trước"),
        Column("relation", "Quan hệ với chủ hộ", ("quan he", "quan he voi chu ho"),
               choices=RELATIONS),
    ),
)  # fmt: skip
#: The titles a village registers for each year: a person, a household, a clan of the
#: village, or the village itself as a community.
TITLES = (
    ("cong_dan_hoc_tap", "Công dân học tập"),
    ("gia_dinh_hoc_tap", "Gia đình học tập"),
    ("dong_ho_hoc_tap", "Dòng họ học tập"),
    ("cong_dong_hoc_tap", "Cộng đồng học tập"),
)
REGISTRATIONS = Sheet(
    SheetKind.REGISTRATIONS,
    "Đăng ký danh hiệu",
    (
        Column("title", "Danh hiệu", ("danh hieu", "danh hieu dang ky"), True, choices=TITLES),
        Column("cycle_year", "Năm", ("nam", "nam dang ky", "chu ky"), True,
               note="Năm của chu kỳ đánh giá, ví dụ 2026"),
        Column("cccd", "Số CCCD", ("cccd", "so cccd", "so cmnd", "so dinh danh", "cccd cmnd"),
               note="Với Công dân học tập: người đã có ở trang Nhân khẩu hoặc đã đăng ký"),
        Column("village_code", "Mã thôn", ("ma thon", "ma to dan pho", "thon"),
               note="Với Gia đình, Dòng họ học tập; với Cộng đồng học tập: chính thôn đó"),
        Column("household_code", "Mã hộ", ("ma ho", "ma ho gia dinh", "so ho"),
               note="Với Gia đình học tập: hộ ở trang Hộ gia đình hoặc đã nhập trước"),
        Column("clan", "Dòng họ", ("dong ho", "ten dong ho"),
               note="Với Dòng họ học tập: tên dòng họ của thôn, như ở trang Hộ gia đình"),
    ),
)  # fmt: skip
SHEETS = (HOUSEHOLDS, PERSONS, REGISTRATIONS)
#: Which sheets each template holds.
TEMPLATES: dict[str, tuple[Sheet, ...]] = {
    "persons": (PERSONS,),
    "households": (HOUSEHOLDS, PERSONS),
    "registrations": (REGISTRATIONS,),
}


def template_of(present: set[SheetKind]) -> str:
    """The name of the smallest template whose sheets hold every sheet kind ``present`` (what
    an import record says it read); the kinds joined with "+" when no one template has them
    all (a workbook that mixes person and registration rows)."""
    fitting = [
        name for name, sheets in TEMPLATES.items() if present <= {sheet.kind for sheet in sheets}
    ]
    if fitting:
        return min(fitting, key=lambda name: len(TEMPLATES[name]))
    return "+".join(kind.value for kind in SheetKind if kind in present)


def household_id_for(village_id: UUID, household_code: str) -> UUID:
    """A household imported with a code has an id derived from its village and code, so
    importing it again finds it instead of registering it twice."""
    return ledger_id("imported-household", village_id, household_code.casefold())


def clan_id_for(village_id: UUID, clan_name: str) -> UUID:
    """A clan named in an import: one per village and name (case and spacing aside)."""
    return ledger_id("imported-clan", village_id, " ".join(clan_name.casefold().split()))


def import_id_for(unit_id: UUID, digest: str) -> UUID:
    """One import per commune and file content: the same file imported again is the same
    import (resumed if it was cut off, nothing new if it finished)."""
    return ledger_id("import", unit_id, digest)


@aggregate_topic("hoctap.Import")
class Import(LedgerAggregate):
    """One file imported into one commune: started, accepted batch by batch, completed."""

    class Started(LedgerCreated):
        TOPIC = "hoctap.Import.Started"
        unit_id: UUID
        digest: str
        row_count: int
        template: str

    class RowsAccepted(LedgerAggregate.Event):
        """Rows (sheet kind, row numbers) written in one batch, and how many records."""

        TOPIC = "hoctap.Import.RowsAccepted"
        sheet: str
        rows: list[int]
        created: int

        def apply(self, aggregate: Import) -> None:
            aggregate.accepted.setdefault(self.sheet, set()).update(self.rows)

    class Completed(LedgerAggregate.Event):
        TOPIC = "hoctap.Import.Completed"
        accepted: int
        unchanged: int

        def apply(self, aggregate: Import) -> None:
            aggregate.completed = True

    def __init__(self, unit_id: UUID, digest: str, row_count: int, template: str) -> None:
        self.unit_id = unit_id
        self.digest = digest
        self.row_count = row_count
        self.template = template
        self.accepted: dict[str, set[int]] = {}
        self.completed = False

    @classmethod
    def start(cls, *, unit_id: UUID, digest: str, row_count: int, template: str) -> Import:
        return cls._create(
            cls.Started,
            id=import_id_for(unit_id, digest),
            unit_id=unit_id,
            digest=digest,
            row_count=row_count,
            template=template,
        )

    def accept_rows(self, sheet: SheetKind, rows: list[int], created: int) -> None:
        self._check_open()
        if rows:
            self.trigger_event(self.RowsAccepted, sheet=sheet.value, rows=rows, created=created)

    def complete(self, unchanged: int) -> None:
        self._check_open()
        accepted = sum(len(rows) for rows in self.accepted.values())
        self.trigger_event(self.Completed, accepted=accepted, unchanged=unchanged)

    def _check_open(self) -> None:
        if self.completed:
            raise RuleViolation("lần nhập này đã hoàn tất", import_id=str(self.id))
