"""Exponential back-off with jitter: the one rule for every retry (pollers, the sender, the router).

The n-th consecutive failure waits `base · 2^(n−1)`, capped at `cap`, times a random factor
between 0.5 and 1.5, so many workers failing together do not retry together.
"""

from __future__ import annotations

import random


def delay(failures: int, *, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Return how long to wait after `failures` consecutive failures (1 for the first)."""
    return min(cap, base * 2 ** (max(failures, 1) - 1)) * (rng or random).uniform(0.5, 1.5)


class Backoff:
    """Counts consecutive failures and says how long to wait after each."""

    def __init__(self, *, base: float = 1.0, cap: float = 60.0,
                 rng: random.Random | None = None) -> None:
        self.base, self.cap = base, cap
        self.failures = 0
        self.rng = rng or random.Random()

    def next_delay(self) -> float:
        """Count a failure and return how long to wait before trying again."""
        self.failures += 1
        return delay(self.failures, base=self.base, cap=self.cap, rng=self.rng)

    def reset(self) -> None:
        """Forget past failures after a success."""
        self.failures = 0
