"""Pages are gzipped for a browser that accepts it; the Partner API's answers are not."""

from __future__ import annotations

from django.middleware.gzip import GZipMiddleware


class PageGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware for everything but `/api/`.

    A page (the booking page is 36 KB of HTML, 3 KB gzipped) or the admin calendar's JSON feed
    gains a lot; a Partner API answer is a few hundred bytes of JSON, where compressing costs
    the booking path CPU (issue 17: the booking is CPU-bound) for bytes nobody waits on.
    """

    def process_response(self, request, response):
        if request.path.startswith("/api/"):
            return response
        return super().process_response(request, response)
