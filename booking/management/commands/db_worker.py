"""django-tasks-db's `db_worker`, made to outlive a database restart.

Upstream's worker exits on the first database error that is not "database is locked", so a
PostgreSQL restart (a minor upgrade, a fail-over) silently stopped every e-mail until someone
restarted the worker. This one waits for the database, reconnects and carries on. `booking` is
listed before `django_tasks_db` in INSTALLED_APPS so that `manage.py db_worker` is this command.
"""

from __future__ import annotations

import logging
import time

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands import db_worker as upstream
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("booking.worker")

# Waits between tries to reach the database: quick at first (a restart takes seconds), then
# no more often than every 30 s while it stays down.
RECONNECT_DELAYS = [1, 2, 5, 10, 30]
# A run of the upstream loop that lasted this long was healthy: start the waits over.
HEALTHY_AFTER = 60.0


def _drop_connections() -> None:
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except Exception:  # a dead connection may fail to close; it is gone either way
            logger.debug("closing a dead connection failed", exc_info=True)


class Worker(upstream.Worker):
    def run(self) -> None:
        failures = 0
        while self.running:
            started = time.monotonic()
            try:
                self._release_own_tasks()
                super().run()
                return  # --batch or --max-tasks said stop
            except (OperationalError, InterfaceError) as exc:
                if time.monotonic() - started > HEALTHY_AFTER:
                    failures = 0
                delay = RECONNECT_DELAYS[min(failures, len(RECONNECT_DELAYS) - 1)]
                failures += 1
                logger.warning("database unavailable (%s); reconnecting in %ss", exc, delay)
                _drop_connections()
                self.running_task = False
                time.sleep(delay)

    def _release_own_tasks(self) -> None:
        """Tasks this worker had claimed when the database went away run again.

        One worker runs one task at a time, and none is running here, so a task of ours still
        marked running was cut off by the outage. Its work is safe to repeat: delivery claims
        each e-mail with a guarded UPDATE.
        """
        running = DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING, backend_name=self.backend_name
        ).values_list("pk", "worker_ids")
        # A handful of rows (one per busy worker); SQLite cannot look inside a JSON list.
        ours = [pk for pk, worker_ids in running if worker_ids and worker_ids[-1] == self.worker_id]
        released = DBTaskResult.objects.filter(pk__in=ours, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, started_at=None
        )
        if released:
            logger.warning("re-queued %s task(s) cut off by a database outage", released)


class Command(upstream.Command):
    help = upstream.Command.help + " (reconnects when the database restarts)"

    def handle(self, *args, **options):
        # Upstream's handle builds its Worker from the module global; swap in ours.
        original = upstream.Worker
        upstream.Worker = Worker
        try:
            return super().handle(*args, **options)
        finally:
            upstream.Worker = original
