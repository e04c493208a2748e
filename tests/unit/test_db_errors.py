"""Which database errors mean "run the same unit of work again" (storage/db.py)."""

from __future__ import annotations

import sqlite3

from asyncpg.exceptions import ConnectionDoesNotExistError
from asyncpg.exceptions._base import InternalClientError
from sqlalchemy.exc import DBAPIError, IntegrityError

from storage.db import is_disconnect, is_transient


def wrapped(error: Exception) -> DBAPIError:
    """The error as SQLAlchemy raises it: the driver's error is its cause."""
    try:
        raise DBAPIError("SELECT 1", None, error) from error
    except DBAPIError as exc:
        return exc


def test_a_connection_still_reading_its_termination_is_a_disconnect() -> None:
    # asyncpg, when the server ended the connection and the next query comes at once.
    error = wrapped(InternalClientError(
        "cannot switch to state 15; another operation (2) is in progress"))
    assert is_disconnect(error) and is_transient(error)


def test_a_dropped_connection_and_a_busy_sqlite_are_transient() -> None:
    assert is_transient(wrapped(ConnectionDoesNotExistError("connection was closed")))
    busy = sqlite3.OperationalError("database is locked")
    busy.sqlite_errorcode = sqlite3.SQLITE_BUSY
    assert is_transient(wrapped(busy)) and not is_disconnect(wrapped(busy))


def test_a_bug_is_not_transient() -> None:
    assert not is_transient(IntegrityError("INSERT", None, Exception("duplicate key")))
    assert not is_transient(ValueError("a bug"))
