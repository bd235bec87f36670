"""The development e-mail backend: each message a file, and one line about it.

Django's console backend prints every e-mail whole (about a hundred lines of MIME with the HTML
part and the calendar file), so in `make run`'s terminal the logins and the partner key scroll
away within minutes. This backend writes each message as an .eml file under EMAIL_FILE_PATH
(git-ignored; any mail program opens it, and its text parts read as plain text) and prints one
line: who it went to, its subject, and the file to read it in.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

FOLDER_BACKEND = "applianceops.mail.FolderEmailBackend"

_numbers = itertools.count(1)
_lock = threading.Lock()


class FolderEmailBackend(BaseEmailBackend):
    def __init__(self, *args, file_path: str | None = None, stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.folder = Path(file_path or settings.EMAIL_FILE_PATH)
        self.stream = stream or sys.stdout

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        self.folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            path = self._write(message)
            self._say(message, path)
            sent += 1
        return sent

    def _write(self, message) -> Path:
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
        # The process id and a counter: two workers, or two e-mails in one microsecond, never
        # write the same file.
        path = self.folder / f"{stamp}-{os.getpid()}-{next(_numbers)}.eml"
        path.write_bytes(message.message().as_bytes(linesep="\n"))
        return path

    def _say(self, message, path: Path) -> None:
        to = ", ".join(message.recipients())
        subject = " ".join(str(message.subject).split())
        with _lock:
            self.stream.write(f"E-mail to {to}: {subject} -> {_shown(path)}\n")
            self.stream.flush()


def _shown(path: Path) -> str:
    """The path from the current folder when it is under it (shorter to read and to click)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
