"""One hierarchy of domain errors; ``api/problems.py`` maps each family to an HTTP status.

Every error has a stable ``code`` (it becomes the problem type), a Vietnamese message people
read, and ``details`` that carry the evidence (which indicator, which limit, which date).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every refusal the ledger gives. Nothing is written when one is raised."""

    code = "domain-error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class RuleViolation(DomainError):
    """A business rule refuses the command (HTTP 409)."""

    code = "rule-violation"


class InvalidInput(DomainError):
    """The command is well-formed JSON but its content cannot be accepted (HTTP 422)."""

    code = "invalid-input"


class NotFound(DomainError):
    """The named record does not exist (HTTP 404)."""

    code = "not-found"


class PermissionDenied(DomainError):
    """The actor's role does not allow this command (HTTP 403)."""

    code = "permission-denied"


class OutOfScope(PermissionDenied):
    """The record lies outside the actor's unit, or is not a citizen's own (HTTP 403)."""

    code = "out-of-scope"


class WrongLevel(OutOfScope):
    """A second complaint acted on below the level above the first's authority (HTTP 403)."""

    code = "wrong-level"


class Gone(DomainError):
    """The record exists but what was asked for was erased for good (HTTP 410)."""

    code = "gone"


class NotAuthenticated(DomainError):
    """No valid bearer token (HTTP 401)."""

    code = "not-authenticated"


class TooManyAttempts(DomainError):
    """Too many failed sign-ins for an account, or attempts from one client (HTTP 429)."""

    code = "too-many-attempts"


class VersionConflict(DomainError):
    """Someone else changed the record first, or it already exists (HTTP 409)."""

    code = "version-conflict"


class PreconditionFailed(VersionConflict):
    """The version the client read (If-Match) is no longer the current one (HTTP 412)."""

    code = "precondition-failed"


class PreconditionRequired(DomainError):
    """A write to an existing record came without If-Match (HTTP 428)."""

    code = "precondition-required"


# --- rules of the assessment process -------------------------------------------------------


class ScoreOutOfRange(RuleViolation):
    code = "score-out-of-range"


class UnknownIndicator(RuleViolation):
    code = "unknown-indicator"


class EvidenceRequired(RuleViolation):
    code = "evidence-required"


class EvidenceNotUsable(RuleViolation):
    code = "evidence-not-usable"


class StepOutOfOrder(RuleViolation):
    code = "step-out-of-order"


class DateOutOfOrder(RuleViolation):
    code = "date-out-of-order"


class DateOutOfRange(InvalidInput):
    """A date outside the range the ledger accepts (details: field, earliest, latest)."""

    code = "date-out-of-range"


class SeparationOfDuties(RuleViolation):
    code = "separation-of-duties"


class SameHandler(SeparationOfDuties):
    """Someone who handled a first complaint acts on its second (HTTP 409)."""

    code = "same-handler"


class ConflictOfInterest(RuleViolation):
    code = "conflict-of-interest"


class CouncilSeatNotEligible(RuleViolation):
    """A council seat for an account without the council role in the case's unit or above."""

    code = "council-seat-not-eligible"


class AuthorityNotCompetent(RuleViolation):
    code = "authority-not-competent"


class CaseAlreadyOpen(RuleViolation):
    code = "case-already-open"


class CriteriaSetNotInForce(RuleViolation):
    code = "criteria-set-not-in-force"


class WrongCriteriaSet(RuleViolation):
    code = "wrong-criteria-set"


class ThresholdNotMet(RuleViolation):
    code = "threshold-not-met"


class ReasonRequired(RuleViolation):
    code = "reason-required"


class SubjectMismatch(RuleViolation):
    code = "subject-mismatch"


class UnitNotValid(RuleViolation):
    code = "unit-not-valid"


class InvalidCriteriaSet(InvalidInput):
    code = "invalid-criteria-set"


class InvalidLevelSet(InvalidCriteriaSet):
    """The ``levels`` section of a criteria set is wrong (details: ``problem`` names how)."""

    code = "invalid-level-set"


class ComputedIndicator(RuleViolation):
    """A score typed in for an indicator the ledger computes from the register."""

    code = "computed-indicator"


class NotComputedIndicator(InvalidInput):
    """A computed figure offered for an indicator that people score (HTTP 422)."""

    code = "not-computed-indicator"


class StepTooLate(RuleViolation):
    """A step the law gives a period for came after its deadline (details: rule, deadline)."""

    code = "step-too-late"


# --- witnesses (c2sp.org/tlog-witness) ------------------------------------------------------


class UnknownLog(NotFound):
    """The witness is not configured for this checkpoint's origin (HTTP 404)."""

    code = "unknown-log"


class CheckpointNotSigned(PermissionDenied):
    """No valid signature from the log's key on the checkpoint (HTTP 403)."""

    code = "checkpoint-not-signed"


class WitnessBadRequest(InvalidInput):
    """A request the witness protocol calls malformed (HTTP 400 at the witness)."""

    code = "witness-bad-request"


class OldSizeMismatch(RuleViolation):
    """The old size is not the size the witness last cosigned (HTTP 409, with that size)."""

    code = "old-size-mismatch"

    def __init__(self, message: str, known_size: int, **details: Any) -> None:
        super().__init__(message, known_size=known_size, **details)
        self.known_size = known_size


class LogForked(InvalidInput):
    """The checkpoint is inconsistent with the one the witness cosigned: two roots at one
    size, a shrink, or a consistency proof that does not hold (HTTP 422). The witness kept
    the evidence."""

    code = "log-forked"
