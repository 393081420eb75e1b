"""A bar chart as plain geometry, drawn as SVG by a template: the server does the drawing, so
the page needs no script (the Content-Security-Policy allows none from elsewhere, nor inline)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Leaves room above the tallest bar for its number.
TOP_MARGIN = 14
GAP = 2


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    largest: int


def bar_chart(values: Sequence[tuple[str, int]], width: int = 600, height: int = 160) -> BarChart:
    """Bars side by side filling `width`, the largest value reaching near the top; a value of
    zero gets no height at all, so an empty day reads as empty."""
    largest = max((value for _, value in values), default=0)
    slot = width / max(len(values), 1)
    usable = height - TOP_MARGIN
    bars = []
    for index, (label, value) in enumerate(values):
        bar_height = usable * value / largest if largest else 0.0
        bars.append(Bar(label=label, value=value, x=round(index * slot + GAP / 2, 2),
                        y=round(height - bar_height, 2), width=round(slot - GAP, 2),
                        height=round(bar_height, 2)))
    return BarChart(width=width, height=height, bars=bars, largest=largest)
