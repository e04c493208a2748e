"""Prepared statements convert values exactly as SQLAlchemy's own execution does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects.sqlite import aiosqlite

from storage.prepared import _bind, _result
from storage.types import UTCDateTime

SQLITE = aiosqlite.dialect()
SLOW = UTCDateTime().dialect_impl(SQLITE)
times = st.datetimes(min_value=datetime(1971, 1, 2), max_value=datetime(2200, 1, 1),
                     timezones=st.sampled_from([UTC, timezone(timedelta(hours=7)),
                                                timezone(timedelta(hours=-5, minutes=-30))]))


@given(times)
def test_a_time_is_stored_as_sqlalchemy_stores_it_and_read_back_alike(moment: datetime) -> None:
    stored = _bind(UTCDateTime(), SQLITE)(moment)
    assert stored == SLOW.bind_processor(SQLITE)(moment)
    assert _result(UTCDateTime(), SQLITE)(stored) == SLOW.result_processor(SQLITE, None)(stored)
    assert _result(UTCDateTime(), SQLITE)(stored) == moment


def test_a_naive_time_is_refused_as_on_sqlalchemys_path() -> None:
    with pytest.raises(ValueError, match="naive"):
        _bind(UTCDateTime(), SQLITE)(datetime(2026, 11, 24, 9))
