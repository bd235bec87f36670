from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import admin
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from applianceops import api_errors
from tenants.services import DEMO_SLUG

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.error("health check: database unavailable: %s", exc)
        return JsonResponse({"status": "unavailable", "reason": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def landing(request):
    return render(request, "landing.html", {"demo_slug": DEMO_SLUG})


def page_not_found(request, exception=None):
    """JSON for API clients, the site's 404 page for people."""
    if request.path.startswith("/api/"):
        return api_errors.json_404(request, exception)
    return render(request, "404.html", status=404)


def permission_denied(request, exception=None):
    """403: JSON for API clients, the admin's own page for staff, the site's page for others."""
    if request.path.startswith("/api/"):
        return api_errors.json_error_for_status(403)
    user = request.user
    if request.path.startswith("/admin/") and user.is_active and user.is_staff:
        return admin.site.forbidden(request)
    return render(request, "403.html", status=403)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a page a customer can act on, not Django's page for developers."""
    return render(request, "403_csrf.html", {"again": request.get_full_path()}, status=403)


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: too many failed sign-ins, at the admin or at the portal."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    response = render(
        request, "locked_out.html", {"username": username, "minutes": minutes}, status=429
    )
    response["Retry-After"] = str(minutes * 60)
    return response


def server_error(request):
    if request.path.startswith("/api/"):
        return api_errors.json_500(request)
    return render(request, "500.html", status=500)
