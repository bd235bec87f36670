"""The endpoint form the admin and the portal share: a URL that may be called, and events."""

from __future__ import annotations

from django import forms

from webhooks.models import ALL_EVENTS, EVENT_TYPES
from webhooks.services import check_endpoint_url

URL_HELP = (
    "https, on a public address. Each delivery is a signed JSON POST; answer 2xx within 10 seconds."
)


class EventsField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(
            choices=EVENT_TYPES,
            initial=ALL_EVENTS,
            error_messages={"required": "Choose at least one event."},
            **kwargs,
        )


class EndpointForm(forms.Form):
    url = forms.URLField(label="URL", max_length=500, assume_scheme="https", help_text=URL_HELP)
    events = EventsField(label="Events")
    is_active = forms.BooleanField(label="Active", required=False, initial=True)

    def clean_url(self) -> str:
        return check_endpoint_url(self.cleaned_data["url"])
