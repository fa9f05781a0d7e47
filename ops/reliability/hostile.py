"""Check 6 — hostile input: every POST of a live API, fed what a careless or hostile client
sends, answers without a 5xx, and nothing it accepted stops a view.

Bodies are drawn (hypothesis) from the API's own OpenAPI document, so a route added later is
covered: text with control characters (NUL, ESC, DEL, C1), lone surrogates (``\\ud800``,
escaped in JSON) and noncharacters; numbers and dates in other digit scripts ('١٢',
'２０２６', '²'); extreme dates (0001-01-01, 9999-12-31); huge and negative numbers; very long
strings; ``If-Match`` headers in other scripts or too long. Identifiers are drawn from real
records (a reviewed case, its person, the commune, the staff, and whatever the run creates)
as well as fresh ones, so many requests get past validation into the services.

Verdicts: no answer is a 5xx; afterwards the projection runner (its own process) brings
every view to the log's end, ``hoctap projections check`` finds no differing row in any
view, and ``hoctap verify`` passes.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

import httpx2 as httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from application.adapters.read_models import ReadModels
from application.ledger import Ledger
from domain.glossary import Role
from domain.text import may_hold_refused, refused_in
from ops.reliability import common
from ops.reliability.common import Report, Scratch
from ops.reliability.http_load import make_staff, reviewed_case
from ops.reliability.workload import CONSOLE

Strategy = st.SearchStrategy[Any]

#: Refused in any text: C0 but TAB/LF/CR, DEL, C1, surrogates, noncharacters.
REFUSED = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) not in "\t\n\r"]
REFUSED += ["\ud800", "\udfff", "\ufdd0", "\ufffe", "\uffff", "\U0010ffff"]
#: Digits isdigit() takes that are not ASCII: Arabic-Indic, Devanagari, fullwidth, '²', '①'.
OTHER_DIGITS = st.characters(categories=("Nd", "No"), exclude_characters="0123456789")
PLAIN = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=40)
FOREIGN_NUMBER = st.text(OTHER_DIGITS, min_size=1, max_size=8)
#: Text with a refused character somewhere; a NUL in one case of three.
REFUSED_TEXT = st.one_of(
    st.builds(lambda a, bad, b: a + bad + b, PLAIN, st.sampled_from(REFUSED), PLAIN),
    st.builds(lambda a, b: f"{a}\x00{b}", PLAIN, PLAIN),  # what PostgreSQL text cannot hold
    st.just("Xã\x00Hòa Bình"),
)
TEXT = st.one_of(
    PLAIN,
    REFUSED_TEXT,
    FOREIGN_NUMBER,
    st.text("0123456789 .", min_size=9, max_size=14),  # CCCD-shaped
    st.sampled_from(["", " ", "x" * 5000, "ắ" * 30_000, "\\u0000", "null"]),
)
EXTREME_DATES = ["0001-01-01", "9999-12-31", "1899-12-31", "2026-02-29", "2024-02-29"]
DATES = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(EXTREME_DATES),
    st.builds(lambda y, d: f"{y}-0{d}-0{d}", FOREIGN_NUMBER, OTHER_DIGITS),
    TEXT,
)
INTEGERS = st.one_of(
    st.integers(-10, 3000),
    st.sampled_from([2**31, 2**63, 2**64, -(2**63) - 1, 10**30]),
    FOREIGN_NUMBER,
)
NUMBERS = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
    st.sampled_from(["1e308", "-0", "NaN", "Infinity", "9" * 400]),
    FOREIGN_NUMBER,
)


WORDS = st.characters(categories=("L", "Nd", "Zs"), codec="utf-8")
SCORES = st.decimals(0, 10, places=1).map(str)
#: The published seed data: plausible criteria sets and rules (a new version of each).
SEEDS = [
    json.loads(path.read_text(encoding="utf-8"))
    for path in sorted((common.REPO / "application" / "seed").glob("*.json"))
]


@dataclass(frozen=True)
class Params:
    examples: int = 30  # requests per POST route, any value hostile
    text_examples: int = 10  # and requests valid but for a refused character in their text


@dataclass
class Pool:
    """Ids of real records, growing with every record the run creates."""

    ids: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, value: Any) -> None:
        with self.lock:
            if isinstance(value, str) and value not in self.ids:
                self.ids.append(value)

    def known(self) -> Strategy:
        return st.integers(0, 10**6).map(lambda i: self.ids[i % len(self.ids)])

    def strategy(self) -> Strategy:
        return _mixed(self.known(), st.one_of(st.uuids().map(str), TEXT))


class Bodies:
    """Strategies for request bodies and path parameters, from an OpenAPI document.

    Every value is plausible three times in four and hostile otherwise, so a body is often
    valid but for one field and gets past validation into the services (where an extreme
    date or a huge number can still go wrong).
    """

    def __init__(self, openapi: dict[str, Any], pool: Pool, *, only_text: bool = False) -> None:
        """``only_text``: every value plausible but free text, which always holds a refused
        character (a NUL in one case of three): bodies valid but for their text."""
        self.components: dict[str, Any] = openapi["components"]["schemas"]
        self.only_text = only_text
        self.ids = pool.known() if only_text else pool.strategy()

    def _mix(self, plausible: Strategy, hostile: Strategy) -> Strategy:
        return plausible if self.only_text else _mixed(plausible, hostile)

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.components[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def of(self, schema: dict[str, Any]) -> Strategy:
        schema = self.resolve(schema)
        options = [self.resolve(option) for option in schema.get("anyOf", ())]
        if {"number", "string"} <= {option.get("type") for option in options}:
            return self._mix(SCORES, NUMBERS)  # a Decimal, sent as a number or as text
        if options:
            return st.one_of([self.of(option) for option in options])
        if "enum" in schema or "const" in schema:
            return self._mix(st.sampled_from(schema.get("enum") or [schema.get("const")]), TEXT)
        kind = schema.get("type")
        if kind == "string":
            return self._string(schema)
        if kind == "integer":
            low, high = schema.get("minimum", 0), schema.get("maximum", 100)
            return self._mix(st.integers(low, high), INTEGERS)
        if kind == "number":
            return self._mix(SCORES, NUMBERS)
        if kind == "boolean":
            return self._mix(st.booleans(), TEXT)
        if kind == "null":
            return st.none()
        if kind == "array":
            items = self.of(schema.get("items", {}))
            return st.lists(items, min_size=schema.get("minItems", 0), max_size=3)
        if kind == "object" or "properties" in schema:
            return self._object(schema)
        return st.one_of(TEXT, INTEGERS, st.none())

    def _string(self, schema: dict[str, Any]) -> Strategy:
        shape = schema.get("format")
        if shape == "uuid":
            return self.ids
        if shape == "date":
            return self._mix(st.dates(date(2020, 1, 1), date(2027, 12, 31)).map(str), DATES)
        if shape == "date-time":
            return self._mix(st.datetimes(datetime(2020, 1, 1)).map(datetime.isoformat), DATES)
        if "pattern" in schema:
            return self._mix(st.from_regex(schema["pattern"], fullmatch=True), TEXT)
        size = {"min_size": schema.get("minLength", 1), "max_size": schema.get("maxLength", 40)}
        if self.only_text:
            return REFUSED_TEXT
        return _mixed(st.text(WORDS, **size), TEXT)

    def _object(self, schema: dict[str, Any]) -> Strategy:
        properties = schema.get("properties", {})
        if not properties:  # a JSON object of any shape (criteria content, rules, scores)
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                keys = self._mix(st.sampled_from([str(n) for n in range(1, 11)]), TEXT)
                return st.dictionaries(keys, self.of(extra), max_size=10)
            if self.only_text:
                return st.sampled_from(SEEDS).map(lambda c: c | {"title": "Bộ\x00mới"})
            return _mixed(st.sampled_from(SEEDS), _json())
        required = set(schema.get("required", ()))
        return st.fixed_dictionaries(
            {name: self.of(sub) for name, sub in properties.items() if name in required},
            optional={
                name: self.of(sub) for name, sub in properties.items() if name not in required
            },
        )

    def path(self, operation: dict[str, Any]) -> Strategy:
        """Path parameters of an operation, by name."""
        params = [p for p in operation.get("parameters", ()) if p.get("in") == "path"]
        return st.fixed_dictionaries({p["name"]: self.of(p.get("schema", {})) for p in params})


def _mixed(plausible: Strategy, hostile: Strategy) -> Strategy:
    """``plausible`` three times in four (``one_of`` would not weigh a repeated branch)."""
    return st.integers(0, 3).flatmap(lambda n: hostile if n == 0 else plausible)


def _json() -> Strategy:
    leaves = st.one_of(TEXT, INTEGERS, NUMBERS, st.booleans(), st.none())
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
        max_leaves=10,
    )


#: "current": the ETag the record has now (read just before sending), else a stale or
#: hostile one.
CURRENT = "current"


def _if_match() -> Strategy:
    hostile = st.one_of(
        st.integers(1, 40).map(lambda v: f'"{v}"'),
        st.builds(lambda d: f'"{d}"', FOREIGN_NUMBER),
        st.builds(lambda d: f'W/"{d}"', st.text("0123456789", min_size=19, max_size=5000)),
        st.sampled_from(['"²"', "¹", '""', "*", '"-1"']),
    )
    return _mixed(st.just(CURRENT), hostile)


def on_the_wire(value: str) -> bytes:
    """Header bytes as a client sends them: Latin-1 when it can, else UTF-8."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    past_the_edge: list[str] = field(default_factory=list)
    requests: int = 0


