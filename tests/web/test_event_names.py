"""Every event the domain can record has a Vietnamese name for the pages, and the table names
no event that does not exist."""

from __future__ import annotations

import importlib
import pkgutil
import unicodedata

import domain
from api.web.event_names import EVENT_NAMES, event_name
from domain.base import LedgerAggregate


def recorded_topics() -> set[str]:
    topics: set[str] = set()
    for info in pkgutil.iter_modules(domain.__path__):
        module = importlib.import_module(f"domain.{info.name}")
        for aggregate in vars(module).values():
            if not (isinstance(aggregate, type) and issubclass(aggregate, LedgerAggregate)):
                continue
            own = aggregate.__dict__.get("TOPIC")
            if not own:
                continue
            for member in vars(aggregate).values():
                topic = getattr(member, "TOPIC", None) if isinstance(member, type) else None
                if topic and topic.startswith(f"{own}."):
                    topics.add(topic)
    return topics


def test_every_recorded_event_has_a_name_and_every_name_an_event():
    topics = recorded_topics()
    assert len(topics) > 50  # the walk found the aggregates
    assert set(EVENT_NAMES) == topics


def test_names_are_vietnamese_text_not_identifiers():
    for topic, name in EVENT_NAMES.items():
        assert name == unicodedata.normalize("NFC", name) and name.strip() == name
        assert "." not in name and "_" not in name and name != topic.rsplit(".", 1)[-1]


def test_an_event_the_table_does_not_know_shows_the_end_of_its_topic():
    assert event_name("hoctap.AssessmentCase.Reviewed") == "Thẩm định"
    assert event_name("hoctap.Future.SomethingNew") == "SomethingNew"
