"""What one request costs in round trips to the database and the cache, counted in-process.

SQL: every statement Django sends (`connection.execute_wrapper`, which also sees SAVEPOINT,
RELEASE SAVEPOINT and SQLite's explicit BEGIN), plus what is sent without a statement of
Django's: psycopg's implicit BEGIN before the first statement of a transaction, COMMIT or
ROLLBACK when a transaction is really open (psycopg sends nothing for an idle one), and the
pool's check of a connection it hands out (an empty statement, CONN_HEALTH_CHECKS). A served
request starts without a connection (the last one's end gave it back to the pool) and so pays
that check; Django's test client keeps its connection across requests, so `as_served()` gives
it back first.

Cache: with Redis, every write of commands redis-py makes to its socket, which is one round trip
(a pipeline or a script is one, as on the wire). With another cache (local memory) there is no
network, so each call on the Django cache is counted instead: the work a Redis would be asked.

Counts only what the calling thread does on the database, and every Redis command of the
process: run it around one request in a single-threaded process (bench/harness.py does).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.db import connections

CACHE_METHODS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "incr",
    "decr",
    "has_key",
    "get_many",
    "set_many",
    "delete_many",
    "get_or_set",
    "clear",
)
# How the pool's check (psycopg_pool's check_connection: an empty statement) is listed.
POOL_CHECK = "CHECK (pool)"
_TABLE_RE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)


@dataclass
class RoundTrips:
    """What a block of code sent: one entry per round trip, in order."""

    sql: list[str] = field(default_factory=list)
    cache: list[str] = field(default_factory=list)
    cache_is_redis: bool = False

    @property
    def total(self) -> int:
        return len(self.sql) + len(self.cache)

    @property
    def cache_word(self) -> str:
        return "Redis" if self.cache_is_redis else "cache calls"

    def summary(self) -> str:
        """'16 (12 SQL + 4 Redis)'."""
        return f"{self.total} ({len(self.sql)} SQL + {len(self.cache)} {self.cache_word})"

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "sql": [describe(sql) for sql in self.sql],
            "cache": list(self.cache),
            "cache_is_redis": self.cache_is_redis,
        }


def _outside_parentheses(sql: str) -> str:
    """The statement with every parenthesised part (subqueries, column lists) left out."""
    kept, depth = [], 0
    for char in sql:
        depth += char == "("
        if depth == 0:
            kept.append(char)
        depth -= char == ")" and depth > 0
    return "".join(kept)


def describe(sql: str) -> str:
    """A statement in a few words: its verb and table, e.g. 'INSERT booking_booking'; a WITH
    of INSERTs names every table: 'INSERT booking_booking + booking_notification'."""
    if sql == POOL_CHECK or not sql.strip():
        return POOL_CHECK
    words = sql.split(None, 1)
    verb = words[0].upper()
    if verb == "WITH":
        tables = re.findall(r'\bINSERT\s+INTO\s+"?(\w+)"?', sql, re.IGNORECASE)
        return "INSERT " + " + ".join(tables) if tables else verb
    if verb in ("SELECT", "INSERT", "UPDATE", "DELETE"):
        table = _TABLE_RE.search(_outside_parentheses(sql)) or _TABLE_RE.search(sql)
        return f"{verb} {table.group(1)}" if table else verb
    if verb == "RELEASE":
        return "RELEASE SAVEPOINT"
    return " ".join(sql.split()[:2]).upper() if verb == "BEGIN" else verb


def _transaction_open(conn) -> bool:
    raw = conn.connection
    if raw is None:
        return False
    if conn.vendor == "postgresql":
        from psycopg import pq

        return raw.info.transaction_status != pq.TransactionStatus.IDLE
    return bool(getattr(raw, "in_transaction", False))


def _driver_begins(conn) -> bool:
    """True when psycopg is about to send BEGIN ahead of the next statement."""
    raw = conn.connection
    return (
        conn.vendor == "postgresql"
        and raw is not None
        and not raw.autocommit
        and not _transaction_open(conn)
    )


def redis_command_names(packed) -> list[str]:
    """The command names in what redis-py writes to its socket (RESP arrays)."""
    if isinstance(packed, str):
        data = packed.encode()
    elif isinstance(packed, (bytes, bytearray, memoryview)):
        data = bytes(packed)
    else:
        data = b"".join(bytes(part) for part in packed)
    names: list[str] = []
    pos = 0
    while data[pos : pos + 1] == b"*":
        end = data.index(b"\r\n", pos)
        count = int(data[pos + 1 : end])
        pos = end + 2
        for index in range(count):
            end = data.index(b"\r\n", pos)
            length = int(data[pos + 1 : end])
            start = end + 2
            if index == 0:
                names.append(data[start : start + length].decode(errors="replace").upper())
            pos = start + length + 2
    return names


@contextmanager
def _count_sql(trips: RoundTrips, alias: str) -> Iterator[None]:
    conn = connections[alias]

    def counted(execute, sql, params, many, context):
        if _driver_begins(conn):
            trips.sql.append("BEGIN")
        trips.sql.append(sql)
        return execute(sql, params, many, context)

    def ending(name: str, original):
        def end_transaction():
            if _transaction_open(conn):
                trips.sql.append(name)
            return original()

        return end_transaction

    # Instance attributes shadow the backend's methods for this connection only.
    conn._commit = ending("COMMIT", conn._commit)
    conn._rollback = ending("ROLLBACK", conn._rollback)
    try:
        with conn.execute_wrapper(counted), _pool_checks(trips):
            yield
    finally:
        del conn._commit
        del conn._rollback


@contextmanager
def _pool_checks(trips: RoundTrips) -> Iterator[None]:
    """The statements sent on a psycopg connection itself, not through a cursor of Django's:
    the pool's check of a connection before it hands it out, by this thread."""
    try:
        from psycopg import Connection
    except ImportError:  # pragma: no cover - psycopg is in requirements.txt
        yield
        return
    original = Connection.execute
    counting_thread = threading.get_ident()

    def execute(self, query, *args, **kwargs):
        if threading.get_ident() == counting_thread:
            trips.sql.append(POOL_CHECK if query == "" else str(query))
        return original(self, query, *args, **kwargs)

    Connection.execute = execute
    try:
        yield
    finally:
        Connection.execute = original


