"""Publishing criteria sets, and finding the version in force."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from application.core import LedgerCore, Recorded
from application.vault import nfc
from domain.base import CommandContext, acting
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
from domain.targets import TARGETS_CODE, ProgrammeTargets, parse_targets, targets_id

SEED_DIR = Path(__file__).parent / "seed"


class CriteriaService(LedgerCore):
    def catalogue(self) -> CriteriaCatalogue | None:
        return self.find(CriteriaCatalogue, CATALOGUE_ID)

    def publish_criteria_set(self, ctx: CommandContext, content: dict[str, Any]) -> Recorded:
        """Publish a new version: the first of its code, or one that supersedes the latest."""
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
                return self.save(published, catalogue)
            previous = self.get(CriteriaSet, latest.set_id)
            previous.supersede(published.id, spec.effective_from)
            return self.save(published, catalogue, previous)

    def criteria_set(self, set_id: UUID) -> CriteriaSet:
        return self.get(CriteriaSet, set_id)

    def criteria_set_version(self, code: str, version: int) -> CriteriaSet:
        return self.get(CriteriaSet, criteria_set_id(code, version))

    def spec_in_force(
        self, model: TitleModel, target_group: str | None, level: int | None, on: date
    ) -> CriteriaSpec:
        catalogue = self.catalogue()
        if catalogue is None:
            raise CriteriaSetNotInForce("chưa có bộ tiêu chí nào được công bố", model=model.value)
        entry: CatalogueEntry = catalogue.in_force(model, target_group, level, on)
        return self.get(CriteriaSet, entry.set_id).spec

    def publish_targets(self, ctx: CommandContext, content: dict[str, Any]) -> Recorded:
        """Publish programme targets: the next version of their code."""
        content = json.loads(json.dumps(nfc(content)))
        spec = parse_targets(content)
        latest = self.latest_targets(spec.code)
        with acting(ctx):
            version = 1 if latest is None else latest.version_number + 1
            return self.save(ProgrammeTargets.publish(content, version))

    def latest_targets(self, code: str = TARGETS_CODE) -> ProgrammeTargets | None:
        latest, version = None, 1
        while found := self.find(ProgrammeTargets, targets_id(code, version)):
            latest, version = found, version + 1
        return latest

    def load_seed_criteria(self, ctx: CommandContext, directory: Path = SEED_DIR) -> list[str]:
        """Publish each seed set whose code the catalogue does not list yet."""
        catalogue = self.catalogue()
        published = []
        for path in sorted(directory.glob("criteria-*.json")):
            try:
                content = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                raise InvalidInput(f"{path.name}: không phải JSON hợp lệ ({exc})") from exc
            if catalogue is not None and catalogue.latest(content.get("code", "")) is not None:
                continue
            self.publish_criteria_set(ctx, content)
            catalogue = self.catalogue()
            published.append(content["code"])
        for path in sorted(directory.glob("targets-*.json")):
            content = json.loads(path.read_text(encoding="utf-8"))
            if self.latest_targets(content.get("code", "")) is None:
                self.publish_targets(ctx, content)
                published.append(content["code"])
        return published
