"""Form-encoded bodies read strictly: text that is not in the declared encoding is refused."""

from __future__ import annotations

from urllib.parse import parse_qsl

from django.conf import settings


def form_pairs(body: bytes | str, encoding: str = "utf-8") -> list[tuple[str, str]]:
    """The (name, value) pairs of an application/x-www-form-urlencoded body or query string.

    Raises UnicodeDecodeError when a byte, raw or percent-encoded (%FF), is not text in
    `encoding`, and ValueError when there are more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS.
    Django decodes such bytes as U+FFFD and carries on, so a name sent as "J%FFane" would be
    stored with a replacement character and nobody told; a person's browser never sends that.
    """
    text = body.decode(encoding) if isinstance(body, bytes) else body
    return parse_qsl(
        text,
        keep_blank_values=True,
        encoding=encoding,
        errors="strict",
        max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
    )
