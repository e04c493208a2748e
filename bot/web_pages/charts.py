"""Geometry of the inline SVG charts (the templates draw them; no script, no external asset)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 30, 12, 28


@dataclass(frozen=True)
class Bar:
    """One day's bar."""

    x: float
    y: float
    width: float
    height: float
    day: date
    count: int
    in_sprint: bool


@dataclass(frozen=True)
class TrendChart:
    """A daily bar chart: bars, horizontal grid lines with their values, and date labels."""

    width: int
    height: int
    left: int
    base: float
    bars: list[Bar]
    ticks: list[tuple[float, int]]
    labels: list[tuple[float, str]]
    total: int


def nice_step(most: int, *, lines: int = 4) -> int:
    """Return a round grid step (1, 2 or 5 times a power of ten) giving at most `lines` lines."""
    rough = max(most, 1) / lines
    power = 10 ** math.floor(math.log10(rough)) if rough >= 1 else 1
    return next(step * power for step in (1, 2, 5, 10) if step * power >= rough)


def trend_chart(days: list[tuple[date, int]], *, sprint_start: date | None = None) -> TrendChart:
    """Lay out one bar per day; a label under every 7th day (and the last)."""
    most = max((n for _, n in days), default=0)
    step_value = nice_step(most)
    top = step_value * max(math.ceil(most / step_value), 1)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(len(days), 1)
    base = TOP + inner_h
    bars = []
    for index, (day, count) in enumerate(days):
        height = inner_h * count / top
        bars.append(Bar(round(LEFT + index * step + step * 0.15, 1), round(base - height, 1),
                        round(step * 0.7, 1), round(height, 1), day, count,
                        sprint_start is not None and day >= sprint_start))
    ticks = [(round(base - inner_h * value / top, 1), value)
             for value in range(0, top + 1, step_value)]
    every = max(1, math.ceil(len(days) / 6))
    labels = [(round(LEFT + i * step + step / 2, 1), f"{day:%d/%m}") for i, (day, _) in
              enumerate(days) if (len(days) - 1 - i) % every == 0]
    return TrendChart(WIDTH, HEIGHT, LEFT, base, bars, ticks, labels, sum(n for _, n in days))


def percent_width(ratio: float | None) -> float:
    """Return a progress bar's filled width in percent (0 to 100)."""
    if ratio is None:
        return 0.0
    return round(min(max(ratio, 0.0), 1.0) * 100, 1)


def tone(ratio: float | None, projected: float | None) -> str:
    """Name a progress bar's colour: reached, on track, close, or behind."""
    if ratio is not None and ratio >= 1:
        return "done"
    if projected is None:
        return "none"
    if projected >= 1:
        return "good"
    return "warn" if projected >= 0.8 else "bad"


def plan_tone(ratio: float | None) -> str:
    """Colour a % of target as the PNG card does: green from 100 %, amber from 50 %, else red."""
    if ratio is None:
        return "none"
    return "good" if ratio >= 1 else "warn" if ratio >= 0.5 else "bad"
