"""Filters for the console log handler."""

from __future__ import annotations

import logging

TASK_LOGGERS = ("django_tasks", "django_tasks_db")


class TaskChatter(logging.Filter):
    """Drop the task queue's INFO lines (RUNNING, SUCCESSFUL: two per e-mail sent).

    The worker sets its loggers' level from its --verbosity, so a level in LOGGING does not hold;
    a filter on the handler does. Warnings and errors pass; with LOG_LEVEL=DEBUG everything does
    (the handler's filter is left out then). The e-mail log keeps each e-mail's outcome.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        from_tasks = record.name.split(".")[0] in TASK_LOGGERS
        return not (from_tasks and record.levelno < logging.WARNING)
