"""The API's body parsers: JSON and form data read strictly, so a hostile body is a clear 400.

DRF's own parsers let through what a partner never meant and we must not guess at: the same
field twice (the last one silently won), JSON nested thousands deep (Python's decoder runs out
of stack: a 500), and form data that is not UTF-8 (decoded with U+FFFD in place of what was sent,
then stored). Each is refused here as 400 malformed_body, saying what was wrong.

A JSON object sent as form data (curl's -d without a Content-Type header) is read as the JSON it
is: the body cannot be meant as form fields, and answering "Missing required field: slug" to a
body that plainly holds a slug would send the partner looking for the wrong mistake.
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.http import QueryDict
from rest_framework import parsers

from applianceops.api_errors import MalformedBody
from applianceops.lib.form_data import form_pairs

# Nothing the API takes nests deeper than an object of plain values. The limit is checked
# before decoding, so no body can reach the decoder's recursion, which under a threaded
# server can exhaust a small thread stack before Python's own limit is reached.
MAX_JSON_DEPTH = 32

# A JSON string (escapes included; written so it cannot backtrack) or one bracket.
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


def _too_deep(text: str) -> bool:
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif token in ("]", "}"):
            depth -= 1
    return False


def _once_each(names) -> None:
    seen = set()
    for name in names:
        if name in seen:
            raise MalformedBody(
                f"Malformed request body: the field {json.dumps(name[:60])} is sent more than "
                "once. Send each field once."
            )
        seen.add(name)


def _object(pairs: list[tuple[str, object]]) -> dict:
    _once_each(name for name, _ in pairs)
    return dict(pairs)


def _no_constants(name: str):
    raise ValueError(f"{name} is not a JSON value")


def _text(raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise MalformedBody(
            f"Malformed request body: it is not valid {encoding.upper()} text (byte "
            f"0x{raw[exc.start]:02x} at position {exc.start}). Send UTF-8."
        ) from None


def parse_json(raw: bytes, encoding: str, *, sent_as_form: bool = False):
    """The JSON value of `raw`, or MalformedBody saying why there is none."""
    hint = " Send it with Content-Type: application/json." if sent_as_form else ""
    text = _text(raw, encoding)
    if _too_deep(text):
        raise MalformedBody(
            f"Malformed request body: JSON nested more than {MAX_JSON_DEPTH} levels deep. "
            "Send the booking's fields as one JSON object." + hint
        )
    try:
        return json.loads(text, object_pairs_hook=_object, parse_constant=_no_constants)
    except ValueError as exc:
        raise MalformedBody(f"Malformed request body: not valid JSON ({exc}).{hint}") from None


def _encoding(parser_context) -> str:
    return (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET


class StrictJSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return parse_json(stream.read(), _encoding(parser_context))


class StrictFormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = _encoding(parser_context)
        raw = stream.read()
        if raw.lstrip()[:1] in (b"{", b"["):
            return parse_json(raw, encoding, sent_as_form=True)
        try:
            pairs = form_pairs(raw, encoding)
        except UnicodeDecodeError as exc:
            raise MalformedBody(
                f"Malformed request body: a form field is not valid {encoding.upper()} text "
                f"({exc.reason}). Send UTF-8."
            ) from None
        except ValueError:
            raise MalformedBody(
                "Malformed request body: more form fields than any booking has."
            ) from None
        _once_each(name for name, _ in pairs)
        return QueryDict(raw, encoding=encoding)
