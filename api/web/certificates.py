"""Paper certificates (giấy chứng nhận) and their public check.

* ``GET /trang/ho-so/{case_id}/giay-chung-nhan``: the printable certificate of a granted
  title, for whoever may read the case (same sign-in and scope as the case page). The
  holder's name follows the names rule (:class:`NameBook`): in full for the holder and for
  the roles that read personal data, as an initial for everyone else. Its QR code holds the
  public check's address.
* ``GET /xac-minh/{serial}`` (no sign-in; ``.json`` or ``Accept: application/json`` for
  JSON): valid, expired, revoked or unknown, with the title, cycle, authority and decision;
  the holder only as initials. ``POST`` the same address with ``ho_ten`` or ``nam_sinh``:
  "khớp" or "không khớp", never the value held. Lookups are rate-limited per client address
  and counted by outcome (``hoctap_certificate_checks_total``).
* ``GET /trang/ho-so/{case_id}/chung-chi.json``: the same award as a signed W3C Verifiable
  Credential (Open Badges 3.0, eddsa-jcs-2022), for whoever may print the certificate.
* ``GET /chung-chi/trang-thai/{n}`` (public): status list ``n`` (Bitstring Status List,
  signed); ``GET /chung-chi/ben-cap.json`` and ``/.well-known/jwks.json`` (public): the
  issuer's key as a DID document and as a JWK set.
"""

from __future__ import annotations

import json
import time
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from prometheus_client import CollectorRegistry, Counter

from api.deps import LedgerDep, public_base
from api.limits import TokenBuckets
from api.problems import problem
from api.web.pages import environment, models_of, page_router, render
from api.web.session import PageReaderDep, SignedInDep, app_path, root
from application.clients.badges import (
    MEDIA_TYPE,
    STATUS_PATH,
    Issuer,
    credential_of_case,
    holder_details,
    status_list_credential,
)
from application.clients.public_audit import EventInclusion, event_inclusion
from application.ledger import Ledger
from domain.assessment import AssessmentCase
from domain.certificates import certificate_serial, certificate_status, initials, parse_serial
from domain.decision import RecognitionDecision
from domain.errors import NotFound
from domain.glossary import CaseStatus, label
from domain.verifiable import STATUS_LIST_BITS, did_document, jwk
from projections.register.projection import Register
from projections.register.queries import certificate, status_changes

router = page_router()
public = APIRouter(include_in_schema=False)

PATH = "/xac-minh"
STATUS_LABELS = {
    "valid": "Còn hiệu lực",
    "expired": "Hết hiệu lực",
    "revoked": "Đã thu hồi",
    "superseded": "Đã được thay bằng giấy chứng nhận khác",
    "unknown": "Không tìm thấy",
}


def checks_counter(registry: CollectorRegistry) -> Counter:
    return Counter(
        "hoctap_certificate_checks",
        "Public certificate checks, by outcome",
        ["outcome"],
        registry=registry,
    )


def verify_url(request: Request, serial: str) -> str:
    return f"{public_base(request)}{PATH}/{serial}"


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG (error correction M: survives a fold or a stain)."""
    return str(segno.make(url, error="m", micro=False).svg_inline(scale=4, border=2))


# ---------------------------------------------------------------- the printable certificate


@dataclass(frozen=True)
class Printed:
    case: AssessmentCase
    decision: RecognitionDecision
    holder: str
    serial: str
    url: str
    valid_from: date
    valid_until: date


def printed_certificate(
    request: Request, ledger: Ledger, reading: Any, principal: Any, case_id: UUID
) -> Printed:
    """What a certificate shows, to a reader of the case (its scope, 404 when the case has
    no granted title); the holder by the names rule; the serial and the public check's URL."""
    case = ledger.scopes.case_for(reading, case_id, reading=True)
    if case.status is not CaseStatus.GRANTED or case.decision_id is None:
        raise NotFound("hồ sơ chưa được công nhận danh hiệu: chưa có giấy chứng nhận")
    if case.valid_from is None or case.valid_until is None:  # a grant always sets both
        raise NotFound("hồ sơ chưa có thời hạn hiệu lực: chưa có giấy chứng nhận")
    decision = ledger.records.get(RecognitionDecision, case.decision_id)
    names = ledger.names.names(
        reading, [case.subject_id], roles=principal.roles, person_id=principal.person_id
    )
    serial = certificate_serial(case.id, decision.id)
    return Printed(
        case,
        decision,
        names.get(case.subject_id, "—"),
        serial,
        verify_url(request, serial),
        case.valid_from,
        case.valid_until,
    )


