"""Assessment cases: every step from registration to the council's appraisal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Response, UploadFile

from api import schemas, views
from api.dates import DocumentDate
from api.deps import OFFICERS, IfMatchDep, LedgerDep, ReaderDep, acting_as
from api.params import CaseId, EvidenceId
from api.routers.reads import ReadModelsDep
from application.services.assessments import SeatRequest
from domain.base import CommandContext
from domain.errors import InvalidInput
from domain.glossary import Role

router = APIRouter(prefix="/cases", tags=["Hồ sơ đánh giá"])

ApplicantDep = Annotated[CommandContext, Depends(acting_as(Role.CITIZEN, *OFFICERS))]
ReviewerDep = Annotated[CommandContext, Depends(acting_as(Role.REVIEWER))]
OfficerDep = Annotated[CommandContext, Depends(acting_as(*OFFICERS))]
CouncilDep = Annotated[CommandContext, Depends(acting_as(Role.COUNCIL_MEMBER))]
ConflictDep = Annotated[
    CommandContext, Depends(acting_as(Role.COUNCIL_MEMBER, Role.COMMUNE_OFFICER))
]


@router.post("", summary="Mở hồ sơ xét danh hiệu", status_code=201, response_model=schemas.Recorded)
def open_case(
    body: schemas.CaseOpen, ledger: LedgerDep, ctx: ApplicantDep, response: Response
) -> Response:
    """Register a subject for a title in a cycle year, pinned to the criteria set in force."""
    result = ledger.assessments.open_case(
        ctx,
        body.subject_id,
        body.model,
        body.cycle_year,
        body.opened_on,
        body.level,
        body.target_group,
    )
    response.headers["Location"] = f"/cases/{result.id}"
    return views.recorded(result, response, status_code=201)


@router.get("/{case_id}", summary="Đọc hồ sơ", response_model=schemas.CasePublic)
def read_case(
    case_id: CaseId, ledger: LedgerDep, reading: ReaderDep, response: Response
) -> schemas.CasePublic:
    """Where the case stands: scores, total, verdict, evidence, council and decision."""
    item = ledger.scopes.case_for(reading, case_id, reading=True)
    views.etag(response, item.version)
    return views.case(item, ledger.criteria.spec_of(item))


@router.post(
    "/{case_id}/evidence",
    summary="Nộp minh chứng (multipart)",
    status_code=201,
    response_model=schemas.Recorded,
)
def attach_evidence(
    case_id: CaseId,
    ledger: LedgerDep,
    ctx: ApplicantDep,
    response: Response,
    expected: IfMatchDep,
    file: Annotated[
        UploadFile,
        File(
            description="Trường file: tệp minh chứng (PDF, ảnh PNG/JPEG, văn bản), nhận theo nội"
            " dung chứ không theo tên; tối đa HOCTAP_MAX_UPLOAD_BYTES",
            examples=["giay-xac-nhan.pdf"],
        ),
    ],
    kind: Annotated[
        schemas.Line,
        Form(
            min_length=1,
            max_length=64,
            description="Trường kind: loại minh chứng",
            examples=["giay_xac_nhan", "chung_chi"],
        ),
    ],
    issuer: Annotated[
        schemas.Line,
        Form(
            min_length=1,
            max_length=300,
            description="Trường issuer: nơi cấp",
            examples=["Chi hội Khuyến học"],
        ),
    ],
    issued_on: Annotated[
        DocumentDate,
        Form(description="Trường issued_on: ngày cấp (YYYY-MM-DD)", examples=["2026-01-15"]),
    ],
    indicators: Annotated[
        schemas.Line,
        Form(
            max_length=2000,
            description="Trường indicators: mã các chỉ số mà minh chứng này chứng minh, cách"
            " nhau bằng dấu phẩy",
            examples=["1,2,3,4,5,6,7,8,9,10"],
        ),
    ],
) -> Response:
    content = evidence_file(file, ledger.settings.max_upload_bytes)
    codes = [c.strip() for c in indicators.split(",") if c.strip()]
    result, evidence_id = ledger.assessments.attach_evidence(
        ctx,
        case_id,
        content=content,
        kind=kind,
        issuer=issuer,
        issued_on=issued_on,
        indicators=codes,
        expected_version=expected,
    )
    response.headers["Location"] = f"/cases/{case_id}/evidence/{evidence_id}"
    return views.recorded(result, response, status_code=201)


def evidence_file(file: UploadFile, limit: int) -> bytes:
    """An uploaded evidence file's bytes, refused past ``limit`` (the API's and the pages')."""
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise InvalidInput("tệp minh chứng quá lớn", max_bytes=limit)
    return content


