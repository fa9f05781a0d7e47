"""Which characters free text may hold, and which strings count as numbers: one definition.

The HTTP schemas, the console commands and the event store all ask these functions, so a
string one of them accepts is a string every read model can fold (PostgreSQL ``text`` cannot
hold NUL at all) and every screen can show.

Refused everywhere: control characters (Unicode category Cc: C0, DEL and C1), surrogates
(category Cs; JSON can carry a lone ``\\ud800``) and the 66 noncharacters. Multi-line fields
(reasons, remarks, grounds) may hold TAB, LF and CR; single-line fields may not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from domain.errors import InvalidInput

_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
#: Refused characters that ``json.dumps`` writes as they are (it escapes C0 only).
_REFUSED_UNESCAPED = "\x7f-\x9f\ud800-\udfff" + _NONCHARACTERS
_REFUSED_ALWAYS = "\x00-\x08\x0b\x0c\x0e-\x1f" + _REFUSED_UNESCAPED
_REFUSED = {
    True: re.compile(f"[{_REFUSED_ALWAYS}]"),
    False: re.compile(f"[{_REFUSED_ALWAYS}\t\n\r]"),
}

#: A C0 character as ``json`` escapes it (TAB, LF and CR have escapes of their own). It also
#: matches harmless text (a literal backslash before 'b'), so a match only says "look".
_ESCAPED_IN_JSON = re.compile(r"\\(?:u00[01]|[bf])")

#: What a refusal says (after the field's name), at the edge and in the store alike.
REFUSED_TEXT = "có ký tự điều khiển hoặc ký tự không hợp lệ"

#: Longest version, position or count written as digits (< 2**63, the stores' bigint).
MAX_NUMBER_DIGITS = 18


def refused_character(value: str, *, multiline: bool = False) -> str | None:
    """The first character ``value`` may not hold, as ``U+XXXX``, or None."""
    if value.isprintable():  # fast (C, no regex) and true of nearly all text: none refused
        return None
    found = _REFUSED[multiline].search(value)
    return None if found is None else f"U+{ord(found.group()):04X}"


def shown(value: str) -> str:
    """``value`` with every refused character written as ``<U+XXXX>``: safe to print on a
    console, to put in an error message and to encode as UTF-8 (a lone surrogate is not)."""
    if refused_character(value, multiline=True) is None:
        return value
    return _REFUSED[True].sub(lambda found: f"<U+{ord(found.group()):04X}>", value)


def refusal(field: str, code_point: str) -> InvalidInput:
    """The error for a refused character: 422 ``invalid-input`` naming the field."""
    return InvalidInput(
        f"{field}: {REFUSED_TEXT} ({code_point})",
        field=field,
        character=code_point,
    )


def clean_text(value: str, *, field: str, multiline: bool = False) -> str:
    """``value`` NFC-normalised, if it holds no refused character (else InvalidInput)."""
    code_point = refused_character(value, multiline=multiline)
    if code_point is not None:
        raise refusal(field, code_point)
    return unicodedata.normalize("NFC", value)


def refused_in(value: Any, path: str = "") -> tuple[str, str] | None:
    """(path, code point) of the first refused character in a JSON-shaped value, keys included.

    Multi-line characters are allowed: the walk does not know which strings are single-line.
    """
    for where, text in _strings(value, path):
        code_point = refused_character(text, multiline=True)
        if code_point is not None:
            return where or "body", code_point
    return None


def may_hold_refused(json_text: str) -> bool:
    """Whether JSON text (C0 escaped, as ``json.dumps`` writes it) may hold a refused
    character; a cheap test before :func:`refused_in` walks the decoded value.

    Every refused character unescaped by ``json`` (DEL, C1, surrogates, noncharacters) is
    not printable; a no-break space or a joiner is not either, and only costs the walk.
    """
    return not json_text.isprintable() or _ESCAPED_IN_JSON.search(json_text) is not None


def check_json_text(value: Any, *, field: str) -> Any:
    """``value`` (a dict or list from JSON), if no string in it holds a refused character."""
    found = refused_in(value, field)
    if found is not None:
        raise refusal(*found)
    return value


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{shown(str(key))}" if path else shown(str(key))
            if isinstance(key, str):
                yield where, key
            yield from _strings(item, where)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}.{index}" if path else str(index))


def nfc(value: Any) -> Any:
    """NFC-normalise every string inside a JSON-shaped value."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [nfc(v) for v in value]
    return value


def ascii_digits(value: str, max_digits: int = MAX_NUMBER_DIGITS) -> bool:
    """Whether ``value`` is 1 to ``max_digits`` of the ASCII digits 0-9, and nothing else.

    ``str.isdigit`` also says yes to '²', '١٢' and '１２', which ``int()`` then refuses or
    reads as another number; identifiers and versions here are ASCII only.
    """
    return 0 < len(value) <= max_digits and value.isascii() and value.isdigit()


_PLAIN_DECIMAL = re.compile(r"-?[0-9]{1,12}(?:\.[0-9]{1,6})?")


def plain_decimal(value: str) -> bool:
    """Whether ``value`` is a number written plainly: ASCII digits, an optional sign and
    decimal point, nothing else.

    ``Decimal()`` also reads '١٢' and '１２' as 12, '1_0' as 10 and ' 5 ' as 5: a score typed
    that way is a mistake to show, not a number to guess.
    """
    return _PLAIN_DECIMAL.fullmatch(value) is not None


def as_number(value: object) -> Decimal:
    """A number from JSON or a form: an int, a float, a Decimal, or a string that
    :func:`plain_decimal` accepts. Raises ValueError for anything else, booleans included
    (JSON true is no score); non-finite values pass through for the caller's range check.
    """
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))  # 0.1 is 0.1, not its binary expansion
    if isinstance(value, str) and plain_decimal(value):
        return Decimal(value)
    raise ValueError(f"{value!r} is not a plainly written number")


def as_whole(value: object) -> int:
    """A whole number from JSON or a form: an int (not a boolean) or ASCII digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and ascii_digits(value):
        return int(value)
    raise ValueError(f"{value!r} is not a whole number written in ASCII digits")


def folded(value: str) -> str:
    """``value`` as a search matches it: lower case, without tone or vowel marks, đ as d
    ("Xã Hòa Bình" and "xa hoa binh" fold alike), spaces collapsed."""
    decomposed = unicodedata.normalize("NFD", value.casefold().replace("đ", "d"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())
