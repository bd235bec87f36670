from django.urls import path

from schedulerAccounts import views

urlpatterns = [
    # The exact address the Partner API page promises partners.
    path("scheduler-login.html", views.login, name="scheduler-login"),
    path("scheduler/", views.home, name="scheduler-home"),
    path("scheduler/bookings", views.bookings, name="scheduler-bookings"),
    path("scheduler/bookings/<uuid:pk>/cancel", views.cancel, name="scheduler-cancel"),
    path("scheduler/bookings/<uuid:pk>/reschedule", views.reschedule, name="scheduler-reschedule"),
    path("scheduler/report", views.report, name="scheduler-report"),
    path("scheduler/api-key", views.api_key, name="scheduler-api-key"),
    path("scheduler/logout", views.logout, name="scheduler-logout"),
]
