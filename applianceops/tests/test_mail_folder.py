"""Development e-mail: one line per message in the terminal, the message itself in a file."""

from __future__ import annotations

import email
import io
import logging
from email import policy

from django.core.mail import EmailMultiAlternatives, get_connection

from booking.emails import build_message
from booking.models import Notification
from booking.tests.helpers import book


def test_each_email_is_one_line_and_a_file_a_mail_program_opens(tmp_path):
    out = io.StringIO()
    connection = get_connection(
        "applianceops.mail.FolderEmailBackend", file_path=str(tmp_path), stream=out
    )
    message = EmailMultiAlternatives(
        "Booked: Refrigerator repair on Wed", "Hello Jane,\nsee you Wednesday.", to=["jane@x.com"]
    )
    message.attach_alternative("<p>Hello Jane</p>", "text/html")

    assert connection.send_messages([message]) == 1

    (line,) = out.getvalue().splitlines()
    (saved,) = tmp_path.iterdir()
    assert line == f"E-mail to jane@x.com: Booked: Refrigerator repair on Wed -> {saved}"
    parsed = email.message_from_bytes(saved.read_bytes(), policy=policy.default)
    assert parsed["To"] == "jane@x.com"
    assert parsed.get_body(("plain",)).get_content().startswith("Hello Jane,\nsee you Wednesday.")
    # Readable as it is, in an editor too: no base64 for the text.
    assert "see you Wednesday." in saved.read_text()


def test_a_booking_confirmation_stays_one_line(db, shop_a, tmp_path):
    booking = book(shop_a)
    notification = Notification.objects.get(booking=booking, kind="confirmation")
    out = io.StringIO()
    connection = get_connection(
        "applianceops.mail.FolderEmailBackend", file_path=str(tmp_path), stream=out
    )

    connection.send_messages([build_message(notification)])

    assert len(out.getvalue().splitlines()) == 1
    assert out.getvalue().startswith("E-mail to jane@example.com: Booked: Refrigerator repair")
    assert len(list(tmp_path.iterdir())) == 1


def test_the_task_queue_adds_no_lines_per_email_at_the_default_log_level():
    # The project's console handler (pytest adds handlers of its own to the root logger).
    (console,) = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]

    def shown(name: str, level: int) -> bool:
        return all(
            f.filter(logging.LogRecord(name, level, "", 0, "x", (), None)) for f in console.filters
        )

    assert not shown("django_tasks", logging.INFO)
    assert not shown("django_tasks_db", logging.INFO)
    assert shown("django_tasks", logging.ERROR)
    assert shown("booking.services", logging.INFO)
