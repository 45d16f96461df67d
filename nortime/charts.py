"""Small server-rendered SVG charts: horizontal bars and a line over weeks.

Each chart is an image to assistive technology (role="img" with <title> and
<desc>); the page shows the same numbers in a table next to it. A value the
small-number rule hides gets no bar or point: a bar chart shows the table's
text instead ("fewer than 5"), a line breaks. So the picture gives away no
more than the table.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# Colours with at least 4.5:1 contrast against white.
INK = "#1b1b1b"
GRID = "#8a8a8a"
SERIES_COLOURS = ("#0b5cad", "#a4410e", "#2e6b30")


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]


def _nice_max(value: float) -> float:
    """The smallest 1, 2 or 5 × 10^k at or above value (at least 1), for a tidy axis."""
    value = max(value, 1)
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _open(chart_id: str, title: str, description: str, width: int, height: int) -> list[str]:
    # direction="ltr": axes and anchors stay put on right-to-left pages (the text itself still follows bidi).
    return [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" role="img" direction="ltr" '
            f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
            f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">',
            f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
            f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>']


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def bar_chart(chart_id: str, title: str, description: str, bars: Sequence[tuple[str, float | str]],
              width: int = 640) -> Markup:
    """Horizontal bars, one per (label, value); a text value (a hidden count) is written instead of a bar."""
    row_height, label_width, top = 28, 190, 8
    height = top * 2 + row_height * max(len(bars), 1)
    scale_max = _nice_max(max((value for _, value in bars if not isinstance(value, str)), default=0))
    plot_width = width - label_width - 70
    parts = _open(chart_id, title, description, width, height)
    parts.append(f'<line x1="{label_width}" y1="{top}" x2="{label_width}" y2="{height - top}" stroke="{GRID}"/>')
    for index, (label, value) in enumerate(bars):
        y = top + index * row_height
        middle = y + row_height / 2
        parts.append(f'<text x="{label_width - 6}" y="{middle:.1f}" text-anchor="end" dominant-baseline="middle" '
                     f'fill="{INK}" font-size="13">{escape(label)}</text>')
        if isinstance(value, str):
            parts.append(f'<text x="{label_width + 6}" y="{middle:.1f}" dominant-baseline="middle" fill="{INK}" '
                         f'font-size="12" font-style="italic">{escape(value)}</text>')
            continue
        bar_width = plot_width * value / scale_max
        parts.append(f'<rect class="bar" x="{label_width}" y="{y + 4}" width="{bar_width:.1f}" '
                     f'height="{row_height - 8}" fill="{SERIES_COLOURS[0]}"/>')
        parts.append(f'<text x="{label_width + bar_width + 6:.1f}" y="{middle:.1f}" dominant-baseline="middle" '
                     f'fill="{INK}" font-size="12">{_number(value)}</text>')
    parts.append("</svg>")
    return Markup("\n".join(parts))


def line_chart(chart_id: str, title: str, description: str, labels: Sequence[str], series: Sequence[Series],
               hidden_text: str, width: int = 640, height: int = 300) -> Markup:
    """One line per series over `labels` (e.g. weeks); hidden (None) points break the line."""
    left, right, top, bottom = 44, 12, 12, 100  # room below for slanted labels, then the legend
    plot_width, plot_height = width - left - right, height - top - bottom
    values = [value for one in series for value in one.values if value is not None]
    scale_max = _nice_max(max(values, default=0))
    step = plot_width / max(len(labels) - 1, 1)

    def x(index: int) -> float:
        return left + index * step

    def y(value: float) -> float:
        return top + plot_height * (1 - value / scale_max)

    parts = _open(chart_id, title, description, width, height)
    for fraction in (0, 0.5, 1):
        level = scale_max * fraction
        parts.append(f'<line x1="{left}" y1="{y(level):.1f}" x2="{width - right}" y2="{y(level):.1f}" '
                     f'stroke="{GRID}" stroke-width="0.5"/>')
        parts.append(f'<text x="{left - 4}" y="{y(level):.1f}" text-anchor="end" dominant-baseline="middle" '
                     f'fill="{INK}" font-size="11">{_number(level)}</text>')
    every = max(1, len(labels) // 12)
    for index, label in enumerate(labels):
        if index % every == 0:
            parts.append(f'<text x="{x(index):.1f}" y="{top + plot_height + 20}" text-anchor="end" fill="{INK}" '
                         f'font-size="11" transform="rotate(-45 {x(index):.1f} {top + plot_height + 20})">'
                         f'{escape(label)}</text>')
    for number, one in enumerate(series):
        colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
        for run in _runs(one.values):
            points = " ".join(f"{x(index):.1f},{y(value):.1f}" for index, value in run)
            if len(run) > 1:
                parts.append(f'<polyline class="line" fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
            for index, value in run:
                parts.append(f'<circle cx="{x(index):.1f}" cy="{y(value):.1f}" r="2.5" fill="{colour}"/>')
    legend_y = height - 10
    for number, one in enumerate(series):
        colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
        legend_x = left + number * 180
        parts.append(f'<rect x="{legend_x}" y="{legend_y - 9}" width="12" height="4" fill="{colour}"/>')
        parts.append(f'<text x="{legend_x + 16}" y="{legend_y - 5}" dominant-baseline="middle" fill="{INK}" '
                     f'font-size="12">{escape(one.name)}</text>')
    if any(value is None for one in series for value in one.values):
        parts.append(f'<text x="{width - right}" y="{legend_y - 5}" text-anchor="end" dominant-baseline="middle" '
                     f'fill="{INK}" font-size="11" font-style="italic">{escape(hidden_text)}</text>')
    parts.append("</svg>")
    return Markup("\n".join(parts))


def _runs(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """Consecutive shown points, split wherever a value is hidden."""
    runs: list[list[tuple[int, float]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((index, value))
    return [run for run in runs if run]
