"""One shape for every API error: {"error": "<human sentence>", "code": "<stable_code>"}."""

from __future__ import annotations

import logging
from http import HTTPStatus

from django.http import JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

logger = logging.getLogger(__name__)


class ApiError(exceptions.APIException):
    """An error with a stable code of ours, raised by API views and mapped from services."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status_code: int = 400,
        field: str = "",
        headers: dict[str, str] | None = None,
        extra: dict | None = None,
    ):
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code
        self.field = field
        self.headers = headers
        self.extra = extra or {}


class PayloadTooLarge(ApiError):
    def __init__(self, limit: int):
        super().__init__(
            f"Request body too large: the limit is {limit} bytes.",
            code="payload_too_large",
            status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )


class MalformedBody(ApiError):
    """A body the API cannot read as one set of fields: 400 malformed_body, saying why."""

    def __init__(self, message: str):
        super().__init__(message, code="malformed_body")


def error_body(message: str, code: str, **extra) -> dict:
    return {"error": message, "code": code, **extra}


def _validation_error(exc: exceptions.ValidationError) -> Response:
    """The first failing field, in the order the serializer declares its fields."""
    # The API's one serializer reads a JSON object (the view refuses anything else first), so
    # every error it raises is keyed by a field the client sent.
    field, messages = next(iter(exc.detail.items()))
    while isinstance(messages, list):
        messages = messages[0]
    message = str(messages)
    if messages.code == "missing_field":
        return Response(error_body(message, "missing_field", field=field), status=400)
    if not message.lower().startswith(field):
        message = f"Invalid {field}: {message}"
    return Response(error_body(message, "invalid_field", field=field), status=400)


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: never lets an HTML page or a bare DRF dict reach a client."""
    if isinstance(exc, ApiError):
        body = error_body(str(exc.detail), exc.error_code, **exc.extra)
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.status_code, headers=exc.headers)
    if isinstance(exc, exceptions.ValidationError):
        return _validation_error(exc)
    if isinstance(exc, exceptions.ParseError):
        return Response(
            error_body(
                "Malformed request body: send JSON (or form-encoded) data.", "malformed_body"
            ),
            status=400,
        )
    if isinstance(exc, exceptions.MethodNotAllowed):
        return Response(
            error_body(f"Method {context['request'].method} not allowed.", "method_not_allowed"),
            status=405,
        )
    if isinstance(exc, exceptions.UnsupportedMediaType):
        # Naming what came is what tells a partner their client sent text/plain (fetch's
        # default for a string body) rather than that we cannot read JSON.
        sent = context["request"].content_type.split(";")[0].strip()
        return Response(
            error_body(
                (f"Unsupported Content-Type {sent!r}" if sent else "No Content-Type")
                + ": send application/json (or application/x-www-form-urlencoded).",
                "unsupported_media_type",
            ),
            status=415,
        )
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        return Response(
            error_body(str(exc.detail), "unauthorized"),
            status=401,
            headers={"WWW-Authenticate": 'Bearer realm="api"'},
        )
    if isinstance(exc, exceptions.APIException):
        return Response(error_body(str(exc.detail), exc.get_codes()), status=exc.status_code)
    logger.exception("Unhandled error in %s", context.get("view").__class__.__name__)
    return Response(
        error_body("Server error", "server_error"),
        status=500,
    )


# The code an error status gets when Django itself (not our API code) answered it.
_CODES_BY_STATUS = {
    400: "invalid_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
}


class ApiJsonErrorsMiddleware:
    """First in MIDDLEWARE: an error answered under /api/ is JSON whatever produced it.

    DRF's exception handler covers the API views, and handler500 covers uncaught errors when
    DEBUG is off. This covers the rest: with DEBUG on Django answers an uncaught error, a bad
    Host or a missing page with its HTML debug page, and a middleware or CSRF refusal has its own
    HTML. An API client never gets HTML, so such an answer is replaced by our JSON shape (the
    error itself has already been logged by Django).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.streaming
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return json_error_for_status(response.status_code)
        return response


def json_error_for_status(status_code: int) -> JsonResponse:
    if status_code >= 500:
        return json_500(None)
    # Django answers only standard statuses, so HTTPStatus knows each one's phrase.
    message = HTTPStatus(status_code).phrase.capitalize() + "."
    return JsonResponse(
        error_body(message, _CODES_BY_STATUS.get(status_code, "error")), status=status_code
    )


def json_404(request, exception=None):
    return JsonResponse(error_body("Not found.", "not_found"), status=404)


def json_500(request):
    return JsonResponse(
        error_body("Server error", "server_error"),
        status=500,
    )
