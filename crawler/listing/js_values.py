"""JavaScript's values as the script evaluator knows them (crawler/listing/script_links.py): strings, numbers,
booleans and the element an onclick runs on, with the operators and string methods list templates use.

Anything else is ``Unknown``: the evaluator gives no link rather than a guessed one. Pure functions, no
tree-sitter: what a value is, not where it was written.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from lxml.html import HtmlElement

MAX_VALUE = 4096            # a string being built longer than this is not a URL
MAX_SAFE_INTEGER = 2**53   # JavaScript's Number.MAX_SAFE_INTEGER
MAX_ATTRIBUTE = 2048        # an attribute's value read by ``this``
MAX_ATTRIBUTES = 50         # attributes of an onclick's element that ``this`` can read
ELEMENT_METHODS = {"attr", "getAttribute", "prop", "data"}
ELEMENT_PROPERTIES = {"id", "title", "name"}
STRING_METHODS = {"toString", "trim", "toLowerCase", "toUpperCase", "indexOf", "lastIndexOf", "substr", "substring",
                  "slice", "replace", "charAt", "concat"}


class Unknown(Exception):
    """The expression's value depends on something this evaluator does not know (the DOM, an event, …)."""


UNKNOWN = object()   # an argument such as ``event``: fine unless the URL uses it


@dataclass(frozen=True)
class Element:
    """The element an onclick runs on (``this``), as far as a URL can be built from it: its attributes."""

    attributes: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, element: HtmlElement) -> Element:
        return cls(tuple((str(k), str(v)[:MAX_ATTRIBUTE]) for k, v in list(element.attrib.items())[:MAX_ATTRIBUTES]))

    def read(self, method: str, args: list[object]) -> object:
        """``attr(name)``/``getAttribute(name)``/``prop(name)``/``data(name)`` of the element."""
        if method not in ELEMENT_METHODS or len(args) != 1 or not isinstance(args[0], str):
            raise Unknown
        name = f"data-{kebab(args[0])}" if method == "data" else args[0]
        value = dict(self.attributes).get(name.lower())
        if value is None:
            raise Unknown
        return value


def raise_unknown() -> object:
    raise Unknown


def well_formed(text: str) -> str:
    """The string with escaped surrogate pairs (``\\ud83d\\ude00``) joined and lone surrogates made U+FFFD:
    JavaScript strings may hold them, a URL, lxml and SQLite may not (UTF-8 cannot encode them)."""
    if not any("\ud800" <= c <= "\udfff" for c in text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def unescape(sequence: str) -> str:
    if sequence.startswith(("\\u", "\\x")):
        try:
            return chr(int(sequence[2:].strip("{}"), 16))
        except ValueError:
            return ""
    simple = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "b": "\b", "f": "\f", "v": "\v"}
    return simple.get(sequence[1:2], sequence[1:])


def number(text: str) -> float | int:
    try:
        value = float(text) if any(c in text for c in ".eE") and not text.lower().startswith("0x") else int(text, 0)
    except ValueError:
        raise Unknown from None
    return exact(value)


def exact(value: float) -> float | int:
    """A number as JavaScript holds it: integers past 2**53 are doubles. Python's would grow without
    bound (``x = x * x`` forty times is a number of 2**40 digits)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SAFE_INTEGER:
        try:
            return float(value)
        except OverflowError:
            raise Unknown from None
    return value


def kebab(name: str) -> str:
    """``dataset.infoId`` reads ``data-info-id``."""
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in name)


def js_string(value: object) -> str:
    """String(value) as JavaScript writes it (``2``, not ``2.0``; ``true``)."""
    if value is UNKNOWN or isinstance(value, Element):
        raise Unknown
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def truthy(value: object) -> bool:
    if value is UNKNOWN:
        raise Unknown
    return bool(value)


def loosely_equal(a: object, b: object) -> bool:
    """JavaScript's ``==`` for the strings, numbers and booleans evaluated here (``"1" == 1``)."""
    if isinstance(a, str) != isinstance(b, str):
        try:
            return float(a) == float(b)  # type: ignore[arg-type]
        except ValueError:
            return False
    return a == b


def binary(op: str, a: object, b: object) -> object:
    if a is UNKNOWN or b is UNKNOWN:
        raise Unknown
    if op in ("&&", "||"):
        return (b if truthy(a) else a) if op == "&&" else (a if truthy(a) else b)
    if op in ("==", "!="):
        return loosely_equal(a, b) == (op == "==")
    if op in ("===", "!=="):
        same = (type(a) is type(b) or is_number(a) and is_number(b)) and a == b
        return same if op == "===" else not same
    if op in ("<", ">", "<=", ">=") and is_number(a) and is_number(b):
        return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
    if op == "+":
        if isinstance(a, str) or isinstance(b, str):
            return capped(js_string(a) + js_string(b))
        return exact(a + b)  # type: ignore[operator]
    if op in ("-", "*") and is_number(a) and is_number(b):
        return exact(a - b if op == "-" else a * b)  # type: ignore[operator]
    raise Unknown


def string_method(value: str, method: str, args: list[object]) -> object:
    """``value.method(*args)`` for the string methods templates use to build a row (TRS cuts long titles)."""
    def number(i: int, default: int | None = None) -> int:
        if i >= len(args):
            if default is None:
                raise Unknown
            return default
        if not is_number(args[i]) or not math.isfinite(args[i]):  # type: ignore[arg-type]
            raise Unknown   # substr(0, Infinity): int() of it would raise
        return int(args[i])  # type: ignore[call-overload]

    def text(i: int) -> str:
        if i >= len(args):
            raise Unknown
        return js_string(args[i])

    if method in ("toString", "trim", "toLowerCase", "toUpperCase"):
        return {"toString": value, "trim": value.strip(), "toLowerCase": value.lower(), "toUpperCase": value.upper()}[method]
    if method == "indexOf":
        return value.find(text(0))
    if method == "lastIndexOf":
        return value.rfind(text(0))
    if method == "charAt":
        i = number(0, 0)
        return value[i] if 0 <= i < len(value) else ""
    if method == "concat":
        return capped(value + "".join(js_string(a) for a in args))
    if method == "replace":
        return value.replace(text(0), text(1), 1)
    start = number(0, 0)
    if method == "substr":
        start = max(len(value) + start, 0) if start < 0 else start
        return value[start:start + max(number(1, len(value)), 0)]
    end = number(1, len(value))
    if method == "substring":
        start, end = sorted((min(max(start, 0), len(value)), min(max(end, 0), len(value))))
        return value[start:end]
    return value[start:end]   # slice


def capped(value: str) -> str:
    if len(value) > MAX_VALUE:
        raise Unknown
    return value
