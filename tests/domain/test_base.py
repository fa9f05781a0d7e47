"""The shared building blocks: the stable topics every aggregate and event is stored under, the
refusal of an event that says nobody caused it, event data as plain JSON shapes, the errors'
message and evidence, and the Vietnamese labels of codes."""

from __future__ import annotations

from uuid import uuid4

import pytest
from eventsourcing.utils import resolve_topic

from domain.base import (
    LedgerAggregate,
    LedgerCreated,
    MissingCommandContext,
    aggregate_topic,
    as_dict,
    current_context,
)
from domain.errors import InvalidInput, OldSizeMismatch
from domain.glossary import ComplaintStatus, label


def fresh_topic() -> str:
    """Topics are registered once per process: each test names its own."""
    return f"test.Widget{uuid4().hex}"


def widget(topic: str, noted: str | None, created: str | None = None) -> type:
    """An aggregate with a creation event, an event whose TOPIC is ``noted`` (none if None), a
    class that is no event, and with ``created``, a ``Created`` of its own with that TOPIC."""

    class Widget(LedgerAggregate):
        class Made(LedgerCreated):
            TOPIC = f"{topic}.Made"

        class Helper:
            """Not an event: never checked nor registered."""

    if noted is None:

        class Noted(LedgerAggregate.Event):
            pass

    else:

        class Noted(LedgerAggregate.Event):
            TOPIC = noted

    Widget.Noted = Noted
    if created is not None:

        class Created(LedgerCreated):
            TOPIC = created

        Widget.Created = Created
    return Widget


def test_an_aggregate_and_each_of_its_events_are_stored_under_their_declared_topics():
    topic = fresh_topic()
    cls = widget(topic, f"{topic}.Noted", created=f"{topic}.Created")
    assert aggregate_topic(topic)(cls) is cls
    assert topic == cls.TOPIC
    assert resolve_topic(topic) is cls
    assert resolve_topic(f"{topic}.Made") is cls.Made
    assert resolve_topic(f"{topic}.Noted") is cls.Noted
    assert resolve_topic(f"{topic}.Created") is cls.Created


def test_the_library_s_implicit_event_and_created_classes_need_no_topic():
    topic = fresh_topic()
    cls = widget(topic, f"{topic}.Noted")
    assert getattr(vars(cls)["Created"], "TOPIC", None) is None
    assert topic == aggregate_topic(topic)(cls).TOPIC


@pytest.mark.parametrize(
    "noted",
    [None, "", "other.Widget.Noted", "{topic}Noted", "{topic}"],
    ids=["none", "empty", "another-aggregate", "no-dot", "the-aggregate-s-own"],
)
def test_an_event_without_a_topic_under_its_aggregate_s_is_refused_naming_the_one_it_needs(
    noted,
):
    topic = fresh_topic()
    cls = widget(topic, None if noted is None else noted.format(topic=topic))
    with pytest.raises(TypeError) as raised:
        aggregate_topic(topic)(cls)
    assert str(raised.value) == f"Widget.Noted needs TOPIC = '{topic}.Noted'"
    assert getattr(cls, "TOPIC", None) != topic


def test_a_created_event_of_its_own_under_another_topic_is_refused():
    topic = fresh_topic()
    cls = widget(topic, f"{topic}.Noted", created="other.Widget.Created")
    with pytest.raises(TypeError) as raised:
        aggregate_topic(topic)(cls)
    assert str(raised.value) == f"Widget.Created needs TOPIC = '{topic}.Created'"


def test_a_command_outside_acting_is_told_how_to_give_its_context():
    with pytest.raises(MissingCommandContext) as raised:
        current_context()
    assert str(raised.value) == "no command context: wrap the command in acting(...)"


def test_event_data_becomes_plain_json_shapes_all_the_way_down():
    value = {1: ("a", {2: frozenset({3})}), "b": [{"c": (4, 5)}], "d": None}
    assert as_dict(value) == {"1": ["a", {"2": [3]}], "b": [{"c": [4, 5]}], "d": None}


def test_a_refusal_reads_as_its_message_and_keeps_its_evidence():
    error = InvalidInput("cần lý do", field="reason")
    assert (str(error), error.message, error.details) == (
        "cần lý do",
        "cần lý do",
        {"field": "reason"},
    )


def test_an_old_size_mismatch_carries_the_size_the_witness_last_cosigned():
    error = OldSizeMismatch("kích thước cũ không khớp", known_size=12, old_size=10)
    assert (str(error), error.known_size) == ("kích thước cũ không khớp", 12)
    assert error.details == {"known_size": 12, "old_size": 10}


def test_a_code_reads_as_its_vietnamese_label_or_as_itself_when_it_has_none():
    assert (label("giay_khen"), label(ComplaintStatus.RESOLVED), label("ma-la")) == (
        "Giấy khen, bằng khen",
        "Đã giải quyết",
        "ma-la",
    )
