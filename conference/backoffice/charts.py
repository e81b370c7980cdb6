"""Server-side SVG charts: the geometry in Python, the drawing in `backoffice/_charts.html`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class Series:
    """One line of a line chart."""

    name: str
    css: str
    values: list[int]
    points: str = ""


@dataclass
class LineChart:
    """A cumulative line chart with an optional horizontal limit (the venue cap)."""

    labels: list[str]
    series: list[Series]
    limit: int | None = None
    limit_name: str = ""
    width: int = 640
    height: int = 260
    left: int = 52
    right: int = 16
    top: int = 16
    bottom: int = 40
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    limit_y: float | None = None

    def layout(self) -> LineChart:
        """Compute points, ticks and the limit line."""
        top_value = max([*(max(s.values, default=0) for s in self.series), self.limit or 0, 1])
        step = nice_step(top_value)
        y_max = step * math.ceil(top_value / step)
        plot_w = self.width - self.left - self.right
        plot_h = self.height - self.top - self.bottom
        n = max(len(self.labels) - 1, 1)

        def x(i: int) -> float:
            return round(self.left + plot_w * i / n, 1)

        def y(v: float) -> float:
            return round(self.top + plot_h * (1 - v / y_max), 1)

        for s in self.series:
            s.points = " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(s.values))
        self.y_ticks = [(y(v), f"{v:g}") for v in _frange(0, y_max, step)]
        every = max(1, math.ceil(len(self.labels) / 8))
        self.x_ticks = [(x(i), lab) for i, lab in enumerate(self.labels) if i % every == 0]
        self.limit_y = y(self.limit) if self.limit else None
        return self

    @property
    def plot_right(self) -> int:
        """The x of the plot's right edge."""
        return self.width - self.right

    @property
    def plot_bottom(self) -> int:
        """The y of the plot's bottom edge."""
        return self.height - self.bottom


@dataclass
class Bar:
    """One bar of a bar chart."""

    label: str
    value: int
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0


@dataclass
class BarChart:
    """Vertical bars (e.g. arrivals per quarter hour)."""

    bars: list[Bar]
    width: int = 640
    height: int = 220
    left: int = 44
    right: int = 12
    top: int = 12
    bottom: int = 40
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)

    def layout(self) -> BarChart:
        """Compute bar rectangles and ticks."""
        top_value = max([*(b.value for b in self.bars), 1])
        step = nice_step(top_value)
        y_max = step * math.ceil(top_value / step)
        plot_w = self.width - self.left - self.right
        plot_h = self.height - self.top - self.bottom
        slot = plot_w / max(len(self.bars), 1)
        for i, bar in enumerate(self.bars):
            bar.w = round(max(slot * 0.8, 1), 1)
            bar.h = round(plot_h * bar.value / y_max, 1)
            bar.x = round(self.left + slot * i + slot * 0.1, 1)
            bar.y = round(self.top + plot_h - bar.h, 1)
        self.y_ticks = [
            (round(self.top + plot_h * (1 - v / y_max), 1), f"{v:g}")
            for v in _frange(0, y_max, step)
        ]
        every = max(1, math.ceil(len(self.bars) / 8))
        self.x_ticks = [
            (round(self.left + slot * (i + 0.5), 1), b.label)
            for i, b in enumerate(self.bars)
            if i % every == 0
        ]
        return self

    @property
    def plot_right(self) -> int:
        """The x of the plot's right edge."""
        return self.width - self.right

    @property
    def plot_bottom(self) -> int:
        """The y of the plot's bottom edge."""
        return self.height - self.bottom


def nice_step(top: float, ticks: int = 5) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) giving about `ticks` ticks."""
    raw = max(top / ticks, 1)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _frange(start: float, stop: float, step: float) -> list[float]:
    count = round((stop - start) / step)
    return [start + i * step for i in range(count + 1)]
