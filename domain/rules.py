"""Versioned rule documents an administrator publishes: programme targets, complaint clocks,
reporting structures.

Like criteria sets, a published version never changes and a change is a new version. Each
kind of document has its own parser, which refuses invalid content before anything is
recorded; the content is stored exactly as published so that it can be shown and audited.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any
from uuid import UUID

from domain.base import LedgerAggregate, LedgerCreated, aggregate_topic, ledger_id
from domain.clocks import ClockRules, parse_clock_rules
from domain.dates import check_process_dates
from domain.errors import InvalidInput
from domain.structures import StructuresSpec, parse_structures
from domain.targets import TargetsSpec, parse_targets

PROGRAMME_TARGETS = "programme-targets"
COMPLAINT_CLOCKS = "complaint-clocks"
REPORTING_STRUCTURES = "reporting-structures"

PARSERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    PROGRAMME_TARGETS: parse_targets,
    COMPLAINT_CLOCKS: parse_clock_rules,
    REPORTING_STRUCTURES: parse_structures,
}


def rule_document_id(kind: str, code: str, version: int) -> UUID:
    return ledger_id("rule-document", kind, code, version)


@aggregate_topic("hoctap.RuleDocument")
class RuleDocument(LedgerAggregate):
    class Published(LedgerCreated):
        TOPIC = "hoctap.RuleDocument.Published"
        kind: str
        code: str
        version: int
        content: dict[str, Any]

    def __init__(self, kind: str, code: str, version: int, content: dict[str, Any]) -> None:
        self.kind = kind
        self.code = code
        self.version_number = version
        self.content = content

    @classmethod
    def publish(cls, kind: str, content: dict[str, Any], version: int) -> RuleDocument:
        parser = PARSERS.get(kind)
        if parser is None:
            raise InvalidInput(f"loại văn bản quy tắc không có: {kind}", kind=kind)
        spec = parser(content)
        check_process_dates(effective_from=spec.effective_from)
        if isinstance(spec, ClockRules):
            check_process_dates(**{f"holidays.{d.isoformat()}": d for d in spec.holidays})
        return cls._create(
            cls.Published,
            id=rule_document_id(kind, spec.code, version),
            kind=kind,
            code=spec.code,
            version=version,
            content=copy.deepcopy(content),
        )

    @property
    def targets(self) -> TargetsSpec:
        return parse_targets(self.content)

    @property
    def clocks(self) -> ClockRules:
        return parse_clock_rules(self.content)

    @property
    def structures(self) -> StructuresSpec:
        return parse_structures(self.content)
