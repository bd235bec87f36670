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

import datetime as dt
import uuid
from collections.abc import Sequence

import psycopg._queries
from django.db import connections, models
from django.db.models.expressions import RawSQL
from django.db.models.sql import InsertQuery
from django_tasks_db.models import DBTaskResult, get_date_max

# psycopg turns a statement's %s into PostgreSQL's $1, $2... by parsing it, and keeps the result
# per statement text, but only for statements of at most 50 values: its guard against ORMs'
# INSERTs of any number of rows filling that cache. A booking's one INSERT carries about 90
# values in a handful of shapes (this module writes one statement per shape), and parsing it
# anew for every booking was a tenth of a gunicorn worker's time (py-spy, issue 17). The limit
# is a module constant, not a setting; a psycopg without it only loses the saving, and
# booking/tests/test_booking_python_costs.py notices that.
PSYCOPG_CACHED_PARAMS = 200
if getattr(psycopg._queries, "MAX_CACHED_STATEMENT_PARAMS", 0) < PSYCOPG_CACHED_PARAMS:
    psycopg._queries.MAX_CACHED_STATEMENT_PARAMS = PSYCOPG_CACHED_PARAMS


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
    """One INSERT of `rows` (one model), with each value prepared as Django's compiler
    prepares it (pre_save, get_db_prep_save). The statement is written once per shape (model,
    columns, row count, the SQL of any RawSQL value) and kept: compiled by the ORM on every
    booking it cost more than the database's work on it (issue 17's profile). A value of
    another expression (a Subquery) goes through the compiler, as bulk_create would."""
    opts = rows[0]._meta
    fields = [field for field in opts.concrete_fields if not field.generated]
    if rows[0].pk is None:
        fields = [field for field in fields if field is not opts.pk]
    values = [[field.pre_save(row, True) for field in fields] for row in rows]
    raw = [[value if isinstance(value, RawSQL) else None for value in row] for row in values]
    others = any(
        hasattr(value, "resolve_expression") and not isinstance(value, RawSQL)
        for row in values
        for value in row
    )
    if others or any(hasattr(field, "get_placeholder") for field in fields):
        query = InsertQuery(type(rows[0]))
        query.insert_values(fields, rows)
        [(sql, params)] = query.get_compiler(connection=connection).as_sql()
        return sql, list(params)
    shape = tuple(tuple(value.sql if value else None for value in row) for row in raw)
    sql = _statement(connection, type(rows[0]), tuple(fields), shape)
    params = []
    for row in values:
        for field, value in zip(fields, row, strict=True):
            if isinstance(value, RawSQL):
                params.extend(value.params)
            else:
                params.append(db_value(field, value, connection))
    return sql, params


# Exactly these field classes (a PhoneNumberField is a CharField, an EmailField too: not these)
# hand PostgreSQL a value of exactly this type unchanged from get_db_prep_save, as do they None:
# Django 5.2's fields, read. Skipping the five calls each such value makes through the field was
# a twentieth of a booking's Python (py-spy). test_booking_python_costs compares every value of a
# real booking's rows with the field's own preparation.
_PASSED_AS_IS = {
    models.CharField: str,
    models.TextField: str,
    models.BooleanField: bool,
    models.UUIDField: uuid.UUID,
    models.DateField: dt.date,
    models.TimeField: dt.time,
    models.DateTimeField: dt.datetime,
}


def db_value(field: models.Field, value, connection):
    """`value` as the field's get_db_prep_save gives it to PostgreSQL."""
    kind = _PASSED_AS_IS.get(type(field))
    if kind is not None and (
        value is None
        # A naive datetime is made aware by the field (with a warning): not as is.
        or (type(value) is kind and (kind is not dt.datetime or value.tzinfo is not None))
    ):
        return value
    return field.get_db_prep_save(value, connection=connection)


_statements: dict[tuple, str] = {}


def _statement(connection, model, fields: tuple, shape: tuple) -> str:
    """INSERT INTO the model's table (the fields' columns) VALUES one row per `shape` row:
    %s per value, or a RawSQL value's SQL in brackets. Written once per shape and kept."""
    key = (connection.vendor, model, fields, shape)
    if key not in _statements:
        q = connection.ops.quote_name
        columns = ", ".join(q(field.column) for field in fields)
        rows = ", ".join(
            "(" + ", ".join(f"({raw})" if raw else "%s" for raw in row) + ")" for row in shape
        )
        _statements[key] = f"INSERT INTO {q(model._meta.db_table)} ({columns}) VALUES {rows}"
    return _statements[key]


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
