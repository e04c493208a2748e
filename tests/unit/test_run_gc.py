"""`sangkien run` collects Python's youngest generation less often than the interpreter's default."""

from __future__ import annotations

import argparse
import gc

import pytest

from bot import runtime
from bot.cli import core
from bot.config import load_config


def test_serving_collects_the_youngest_generation_every_ten_thousand_allocations(
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[int, ...]] = []

    async def serve(_config: object) -> int:
        seen.append(gc.get_threshold())
        return 0

    monkeypatch.setattr(runtime, "serve", serve)
    before = gc.get_threshold()
    try:
        assert core.cmd_run(load_config(env={}), argparse.Namespace()) == 0
    finally:
        gc.set_threshold(*before)
    assert seen == [(core.YOUNG_COLLECTION_EVERY, *before[1:])]
    assert before[0] < core.YOUNG_COLLECTION_EVERY