def run(scratch: Scratch, params: Params) -> Report:
    report = Report("Hostile input through every POST (PostgreSQL, live API and runner)")
    ledger = Ledger(scratch.settings)
    models = ReadModels(scratch.settings, ledger.store)
    api = common.Api(scratch, common.free_port())
    runner = common.Runner(scratch)
    try:
        staff = make_staff(ledger)
        everyone = ledger.access.create_user(CONSOLE, "hostile-every-role", list(Role)).id
        token = ledger.access.issue_token(CONSOLE, everyone, 24, "hostile").token
        api.wait_ready()
        case = reviewed_case(api.base_url, staff)
        if not report.expect("a reviewed case to aim at", case is not None, str(case)):
            return report
        pool = Pool()
        for value in [case, staff.commune, everyone, *staff.ids.values()]:
            pool.add(str(value))
        with httpx.Client(base_url=api.base_url, timeout=120) as http:
            openapi = http.get("/openapi.json").json()
            tally = _send_everything(http, openapi, token, pool, params)
        routes = sum(1 for ops in openapi["paths"].values() if "post" in ops)
        report.expect(
            f"{tally.requests} hostile requests over {routes} POST routes: no 5xx",
            not tally.failures,
            "; ".join(tally.failures[:3]) or f"answers {dict(sorted(tally.statuses.items()))}",
        )
        report.expect(
            "every refused character was refused at the edge (the store's last check never had to)",
            not tally.past_the_edge,
            "; ".join(tally.past_the_edge[:3]),
        )
        stored = _events_holding_refused_text(ledger)
        report.expect(
            "no event in the log holds a refused character",
            not stored,
            "; ".join(stored[:3]) or f"{tally.requests} requests",
        )
        last = ledger.store.recorder.max_notification_id() or 0
        report.expect(
            "the runner brought every view to the log's end",
            models.engine.wait_for(last, 120) and runner.popen.poll() is None,
            f"log at {last}" if runner.popen.poll() is None else runner.tail(5),
        )
        runner.stop()
        api.stop()
        report.note(common.log_shape(ledger.store))
        verified = common.hoctap(scratch, "verify")
        report.expect("hoctap verify", verified.returncode == 0, common.summary(verified))
        common.check_every_view(report, scratch, list(models.engine.projections))
    finally:
        runner.stop()
        api.stop()
        models.close()
        ledger.close()
    return report


