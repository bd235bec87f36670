from django.contrib import admin

from tenants.models import BlackoutDate, BookingSettings, Membership, Shop


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "is_active"]
    search_fields = ["name", "slug"]


class BlackoutDateInline(admin.TabularInline):
    model = BlackoutDate
    extra = 0


@admin.register(BookingSettings)
class BookingSettingsAdmin(admin.ModelAdmin):
    list_display = ["shop", "booking_enabled", "jobs_per_slot"]
    inlines = [BlackoutDateInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "shop", "role"]
