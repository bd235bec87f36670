from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class ApplianceOpsAdminConfig(AdminConfig):
    """Django's admin with the ApplianceOps site (branding, today's schedule on the index)."""

    default_site = "applianceops.admin_site.ApplianceOpsAdminSite"