def _send_everything(
    http: httpx.Client, openapi: dict[str, Any], token: str, pool: Pool, params: Params
) -> Tally:
    tally = Tally()
    passes = [
        (Bodies(openapi, pool), _if_match(), params.examples),
        (Bodies(openapi, pool, only_text=True), st.just(CURRENT), params.text_examples),
    ]
    for bodies, if_match, examples in passes:
        for route, operations in openapi["paths"].items():
            operation = operations.get("post")
            if operation is None:
                continue
            content = operation.get("requestBody", {}).get("content", {})
            media, schema = next(iter(content.items()), ("application/json", {"schema": {}}))
            send = _sender(http, route, media, token, pool, tally)
            body = bodies.of(schema["schema"])
            _explore(send, bodies.path(operation), body, if_match, examples)
    return tally


def _explore(
    send: Callable[..., None], paths: Strategy, body: Strategy, if_match: Strategy, examples: int
) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(path=paths, body=body, if_match=if_match)
    def explore(path: dict[str, Any], body: Any, if_match: str) -> None:
        send(path, body, if_match)

    explore()


def _sender(
    http: httpx.Client, route: str, media: str, token: str, pool: Pool, tally: Tally
) -> Callable[..., None]:
    def send(path: dict[str, Any], body: Any, if_match: str) -> None:
        url = route.format(**{k: _segment(v) for k, v in path.items()})
        headers: dict[str, Any] = {"Authorization": f"Bearer {token}"}
        tally.requests += 1
        try:
            if if_match == CURRENT:
                record = http.get("/".join(url.split("/")[:3]), headers=headers)
                if_match = record.headers.get("ETag", '"1"')
            headers["If-Match"] = on_the_wire(if_match)
            headers["Idempotency-Key"] = str(uuid.uuid4())
            response = _post(http, url, media, body, headers)
        except httpx.TransportError as error:  # the server dropped the connection
            tally.failures.append(f"POST {route}: no answer ({error!r}): {_excerpt(body)}")
            return
        tally.statuses[response.status_code] += 1
        if response.status_code >= 500:
            tally.failures.append(
                f"POST {route} {response.status_code}: {_excerpt(body)} -> {response.text[:200]}"
            )
        elif _refused_by_the_store(response):
            tally.past_the_edge.append(f"POST {route}: {response.json().get('detail')}")
        elif response.status_code in (200, 201):
            answer = response.json()
            pool.add(answer.get("id") if isinstance(answer, dict) else None)

    return send