def as_served(alias: str = "default") -> None:
    """End the connection's use as a served request's end does (request_finished): back to
    the pool, so the next request is handed it anew, as under gunicorn. Django's test client
    keeps the connection across its requests instead."""
    connections[alias].close()


@contextmanager
def _count_redis(trips: RoundTrips) -> Iterator[None]:
    from redis.connection import AbstractConnection

    original = AbstractConnection.send_packed_command

    def counted(self, command, check_health=True):
        trips.cache.append(" + ".join(redis_command_names(command)))
        return original(self, command, check_health)

    AbstractConnection.send_packed_command = counted
    try:
        yield
    finally:
        AbstractConnection.send_packed_command = original


@contextmanager
def _count_cache_calls(trips: RoundTrips, alias: str) -> Iterator[None]:
    backend = type(caches[alias])
    depth = threading.local()
    originals = {}

    def counting(name: str, method):
        def counted(self, *args, **kwargs):
            # Only the outermost call: BaseCache.decr is incr, get_or_set is get then add.
            outermost = getattr(depth, "value", 0) == 0
            if outermost:
                trips.cache.append(name)
            depth.value = getattr(depth, "value", 0) + 1
            try:
                return method(self, *args, **kwargs)
            finally:
                depth.value -= 1

        return counted

    for name in CACHE_METHODS:
        method = getattr(backend, name, None)
        if method is not None:
            originals[name] = backend.__dict__.get(name)
            setattr(backend, name, counting(name, method))
    try:
        yield
    finally:
        for name, original in originals.items():
            if original is None:
                delattr(backend, name)
            else:
                setattr(backend, name, original)


@contextmanager
def count_round_trips(*, database: str = "default", cache: str = "default") -> Iterator[RoundTrips]:
    """Count the round trips of the block: `with count_round_trips() as trips: ...`."""
    trips = RoundTrips(cache_is_redis="redis" in settings.CACHES[cache]["BACKEND"].lower())
    cache_counter = (
        _count_redis(trips) if trips.cache_is_redis else _count_cache_calls(trips, cache)
    )
    with _count_sql(trips, database), cache_counter:
        yield trips
