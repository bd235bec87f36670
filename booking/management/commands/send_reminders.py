from __future__ import annotations

import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from booking import notifications
from webhooks import delivery as webhook_delivery

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Queue the day-before reminders that are due, and re-queue e-mails and webhooks whose task "
        "was lost. "
        "Run every few minutes (cron or a systemd timer); safe to run twice at once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="Keep running and repeat every SECONDS (for `make run` and simple containers).",
        )

    def handle(self, *args, every: int | None = None, **options):
        if every is not None and every < 10:
            raise CommandError("--every must be at least 10 seconds.")
        if every is None:
            self._run_once(options["verbosity"], always_report=True)
            return
        try:
            self._loop(every, options["verbosity"])
        except KeyboardInterrupt:
            # Ctrl-C in `make run` reaches every process of the terminal: stop quietly, as the
            # server beside us does, not with a traceback.
            return

    def _loop(self, every: int, verbosity: int) -> None:
        while True:
            try:
                self._run_once(verbosity, always_report=False)
            except DatabaseError:
                # A database blip must not end the loop; the next round catches up, on a new
                # connection: after a database restart this one is dead and would fail every
                # round (and with it the re-queueing of e-mails a dead worker left behind).
                logger.exception("send_reminders: this round failed, trying again in %ss", every)
                connection.close()
            time.sleep(every)

    def _run_once(self, verbosity: int, *, always_report: bool) -> None:
        reminders = notifications.queue_due_reminders()
        requeued = notifications.requeue_stalled() + webhook_delivery.requeue_stalled()
        if verbosity and (reminders or requeued or always_report):
            self.stdout.write(
                f"Queued {reminders} reminder(s); re-queued {requeued} stalled e-mail(s) "
                "and webhook(s)."
            )
