"""Input pieces more than one door reads with; no door imports another door's.

The phone field of the HTML forms (the booking page and the portal), the plain-text rule every
door applies to what people type, the shop's arrival windows as times each door words itself,
the rule for what counts as sent, and the booking service's Customer and Job from a door's
validated fields.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name

from booking.phones import PhoneHasExtension, normalise_phone
from booking.services import Customer, Job

# The shop's arrival windows live with the slot rules (the e-mails and the calendar file word
# them too, and those may not import this module); the doors keep reading them from here.
from booking.slots import ArrivalWindow, clock, window_options  # noqa: F401


class PhoneField(forms.CharField):
    """A phone number typed in any usual way, cleaned to E.164 as the API cleans it."""

    default_error_messages = {
        "invalid": "Enter a phone number we can call, like (555) 123-4567.",
        "extension": (
            "Enter the number without an extension; mention the extension with the problem."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        )
        super().__init__(**kwargs)

    def clean(self, value) -> str:
        value = super().clean(value)
        if not value:
            return value
        try:
            return normalise_phone(value)
        except PhoneHasExtension:
            raise forms.ValidationError(
                self.error_messages["extension"], code="extension"
            ) from None
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


# --- Plain text ------------------------------------------------------------------------------
# What a customer or partner types ends up in the shop's plain-text e-mails, the calendar file
# and the dispatcher's screens. A line break in a one-line field forges a line there ("Phone:
# ..."), a direction override shows text reversed, and invisible characters make a name look
# empty or like another. Unicode's categories name them: controls (Cc: C0, DEL, C1), format
# characters (Cf: bidi embeddings, overrides and isolates, zero-width characters, tags),
# surrogates (Cs), and the line and paragraph separators (Zl, Zp).
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
# Fillers drawn as nothing at all (Hangul fillers, the blank braille cell): a name of them
# looks empty.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Zero-width non-joiner and joiner: Persian, the Indic scripts and others write words with
# them, between two letters (or a letter's marks). Anywhere else they only hide.
_JOINERS = frozenset("\u200c\u200d")


def normalise_newlines(text: str) -> str:
    """CRLF (what a browser sends for a textarea) and a bare CR as the one newline, LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _joins_letters(text: str, index: int) -> bool:
    return 0 < index < len(text) - 1 and all(
        unicodedata.category(char)[0] in "LMN" for char in (text[index - 1], text[index + 1])
    )


def hidden_character(text: str, *, multiline: bool = False) -> str:
    """The first character `text` may not hold, as the person who typed it would read it;
    "" if none. Multi-line text may hold LF (normalise CR first); one-line text may not."""
    if text.isascii() and (text.replace("\n", "") if multiline else text).isprintable():
        # Printable ASCII (space to ~) holds none of them: most of what is typed, at C speed
        # rather than a look-up per character (a sixth of the booking API's validation).
        return ""
    for index, char in enumerate(text):
        if char == "\n" and multiline:
            continue
        if char in _LINE_BREAKS and not multiline:
            return "a line break"
        if char in _JOINERS and _joins_letters(text, index):
            continue
        if (
            char in _LINE_BREAKS
            or char in _BLANK_LETTERS
            or unicodedata.category(char) in _REFUSED_CATEGORIES
        ):
            return f"an invisible or control character (U+{ord(char):04X})"
    return ""


class PlainText:
    """The validator every door gives each text field: one line of visible text, or with
    `multiline` several lines; the message names the field by `label`."""

    def __init__(self, label: str, *, multiline: bool = False):
        self.label = label
        self.multiline = multiline

    def __call__(self, value) -> None:
        found = hidden_character(str(value), multiline=self.multiline)
        if found:
            # Starting with the field's name: the API's errors read "name cannot ...".
            raise ValidationError(f"{self.label} cannot contain {found}.", code="hidden_character")


class MultiLineField(forms.CharField):
    """A textarea's text: its lines kept, every line end stored as LF."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.Textarea)
        super().__init__(**kwargs)

    def to_python(self, value) -> str:
        return normalise_newlines(super().to_python(value))


def guard_text_fields(form: forms.BaseForm) -> None:
    """Give each text field of `form` the plain-text check, named by its label; a
    MultiLineField keeps its lines. Call it at the end of the form's __init__."""
    for name, field in form.fields.items():
        if isinstance(field, forms.CharField):
            # "E-mail (optional)" is named "E-mail" in a sentence.
            label = re.sub(r"\s*\(.*\)$", "", str(field.label or pretty_name(name)))
            multiline = isinstance(field, MultiLineField)
            field.validators.append(PlainText(label, multiline=multiline))


def is_sent(value) -> bool:
    """A field counts as sent unless it is absent (None), null or blank."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def customer_from(data: Mapping) -> Customer:
    """The customer a door's validated fields describe, as the booking service takes it."""
    return Customer(
        name=data["name"], phone=data["phone"], address=data["address"], email=data.get("email", "")
    )


def job_from(data: Mapping) -> Job:
    """The job a door's validated fields describe; fields a door does not have stay empty."""
    return Job(
        appliance_type=data["appliance_type"],
        issue=data.get("issue", ""),
        work_order_number=data.get("work_order_number", ""),
        claim_number=data.get("claim_number", ""),
        authorization_number=data.get("authorization_number", ""),
    )