@router.get(
    "/{case_id}/evidence/{evidence_id}",
    summary="Tải tệp minh chứng",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def read_evidence(
    case_id: CaseId, evidence_id: EvidenceId, ledger: LedgerDep, reading: ReaderDep
) -> Response:
    """The evidence file, after checking its bytes against the digest in the log.
    The download is recorded."""
    content, media_type = ledger.assessments.read_evidence(reading, case_id, evidence_id)
    ledger.access.record_view(reading, "evidence", str(evidence_id), f"hồ sơ {case_id}")
    return Response(content, media_type=media_type)


@router.post(
    "/{case_id}/evidence/{evidence_id}/supersession",
    summary="Thay thế hoặc rút minh chứng",
    response_model=schemas.Recorded,
)
def supersede_evidence(
    case_id: CaseId,
    evidence_id: EvidenceId,
    body: schemas.EvidenceSupersession,
    ledger: LedgerDep,
    ctx: ApplicantDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    result = ledger.assessments.supersede_evidence(
        ctx, case_id, evidence_id, body.replaced_by, body.reason, expected
    )
    return views.recorded(result, response)


@router.post("/{case_id}/self-assessment", summary="Tự đánh giá", response_model=schemas.Recorded)
def self_assess(
    case_id: CaseId,
    body: schemas.SelfAssessment,
    ledger: LedgerDep,
    ctx: ApplicantDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    result = ledger.assessments.self_assess(ctx, case_id, body.scores, body.assessed_on, expected)
    return views.recorded(result, response)


@router.post("/{case_id}/review", summary="Thẩm định", response_model=schemas.Recorded)
def review(
    case_id: CaseId,
    body: schemas.Review,
    ledger: LedgerDep,
    ctx: ReviewerDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    result = ledger.assessments.review(
        ctx, case_id, body.scores, body.evidence_seen, body.remarks, body.reviewed_on, expected
    )
    return views.recorded(result, response)


@router.post(
    "/{case_id}/score-revisions",
    summary="Điều chỉnh điểm một chỉ số",
    response_model=schemas.Recorded,
)
def revise_score(
    case_id: CaseId,
    body: schemas.ScoreRevision,
    ledger: LedgerDep,
    ctx: ReviewerDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    result = ledger.assessments.revise_score(
        ctx,
        case_id,
        body.indicator,
        body.score,
        body.reason,
        body.revised_on,
        expected,
        body.complaint_id,
    )
    return views.recorded(result, response)


@router.post(
    "/{case_id}/member-shares",
    summary="Tính chỉ số theo tỷ lệ thành viên",
    response_model=schemas.Recorded,
)
def compute_member_share(
    case_id: CaseId,
    body: schemas.MemberShareCompute,
    ledger: LedgerDep,
    models: ReadModelsDep,
    ctx: OfficerDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    """Record a computed indicator (e.g. the share of members holding Công dân học tập on
    31 December of the cycle year) as counted from the register, with its inputs and the
    log position it was counted at."""
    result = ledger.assessments.compute_member_share(
        ctx,
        models,
        case_id,
        body.indicator,
        ledger.settings.read_wait_max_seconds,
        body.computed_on,
        expected,
    )
    return views.recorded(result, response)


@router.post("/{case_id}/notice", summary="Niêm yết công khai", response_model=schemas.Recorded)
def post_notice(
    case_id: CaseId,
    body: schemas.NoticePost,
    ledger: LedgerDep,
    ctx: OfficerDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    result = ledger.assessments.post_notice(
        ctx, case_id, body.posted_on, body.closes_on, body.place, expected
    )
    return views.recorded(result, response)


@router.post(
    "/{case_id}/notice/closure", summary="Kết thúc niêm yết", response_model=schemas.Recorded
)
def close_notice(
    case_id: CaseId,
    body: schemas.NoticeClose,
    ledger: LedgerDep,
    ctx: OfficerDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    result = ledger.assessments.close_notice(
        ctx, case_id, body.closed_on, body.comments_received, body.summary, expected
    )
    return views.recorded(result, response)


@router.post(
    "/{case_id}/council", summary="Lập hội đồng xét duyệt", response_model=schemas.Recorded
)
def form_council(
    case_id: CaseId,
    body: schemas.CouncilCreate,
    ledger: LedgerDep,
    ctx: OfficerDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    seats = [SeatRequest(m.user_id, m.role, m.conflict) for m in body.members]
    result = ledger.assessments.form_council(
        ctx, case_id, body.name, seats, body.formed_on, expected
    )
    return views.recorded(result, response)


@router.post(
    "/{case_id}/council/conflicts",
    summary="Khai báo xung đột lợi ích",
    response_model=schemas.Recorded,
)
def declare_conflict(
    case_id: CaseId,
    body: schemas.ConflictDeclaration,
    ledger: LedgerDep,
    ctx: ConflictDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    result = ledger.assessments.declare_conflict(
        ctx, case_id, body.member_id, body.reason, expected
    )
    return views.recorded(result, response)


@router.post(
    "/{case_id}/appraisal",
    summary="Ghi kết quả xét duyệt của hội đồng",
    response_model=schemas.Recorded,
)
def appraise(
    case_id: CaseId,
    body: schemas.Appraisal,
    ledger: LedgerDep,
    ctx: CouncilDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    result = ledger.assessments.appraise(
        ctx,
        case_id,
        recommended=body.recommended,
        votes_for=body.votes_for,
        votes_against=body.votes_against,
        remarks=body.remarks,
        on=body.appraised_on,
        expected_version=expected,
    )
    return views.recorded(result, response)


@router.post("/{case_id}/withdrawal", summary="Rút hồ sơ", response_model=schemas.Recorded)
def withdraw(
    case_id: CaseId,
    body: schemas.Withdrawal,
    ledger: LedgerDep,
    ctx: ApplicantDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    return views.recorded(
        ledger.assessments.withdraw_case(ctx, case_id, body.reason, expected), response
    )
