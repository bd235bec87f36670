"""Form fields of the Settings pages that are more than a widget."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from tenants.models import JOB_MINUTES_MAX, JOB_MINUTES_MIN


class JobLengthsField(forms.CharField):
    """Minutes per appliance type, edited as one "Refrigerator: 90" per line."""

    widget = forms.Textarea(attrs={"rows": 10, "cols": 30})

    def prepare_value(self, value):
        if isinstance(value, dict):
            return "\n".join(f"{kind}: {minutes}" for kind, minutes in value.items())
        return value

    def to_python(self, value):
        lengths: dict[str, int] = {}
        for line in (super().to_python(value) or "").splitlines():
            if not line.strip():
                continue
            kind, _, minutes = line.rpartition(":")
            kind = " ".join(kind.split())
            try:
                number = int(minutes.strip().removesuffix("min").strip())
            except ValueError:
                number = None
            if not kind or number is None:
                raise ValidationError(
                    "Write one appliance type and its minutes per line, e.g. Refrigerator: 90 "
                    "(not %(line)s).",
                    params={"line": line.strip()},
                )
            if not JOB_MINUTES_MIN <= number <= JOB_MINUTES_MAX:
                raise ValidationError(
                    "%(kind)s: a job takes %(low)s to %(high)s minutes.",
                    params={"kind": kind, "low": JOB_MINUTES_MIN, "high": JOB_MINUTES_MAX},
                )
            lengths[kind] = number
        return lengths

    def has_changed(self, initial, data):
        return (initial or {}) != self.to_python(data)