def _events_holding_refused_text(ledger: Ledger) -> list[str]:
    """Every stored event with a refused character anywhere in it, as "position topic field"."""
    found, after = [], 0
    while items := ledger.store.recorder.select_notifications(
        start=after, limit=500, inclusive_of_start=False
    ):
        for item in items:
            text = item.state.decode("utf-8", "surrogatepass")
            where = refused_in(json.loads(text)) if may_hold_refused(text) else None
            if where is not None:
                found.append(f"{item.id} {item.topic} {where[0]} {where[1]}")
        after = items[-1].id
    return found


def _post(
    http: httpx.Client, url: str, media: str, body: Any, headers: dict[str, Any]
) -> httpx.Response:
    if media == "multipart/form-data":
        form = {k: _form_value(v) for k, v in (body or {}).items() if k != "file"}
        files = {"file": ("minh-chung.pdf", b"%PDF-1.4\n%hostile\n", "application/pdf")}
        return http.post(url, data=form, files=files, headers=headers)
    headers["Content-Type"] = "application/json"
    return http.post(url, content=json.dumps(body), headers=headers)


def _excerpt(body: Any) -> str:
    return json.dumps(body)[:200]


def _refused_by_the_store(response: httpx.Response) -> bool:
    """A 422 from the store's transcoder (``invalid-input`` naming a refused character),
    not from a request type (``validation-error``): a field the edge does not check."""
    if response.status_code != 422:
        return False
    problem = response.json()
    return problem.get("code") == "invalid-input" and "character" in (problem.get("errors") or {})


def _segment(value: Any) -> str:
    """A path segment: percent-encoded, so a hostile value stays inside its segment, and
    short enough for a URL."""
    return quote(str(value)[:200].encode("utf-8", "surrogatepass"), safe="") or "x"


def _form_value(value: Any) -> str:
    """A form field as a browser sends it: text (UTF-8, so no lone surrogates)."""
    text = value if isinstance(value, str) else json.dumps(value)
    return text.encode("utf-8", "replace").decode("utf-8")
