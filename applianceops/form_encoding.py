"""Pages refuse form data that is not UTF-8, instead of storing it mangled.

Django decodes an undecodable byte in a form (or query string) as U+FFFD and carries on, so a
name sent as "J%FFane" is booked as "J\N{REPLACEMENT CHARACTER}ane" and nobody is told. Every
browser sends our pages' forms as UTF-8, so such a body comes from a broken or hostile client:
it gets a 400 page that says what happened, and no view sees it. The API reads its own bodies
(applianceops/api_parsers.py) and answers in JSON, so /api/ is left to it.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

from applianceops.lib.form_data import form_pairs

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


def _is_readable(request) -> bool:
    """Whether the query string and a form body are text in the request's encoding.

    A body over DATA_UPLOAD_MAX_MEMORY_SIZE raises here as it would in the view: Django
    answers 400 either way.
    """
    encoding = request.encoding or settings.DEFAULT_CHARSET
    # WSGI hands the query string over as latin-1, one character a byte: these are its bytes.
    query = request.META.get("QUERY_STRING", "").encode("latin-1", "replace")
    try:
        form_pairs(query, encoding)
        if request.method == "POST" and request.content_type == FORM:
            form_pairs(request.body, encoding)
    except ValueError:  # UnicodeDecodeError is one; so are more fields than Django allows
        return False
    if request.method == "POST" and request.content_type == MULTIPART:
        # The multipart parser has no strict mode: what it could not decode is U+FFFD.
        return not any("\ufffd" in value for _, values in request.POST.lists() for value in values)
    return True


class FormEncodingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/") and not _is_readable(request):
            context = {"again": request.path}
            return render(request, "400_unreadable.html", context, status=400)
        return self.get_response(request)
