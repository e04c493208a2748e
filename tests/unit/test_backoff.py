from __future__ import annotations

import random

from handlers.backoff import Backoff, delay


def test_each_failure_doubles_the_wait_within_half_and_one_and_a_half_of_it() -> None:
    rng = random.Random(7)
    for failures, nominal in ((1, 2.0), (2, 4.0), (3, 8.0), (9, 60.0)):
        waits = [delay(failures, base=2.0, cap=60.0, rng=rng) for _ in range(200)]
        assert nominal * 0.5 <= min(waits) and max(waits) <= nominal * 1.5
        assert max(waits) - min(waits) > nominal * 0.5  # jittered, not all alike


def test_a_success_starts_the_count_again() -> None:
    backoff = Backoff(base=1.0, cap=30.0, rng=random.Random(1))
    assert [round(backoff.next_delay() / 2 ** n, 1) <= 1.5 for n in range(4)] == [True] * 4
    backoff.reset()
    assert backoff.next_delay() <= 1.5
