"""Server-side SVG charts: the geometry is computed here, the template draws it (so every text from
the data goes through the template's escaping).  No script and no external asset is needed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WIDTH = 400
ROW = 52
BAR_Y = 22
BAR_HEIGHT = 18


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None  # None: the kind of data is not loaded
    total: int
    href: str = ""


def percent(value: int, total: int) -> str:
    return f"{round(100 * value / total)}%" if total else "0%"


def coverage_chart(
    chart_id: str, title: str, total: int, bars: list[Bar], *, of: str = "of",
    not_loaded: str = "not loaded",
) -> dict[str, Any]:
    """A horizontal bar chart of ``value / total`` per bar: label and value on one line, the bar
    under it; a bar without a value is drawn dashed and reads "not loaded"."""
    rows = []
    described = []
    for i, bar in enumerate(bars):
        y = i * ROW
        if bar.value is None:
            text = not_loaded
            width = 0.0
        else:
            text = f"{bar.value} {of} {total} ({percent(bar.value, total)})"
            width = WIDTH * bar.value / total if total else 0.0
        described.append(f"{bar.label}: {text}")
        rows.append({
            "label": bar.label, "text": text, "loaded": bar.value is not None,
            "href": bar.href, "y": y, "text_y": y + 15, "bar_y": y + BAR_Y,
            "bar_height": BAR_HEIGHT, "width": round(width, 1), "full": WIDTH,
            "na_x": WIDTH / 2, "na_y": y + BAR_Y + 13,
        })
    return {"id": chart_id, "title": title, "width": WIDTH, "height": len(bars) * ROW,
            "rows": rows, "description": "; ".join(described)}
