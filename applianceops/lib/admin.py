"""What the project's admin pages share beyond the shop scoping (tenants.admin.ShopScopedAdmin)."""

from __future__ import annotations


class ReadOnlyLog:
    """A log the admin shows and nobody edits (e-mails sent, webhook deliveries, a partner's
    test bookings): no add, change or delete, and the list titled as what it is rather than
    Django's "Select ... to change"."""

    list_title = ""

    def changelist_view(self, request, extra_context=None):
        context = {"title": self.list_title, "subtitle": None, **(extra_context or {})}
        return super().changelist_view(request, context)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
