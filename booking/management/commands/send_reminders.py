from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from booking import notifications


class Command(BaseCommand):
    help = (
        "Queue the day-before reminders that are due, and re-queue e-mails whose task was lost. "
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
        while True:
            reminders = notifications.queue_due_reminders()
            requeued = notifications.requeue_stalled()
            if options["verbosity"] and (reminders or requeued or every is None):
                self.stdout.write(
                    f"Queued {reminders} reminder(s); re-queued {requeued} stalled e-mail(s)."
                )
            if every is None:
                return
            time.sleep(every)
