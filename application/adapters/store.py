"""The event store: the library's Application configured for Hoctap, and its one-time set-up.

Tables are created in one step under a PostgreSQL advisory lock, so several API processes
starting at once against a new database never race on DDL (the library's own ``CREATE
TABLE``/``CREATE OR REPLACE FUNCTION`` fail when run concurrently).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import Application, ProjectorFunction, Repository
from eventsourcing.persistence import ApplicationRecorder, JSONTranscoder, Transcoder, Transcoding
from eventsourcing.popo import POPOFactory

from application.adapters.chain import ChainedPOPORecorder
from domain.text import may_hold_refused, refusal, refused_in


class DateAsISO(Transcoding):
    type = date
    name = "date"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class CheckedJSONTranscoder(JSONTranscoder):
    """The library's JSON transcoder, refusing an event with a string no view could fold.

    Every new event is encoded here, and a save encodes all its events before the recorder
    writes any: the one place no path (API, console, generator) can go around. The check
    is the edge's own (:mod:`domain.text`), so it refuses nothing the edge let through and
    leaves the stored bytes of every valid event as they were. A NUL written anyway would
    stop the PostgreSQL views for good (``text`` cannot hold it).
    """

    def encode(self, obj: Any) -> bytes:
        text = self.encoder.encode(obj)
        if may_hold_refused(text):  # rare: walk the event to find and name the field
            found = refused_in(obj)
            if found is not None:
                raise refusal(*found)
        return text.encode("utf8")


def replay(aggregate: Any, domain_events: Iterable[Any]) -> Any:
    """The library's ``project_aggregate`` without its per-event
    ``assert isinstance(event, CanMutateProtocol)``.

    That assertion is a runtime-checkable Protocol check: 15-20 µs per replayed event on
    Python 3.11, paid for every event of every aggregate a command loads (a score revision
    loads about a dozen). Without it the revision ran 3-11% faster on SQLite in A/B runs
    (docs/performance.md, write path). Every event here is an aggregate event with
    ``mutate``; a stray one still fails, with AttributeError.
    """
    for domain_event in domain_events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


class ReplayingRepository(Repository[UUID]):
    """The library's repository, replaying with :func:`replay` unless told otherwise."""

    def get(
        self,
        aggregate_id: UUID,
        *,
        version: int | None = None,
        projector_func: ProjectorFunction[Any, Any] = replay,
        fastforward_skipping: bool = False,
        deepcopy_from_cache: bool = True,
    ) -> Any:
        return super().get(
            aggregate_id,
            version=version,
            projector_func=projector_func,
            fastforward_skipping=fastforward_skipping,
            deepcopy_from_cache=deepcopy_from_cache,
        )


class HoctapStore(Application[UUID]):
    """Stored events are JSON (never pickle), so that an outside verifier can read them."""

    name = "Hoctap"  # PostgreSQL tables: hoctap_events; do not change.

    def construct_transcoder(self) -> Transcoder:
        transcoder = CheckedJSONTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def construct_repository(self) -> Repository[UUID]:
        """The configured repository (cache and its options as the environment says), as a
        :class:`ReplayingRepository`."""
        configured = super().construct_repository()
        repository = ReplayingRepository(event_store=self.events)
        repository.__dict__.update(vars(configured))
        return repository

    def construct_recorder(self) -> ApplicationRecorder:
        """The library's recorder, with each event's hash-chain row written beside it.

        SQLite and PostgreSQL get theirs through APPLICATION_RECORDER_TOPIC; the in-memory
        factory ignores that setting, so it is chosen here.
        """
        if isinstance(self.factory, POPOFactory):
            return ChainedPOPORecorder()
        return super().construct_recorder()