@router.get("/ho-so/{case_id}/giay-chung-nhan")
def printable(
    request: Request,
    case_id: UUID,
    ledger: LedgerDep,
    reading: PageReaderDep,
    principal: SignedInDep,
) -> Response:
    printed = printed_certificate(request, ledger, reading, principal, case_id)
    return render(
        request,
        "giay_chung_nhan.html",
        case=printed.case,
        holder=printed.holder,
        title=label(printed.case.model),
        decision=printed.decision,
        serial=printed.serial,
        url=printed.url,
        qr=qr_svg(printed.url),
    )


def _signed_json(body: dict[str, Any], *, filename: str | None = None) -> Response:
    headers = {"Cache-Control": "no-cache"}
    if filename is not None:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(
        json.dumps(body, ensure_ascii=False, indent=2).encode(),
        media_type=MEDIA_TYPE,
        headers=headers,
    )


@router.get("/ho-so/{case_id}/chung-chi.json")
def credential(
    request: Request,
    case_id: UUID,
    ledger: LedgerDep,
    reading: PageReaderDep,
    principal: SignedInDep,
) -> Response:
    """The award as a signed credential (:func:`credential_of_case`)."""
    serial, body = credential_of_case(
        ledger,
        models_of(request).engine,
        reading,
        principal,
        case_id,
        public_base(request),
    )
    return _signed_json(body, filename=f"chung-chi-{serial}.json")


@public.get(STATUS_PATH + "/{number}")
def status_list(request: Request, number: int, ledger: LedgerDep) -> Response:
    """Status list ``number``: one revocation bit per grant recorded at a log position in
    ``[number·131072, (number+1)·131072)``, from the register; made again only once the
    register has folded more events or the day has turned."""
    last = ledger.store.recorder.max_notification_id() or 0
    if not 0 <= number <= last // STATUS_LIST_BITS:
        raise NotFound("không có danh sách trạng thái này")
    engine = models_of(request).engine
    register = Register()
    generation = engine.ensure_live(register)
    # made again only when the register has folded more events or the day has turned (a
    # revocation takes effect on its day): many verifiers asking cost one query each
    key = (generation, engine.position(register.name, generation), ledger.records.today())
    cache: dict[tuple[int, str], tuple[Any, dict[str, Any]]] | None = getattr(
        request.app.state, "status_lists", None
    )
    if cache is None:
        cache = request.app.state.status_lists = {}
    base = public_base(request)
    kept = cache.get((number, base))
    if kept is not None and kept[0] == key:
        return _signed_json(kept[1])
    first = number * STATUS_LIST_BITS
    grants = status_changes(engine, first, first + STATUS_LIST_BITS)
    body = status_list_credential(ledger, Issuer.of(ledger), number, grants, base)
    if len(cache) > 64:  # one entry per list and address: a handful in practice
        cache.clear()
    cache[(number, base)] = (key, body)
    return _signed_json(body)


@public.get("/chung-chi/ben-cap.json")
def issuer_document(ledger: LedgerDep) -> JSONResponse:
    """The issuer's DID document (``did:key``: the same key signs the log's checkpoints)."""
    return JSONResponse(did_document(Issuer.of(ledger).public_key))


@public.get("/.well-known/jwks.json")
def issuer_keys(ledger: LedgerDep) -> JSONResponse:
    return JSONResponse({"keys": [jwk(Issuer.of(ledger).public_key)]})


# ---------------------------------------------------------------- the public check


@dataclass(frozen=True)
class Check:
    serial: str
    status: str
    facts: dict[str, Any]
    subject_id: UUID | None = None
    #: The grant event against the latest signed checkpoint, its proof checked here.
    inclusion: EventInclusion | None = None


def check(ledger: Ledger, request: Request, serial: str) -> Check:
    found = certificate(models_of(request).engine, serial)
    if found is None:
        return Check(serial, "unknown", {})
    grant, later = found
    status, revoked_from = certificate_status(
        grant["valid_until"],
        [(c["change"], c["effective_from"]) for c in later],
        ledger.records.today(),
    )
    decision = ledger.records.get(RecognitionDecision, UUID(grant["decision_id"]))
    case = ledger.records.get(AssessmentCase, UUID(grant["case_id"]))
    subject_id = UUID(grant["subject_id"])
    facts = {
        "title": label(grant["model"]),
        "cycle_year": case.cycle_year,
        "holder": _holder_initials(ledger, subject_id),
        "authority_name": decision.authority_name,
        "signer_title": decision.signer_title,
        "decision_number": decision.number,
        "decided_on": decision.decided_on,
        "valid_from": grant["valid_from"],
        "valid_until": grant["valid_until"],
        "revoked_from": revoked_from,
    }
    inclusion = event_inclusion(ledger, int(grant["position"]))
    return Check(serial, status, facts, subject_id, inclusion)


