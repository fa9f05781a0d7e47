"""Award explanations: how a title was granted or refused, each statement citing the place in
the log of the event it rests on; as JSON, and as a plain page that prints well. Read only."""

from __future__ import annotations

from html import escape
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from api.deps import LedgerDep, PrincipalDep, ReachableCaseDep, ReaderDep
from application.clients.explanation import (
    Citation,
    Explanation,
    Language,
    explain,
    reader_names,
    related_events,
)
from application.ledger import Ledger
from application.services.access import Principal
from domain.base import CommandContext

router = APIRouter(prefix="/cases", tags=["Giải trình kết quả"])

LanguageQuery = Annotated[
    Literal["vi", "en"],
    Query(description="Ngôn ngữ: vi (mặc định) hoặc en", examples=["en"]),
]


class _FromAttributes(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CitationPublic(_FromAttributes):
    position: int | None = Field(description="Vị trí của sự kiện trong chuỗi băm của sổ cái")
    notification_id: int = Field(description="Vị trí của sự kiện trong nhật ký sự kiện")
    topic: str = Field(description="Loại sự kiện")
    originator_id: UUID = Field(description="Bản ghi phát sinh sự kiện (hồ sơ, quyết định...)")
    version: int = Field(description="Phiên bản của bản ghi sau sự kiện này")


class StatementPublic(_FromAttributes):
    text: str
    citations: list[CitationPublic] = Field(description="Các sự kiện làm căn cứ cho câu này")
    facts: dict[str, str] = Field(
        description="Các giá trị câu này nêu, đúng như sự kiện được dẫn chiếu ghi nhận"
    )


class SectionPublic(_FromAttributes):
    key: str = Field(description="criteria | opening | evidence | ... | decision | appeal")
    heading: str
    statements: list[StatementPublic]


class ExplanationPublic(_FromAttributes):
    case_id: UUID
    language: Literal["vi", "en"]
    title: str
    outcome: str = Field(description="granted | refused | revoked | reopened: hiện trạng")
    outcome_label: str
    sections: list[SectionPublic]
    subject_label: str | None = Field(
        default=None, description='"đã xóa" khi dữ liệu cá nhân của đối tượng đã bị xóa'
    )


def _explained(
    ledger: Ledger, case_id: UUID, lang: Language, reading: CommandContext, principal: Principal
) -> Explanation:
    """The explanation with the names this reader may see (read-trailed) instead of ids."""
    logged = related_events(ledger, case_id)
    return explain(ledger, case_id, lang, logged, reader_names(ledger, reading, principal, logged))


@router.get(
    "/{case_id}/explanation",
    summary="Giải trình danh hiệu (JSON)",
    response_model=ExplanationPublic,
)
def read_explanation(
    case_id: ReachableCaseDep,
    ledger: LedgerDep,
    reading: ReaderDep,
    principal: PrincipalDep,
    lang: LanguageQuery = "vi",
) -> ExplanationPublic:
    """How the case's title was decided, step by step, each statement citing its events.
    People are named for roles that read personal data, by initial for everyone else.

    404 if there is no such case; 409 (`step-out-of-order`) while it has no decision yet.
    """
    return ExplanationPublic.model_validate(_explained(ledger, case_id, lang, reading, principal))


@router.get(
    "/{case_id}/explanation.html",
    summary="Giải trình danh hiệu (trang in được)",
    response_class=HTMLResponse,
)
def read_explanation_page(
    case_id: ReachableCaseDep,
    ledger: LedgerDep,
    reading: ReaderDep,
    principal: PrincipalDep,
    lang: LanguageQuery = "vi",
) -> HTMLResponse:
    """The same explanation as a self-contained page to read or print."""
    return HTMLResponse(page(_explained(ledger, case_id, lang, reading, principal)))


#: Page words per language: a citation, the outcome, the case, the note on citations.
WORDS = {
    "vi": (
        "vị trí",
        "Kết quả",
        "Hồ sơ",
        "[vị trí N]: vị trí trong chuỗi băm của sổ cái của sự kiện làm căn cứ cho câu đó;"
        " có thể đối chiếu bằng công cụ kiểm tra sổ cái.",
    ),
    "en": (
        "position",
        "Outcome",
        "Case",
        "[position N]: the position in the ledger's hash chain of the event the statement rests"
        " on; it can be checked with the ledger's verifier.",
    ),
}

STYLE = """
body { font-family: "Times New Roman", serif; max-width: 48em; margin: 2em auto;
       padding: 0 1em; line-height: 1.45; color: #000; background: #fff; }
h1 { font-size: 1.35em; } h2 { font-size: 1.1em; border-bottom: 1px solid #888; }
li { margin: 0.3em 0; } .cite { color: #333; font-size: 0.85em; white-space: nowrap; }
footer { margin-top: 2em; font-size: 0.85em; border-top: 1px solid #888; }
@page { size: A4; margin: 2cm; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
               li { break-inside: avoid; } }
"""


def cite(citation: Citation, word: str) -> str:
    """``[vị trí N]``; a missing chain row shows ``?`` (the verifier reports why)."""
    where = "?" if citation.position is None else str(citation.position)
    about = f"{citation.topic} #{citation.notification_id}"
    return f'<span class="cite" title="{escape(about)}">[{escape(word)} {where}]</span>'


def page(explanation: Explanation) -> str:
    """A plain HTML page: one section per part, every value escaped, citations shown."""
    word, outcome, case, note = WORDS[explanation.language]
    label = explanation.subject_label
    erased = f" ({escape(label)})" if label else ""
    sections = []
    for section in explanation.sections:
        items = "".join(
            f"<li>{escape(s.text)} {' '.join(cite(c, word) for c in s.citations)}</li>"
            for s in section.statements
        )
        sections.append(f"<section><h2>{escape(section.heading)}</h2><ol>{items}</ol></section>")
    return (
        f'<!DOCTYPE html><html lang="{escape(explanation.language)}"><head>'
        '<meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        f"<title>{escape(explanation.title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(explanation.title)}</h1>"
        f"<p>{escape(case)}: {escape(str(explanation.case_id))}{erased}. {escape(outcome)}:"
        f" <strong>{escape(explanation.outcome_label)}</strong>.</p>"
        f"{''.join(sections)}<footer><p>{escape(note)}</p></footer></body></html>"
    )
