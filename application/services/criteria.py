"""Publishing criteria sets, and finding the version in force."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from uuid import UUID

from application.services.records import Recorded, Records
from application.services.scope import Scopes
from domain.assessment import AssessmentCase
from domain.base import CommandContext, acting
from domain.clocks import ClockRules
from domain.criteria import (
    CATALOGUE_ID,
    CatalogueEntry,
    CriteriaCatalogue,
    CriteriaSet,
    CriteriaSpec,
    criteria_set_id,
    parse_spec,
)
from domain.errors import CriteriaSetNotInForce, InvalidInput
from domain.glossary import TitleModel
from domain.rules import (
    COMPLAINT_CLOCKS,
    PROGRAMME_TARGETS,
    REPORTING_STRUCTURES,
    RuleDocument,
    rule_document_id,
)
from domain.structures import STRUCTURES_CODE, StructuresSpec, parse_structures
from domain.targets import TargetsSpec
from domain.text import nfc

#: The code each kind of rule document is published under (new versions keep it).
RULE_CODES = {
    PROGRAMME_TARGETS: "muc-tieu-chuong-trinh",
    COMPLAINT_CLOCKS: "luat-khieu-nai-2011",
    REPORTING_STRUCTURES: STRUCTURES_CODE,
}

SEED_DIR = Path(__file__).parents[1] / "seed"


@dataclass(frozen=True)
class CriteriaService:
    """Criteria sets and rule documents are published nationwide, by nationwide accounts."""

    records: Records
    scopes: Scopes
    #: Published versions never change: their specs are kept once read.
    _published_specs: dict[UUID, CriteriaSpec] = field(default_factory=dict, init=False)
    #: The latest version of each rule document seen so far, by (kind, code): versions never
    #: change, so a later call only asks whether the next one has been published since.
    _latest_rules: dict[tuple[str, str], RuleDocument] = field(default_factory=dict, init=False)

    def catalogue(self) -> CriteriaCatalogue | None:
        return self.records.find(CriteriaCatalogue, CATALOGUE_ID)

    def publish_criteria_set(self, ctx: CommandContext, content: dict[str, Any]) -> Recorded:
        """Publish a new version: the first of its code, or one that supersedes the latest."""
        self.scopes.require_nationwide(ctx, "công bố bộ tiêu chí")
        content = json.loads(json.dumps(nfc(content)))  # plain JSON, NFC, nothing else
        spec = parse_spec(content)
        with acting(ctx):
            catalogue = self.catalogue() or CriteriaCatalogue.start()
            latest = catalogue.latest(spec.code)
            version = 1 if latest is None else latest.version + 1
            published = CriteriaSet.publish(
                content, version, supersedes=latest.set_id if latest else None
            )
            catalogue.add_entry(published)
            if latest is None:
                return self.records.save(published, catalogue)
            previous = self.records.get(CriteriaSet, latest.set_id)
            previous.supersede(published.id, spec.effective_from)
            return self.records.save(published, catalogue, previous)

    def criteria_set(self, set_id: UUID) -> CriteriaSet:
        return self.records.get(CriteriaSet, set_id)

    def spec_of(self, case: AssessmentCase) -> CriteriaSpec:
        """The criteria-set version the case was pinned to when it was opened.

        A published version never changes, so its spec is kept in memory once read: every
        scoring command needs it, and reloading it cost a read per command."""
        return self.published_spec(case.criteria_set_id)

    def published_spec(self, set_id: UUID) -> CriteriaSpec:
        """A published version's spec, kept once read (it never changes)."""
        spec = self._published_specs.get(set_id)
        if spec is None:
            spec = self.records.get(CriteriaSet, set_id).spec
            self._published_specs[set_id] = spec
        return spec

    def criteria_set_version(self, code: str, version: int) -> CriteriaSet:
        return self.records.get(CriteriaSet, criteria_set_id(code, version))

    def spec_in_force(
        self, model: TitleModel, target_group: str | None, level: int | None, on: date
    ) -> CriteriaSpec:
        catalogue = self.catalogue()
        if catalogue is None:
            raise CriteriaSetNotInForce("chưa có bộ tiêu chí nào được công bố", model=model.value)
        entry: CatalogueEntry = catalogue.in_force(model, target_group, level, on)
        return self.published_spec(entry.set_id)

    def publish_rules(self, ctx: CommandContext, kind: str, content: dict[str, Any]) -> Recorded:
        """Publish a rule document (programme targets, complaint clocks) as its next version."""
        self.scopes.require_nationwide(ctx, "công bố quy định")
        content = json.loads(json.dumps(nfc(content)))
        code = str(content.get("code", "")).strip()
        latest = self.latest_rules(kind, code)
        with acting(ctx):
            version = 1 if latest is None else latest.version_number + 1
            return self.records.save(RuleDocument.publish(kind, content, version))

    def latest_specs(self) -> list[CriteriaSpec]:
        """The latest version of every published set, in the order the codes first appeared."""
        catalogue = self.catalogue()
        latest: dict[str, UUID] = {}
        for entry in catalogue.entries if catalogue else ():
            latest[entry.code] = entry.set_id
        return [self.published_spec(set_id) for set_id in latest.values()]

    def group_labels(self) -> dict[str, str]:
        """Each target group's Vietnamese label, as the latest set naming the group has it."""
        return {
            spec.target_group: spec.target_group_label or spec.target_group
            for spec in self.latest_specs()
            if spec.target_group is not None
        }

    def illustrative_sets(self) -> dict[str, str]:
        """The sets published as illustrations (minh họa), not as the law: code → model."""
        return {spec.code: spec.model.value for spec in self.latest_specs() if spec.illustrative}

    def latest_rules(self, kind: str, code: str | None = None) -> RuleDocument | None:
        """The latest version of a rule document (by default the code its seed uses)."""
        code = code or RULE_CODES[kind]
        latest = self._latest_rules.get((kind, code))
        version = 1 if latest is None else latest.version_number + 1
        while found := self.records.find(RuleDocument, rule_document_id(kind, code, version)):
            latest, version = found, version + 1
        if latest is not None:
            self._latest_rules[(kind, code)] = latest
        return latest

    def targets_in_force(self) -> TargetsSpec | None:
        document = self.latest_rules(PROGRAMME_TARGETS)
        return document.targets if document else None

    def structures(self) -> StructuresSpec:
        """The reporting structures in force: as published, else as the seed document has
        them (a store initialised before structures were data has not published it yet)."""
        document = self.latest_rules(REPORTING_STRUCTURES)
        if document is not None:
            return document.structures
        return seed_structures()

    def clock_rules(self) -> ClockRules:
        document = self.latest_rules(COMPLAINT_CLOCKS)
        if document is None:
            raise CriteriaSetNotInForce("chưa công bố thời hạn khiếu nại", kind=COMPLAINT_CLOCKS)
        return document.clocks

    def load_seed_criteria(self, ctx: CommandContext, directory: Path = SEED_DIR) -> list[str]:
        """Publish each seed set the catalogue does not list yet. Several files may hold
        versions of one code (a later version takes effect later): they are published in
        order of taking effect, each only if the code's latest listed version takes effect
        before it, so seeding again publishes nothing."""
        catalogue = self.catalogue()
        published = []
        for content in _seed_versions(directory):
            latest = catalogue.latest(content.get("code", "")) if catalogue else None
            if latest is not None and str(content.get("effective_from")) <= str(
                latest.effective_from
            ):
                continue
            self.publish_criteria_set(ctx, content)
            catalogue = self.catalogue()
            published.append(content["code"])
        for pattern, kind in (
            ("targets-*.json", PROGRAMME_TARGETS),
            ("complaint-clocks-*.json", COMPLAINT_CLOCKS),
            ("reporting-structures-*.json", REPORTING_STRUCTURES),
        ):
            for path in sorted(directory.glob(pattern)):
                content = json.loads(path.read_text(encoding="utf-8"))
                if self.latest_rules(kind, content.get("code")) is None:
                    self.publish_rules(ctx, kind, content)
                    published.append(content["code"])
        return published


def _seed_versions(directory: Path) -> list[dict[str, Any]]:
    """The seed criteria documents in file-name order, except that the versions of one code
    come together where its first file is, in order of taking effect."""
    by_code: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(directory.glob("criteria-*.json")):
        try:
            content = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{path.name}: không phải JSON hợp lệ ({exc})") from exc
        by_code.setdefault(str(content.get("code", path.name)), []).append(content)
    return [
        content
        for versions in by_code.values()
        for content in sorted(versions, key=lambda c: str(c.get("effective_from")))
    ]


@cache
def seed_structures() -> StructuresSpec:
    """The reporting structures as the newest seed document has them."""
    [path] = sorted(SEED_DIR.glob("reporting-structures-*.json"))[-1:]
    return parse_structures(json.loads(path.read_text(encoding="utf-8")))
