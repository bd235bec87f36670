"""Writing a booking change's rows together: the booking, its e-mail rows, their queue task.

Everything that leaves the building (DESIGN 7 and 10) is a row written in the change's own
transaction: a Notification per e-mail and one task row on the django-tasks database queue
that sends them. The task row is built here exactly as the queue's backend builds it
(`task_row`), but INSERTed by the transaction instead of committed on its own after it, so:

- a rolled-back booking leaves no e-mail row and no task: nothing is sent;
- a committed one always has its task: no "enqueue after commit" that a dying process loses;
- the worker cannot pick the task before the commit: it cannot see uncommitted rows.

`insert` writes several models' new rows in one statement on PostgreSQL (data-modifying
WITH clauses, each INSERT compiled by Django as bulk_create would), one round trip where
bulk_create would take one per model; SQLite (no INSERT in WITH) gets one statement per model.
The rows' keys must be set before (UUIDs) or not be needed afterwards: nothing is RETURNed.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, models
from django.db.models.sql import InsertQuery
from django_tasks_db.models import DBTaskResult, get_date_max


def task_row(task, *args) -> DBTaskResult:
    """The queue row `task.enqueue(*args)` would write (django_tasks_db's
    DatabaseBackend._task_to_db_task and its pre_save handler), built but not saved."""
    backend = task.get_backend()
    backend.validate_task(task)
    return DBTaskResult(
        id=backend._get_id(),
        args_kwargs={"args": list(args), "kwargs": {}},
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        run_after=task.run_after or get_date_max(),
        backend_name=backend.alias,
    )


def _insert_sql(rows: Sequence[models.Model], connection) -> tuple[str, list]:
    """One INSERT of `rows` (one model), compiled as bulk_create compiles it."""
    opts = rows[0]._meta
    fields = [field for field in opts.concrete_fields if not field.generated]
    if rows[0].pk is None:
        fields = [field for field in fields if field is not opts.pk]
    query = InsertQuery(type(rows[0]))
    query.insert_values(fields, rows)
    [(sql, params)] = query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


def insert(*groups: Sequence[models.Model], using: str = "default") -> None:
    """INSERT each group of new rows (one model per group, in order): one statement on
    PostgreSQL. Inside the caller's transaction; an IntegrityError of any row fails them all."""
    groups = tuple(group for group in groups if group)
    connection = connections[using]
    if connection.vendor != "postgresql":
        for group in groups:
            if len(group) == 1:
                # save() also compiles expressions in the values (a Subquery): bulk_create not.
                group[0].save(force_insert=True, using=using)
            else:
                type(group[0]).objects.using(using).bulk_create(group)
        return
    statements = [_insert_sql(group, connection) for group in groups]
    *first, (last_sql, _) = statements
    # PostgreSQL runs every data-modifying WITH clause, RETURNING or not, to completion.
    clauses = ", ".join(f"w{n} AS ({sql})" for n, (sql, _) in enumerate(first))
    sql = f"WITH {clauses} {last_sql}" if clauses else last_sql
    params = [param for _, group_params in statements for param in group_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    for group in groups:
        for row in group:
            row._state.adding = False
            row._state.db = using
