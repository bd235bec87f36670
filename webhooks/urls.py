from django.urls import path

from webhooks import portal_views

urlpatterns = [
    path("scheduler/webhooks", portal_views.endpoints, name="scheduler-webhooks"),
    path("scheduler/webhooks/<int:pk>", portal_views.endpoint_edit, name="scheduler-webhook"),
    path(
        "scheduler/webhooks/<int:pk>/rotate-secret",
        portal_views.endpoint_rotate,
        name="scheduler-webhook-rotate",
    ),
    path(
        "scheduler/webhooks/<int:pk>/delete",
        portal_views.endpoint_remove,
        name="scheduler-webhook-delete",
    ),
    path(
        "scheduler/webhooks/deliveries",
        portal_views.deliveries,
        name="scheduler-webhook-deliveries",
    ),
    path(
        "scheduler/webhooks/deliveries/<int:pk>/send-again",
        portal_views.delivery_send_again,
        name="scheduler-webhook-send-again",
    ),
]
