"""What the project's management commands share."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError


def refused(error: ValidationError) -> CommandError:
    """A service's ValidationError as one line for the terminal: `field: message; ...`."""
    if hasattr(error, "message_dict"):
        text = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    else:
        text = " ".join(error.messages)
    return CommandError(text)