def _holder_initials(ledger: Ledger, subject_id: UUID) -> str:
    name, _, personal = holder_details(ledger, subject_id)
    if name is None:
        return "—"
    return initials(name) if personal else name


def _folded(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def matches(ledger: Ledger, subject_id: UUID, full_name: str, birth_year: str) -> bool | None:
    """Whether what the visitor typed is the holder's; None when they typed nothing."""
    name, born, _ = holder_details(ledger, subject_id)
    if full_name.strip():
        return name is not None and _folded(full_name) == _folded(name)
    year = birth_year.strip()
    if year:
        return born is not None and year.isascii() and year.isdigit() and born[:4] == year
    return None


def _limited(request: Request) -> Response | None:
    settings = request.app.state.settings
    if settings.verify_rate_per_second <= 0:
        return None
    buckets: TokenBuckets | None = getattr(request.app.state, "verify_buckets", None)
    if buckets is None:
        buckets = TokenBuckets(settings.verify_rate_per_second, settings.verify_burst)
        request.app.state.verify_buckets = buckets
    client = request.client.host if request.client else "?"
    wait = buckets.take(f"client:{client}", time.monotonic())
    if wait <= 0:
        return None
    _count(request, "rate_limited")
    return problem(
        429,
        code="rate-limited",
        instance=PATH,
        detail="quá nhiều lần tra cứu, hãy thử lại sau",
        retry_after_seconds=wait,
        headers={"Retry-After": str(max(1, round(wait)))},
    )


def _count(request: Request, outcome: str) -> None:
    counter: Counter | None = getattr(request.app.state, "certificate_checks", None)
    if counter is not None:
        counter.labels(outcome=outcome).inc()


def _wants_json(request: Request, typed: str) -> tuple[str, bool]:
    if typed.endswith(".json"):
        return typed[: -len(".json")], True
    return typed, "application/json" in request.headers.get("accept", "")


def _as_json(found: Check, match: bool | None, status_code: int) -> JSONResponse:
    body: dict[str, Any] = {
        "serial": found.serial,
        "status": found.status,
        "status_label": STATUS_LABELS[found.status],
    }
    body |= {k: v.isoformat() if isinstance(v, date) else v for k, v in found.facts.items()}
    if match is not None:
        body["match"] = match
    if found.inclusion is not None:
        body["inclusion"] = _inclusion_json(found.inclusion)
    response = JSONResponse(body, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


def _inclusion_json(found: EventInclusion) -> dict[str, Any]:
    """The grant's place in the log and, once a signed checkpoint covers it, the proof."""
    checkpoint, proof = found.checkpoint, found.proof
    return {
        "position": found.position,
        "checkpoint": None
        if checkpoint is None or proof is None
        else {
            "tree_size": checkpoint.tree_size,
            "root_hash": checkpoint.root_hash,
            "signed_at": checkpoint.signed_at.isoformat(),
            "witnesses": list(checkpoint.cosigners),
        },
        "leaf_hash": proof.leaf_hash if proof else None,
        "audit_path": list(proof.audit_path) if proof else None,
        "proof_holds": proof.proof_holds if proof else None,
    }


def _answer(request: Request, ledger: Ledger, typed: str, form: dict[str, str] | None) -> Response:
    if (refused := _limited(request)) is not None:
        return refused
    typed, as_json = _wants_json(request, typed)
    serial = parse_serial(typed)
    found = check(ledger, request, serial) if serial else Check("", "unknown", {})
    status_code = 400 if serial is None else 404 if found.status == "unknown" else 200
    match = None
    if form is not None and found.subject_id is not None:
        match = matches(ledger, found.subject_id, form.get("ho_ten", ""), form.get("nam_sinh", ""))
    _count(request, "malformed" if serial is None else found.status)
    if as_json:
        return _as_json(found, match, status_code)
    html = environment.get_template("xac_minh.html").render(
        user=None,
        nav=[],
        csrf="",
        root=root(request),
        path=app_path(request),
        must_change=False,
        check=found,
        label=STATUS_LABELS[found.status],
        match=match,
    )
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


@public.get(PATH + "/{serial}")
def verify(request: Request, serial: str, ledger: LedgerDep) -> Response:
    return _answer(request, ledger, serial, None)


@public.post(PATH + "/{serial}")
async def verify_holder(request: Request, serial: str, ledger: LedgerDep) -> Response:
    form = {k: v[:200] for k, v in (await request.form()).items() if isinstance(v, str) and v}
    return _answer(request, ledger, serial, form)
