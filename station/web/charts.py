"""Bar charts as SVG, drawn on the station: no chart library, no CDN, and every label escaped (a
reason or a camera name may come from a camera, which the station does not trust)."""

from __future__ import annotations

from xml.sax.saxutils import escape

PALETTE = ["#1f5f8b", "#d9822b", "#3c8d40", "#a23b72", "#6b6b6b", "#c0392b"]
WIDTH, BAR_AREA, ROW = 640, 200, 28


def bars(title: str, values: list[tuple[str, float]], unit: str = "") -> str:
    """Horizontal bars, one per ``(label, value)``."""
    top = max((v for _, v in values), default=0) or 1
    height = 30 + ROW * max(len(values), 1)
    parts = [_open(title, height), f'<text x="0" y="16" class="chart-title">{escape(title)}</text>']
    for row, (label, value) in enumerate(values):
        y = 30 + row * ROW
        length = BAR_AREA * 1.6 * value / top
        parts += [f'<text x="0" y="{y + 17}">{escape(label)}</text>',
                  f'<rect x="220" y="{y + 4}" width="{length:.1f}" height="18" fill="{PALETTE[0]}"/>',
                  f'<text x="{226 + length:.1f}" y="{y + 17}">{_number(value)}{escape(unit)}</text>']
    if not values:
        parts.append('<text x="0" y="50">—</text>')
    return "".join(parts) + "</svg>"


def stacked(title: str, categories: list[str], series: dict[str, list[float]]) -> str:
    """Vertical stacked columns: one per category (e.g. a month), one colour per series (e.g. a reason)."""
    totals = [sum(values[i] for values in series.values()) for i in range(len(categories))]
    top = max(totals, default=0) or 1
    column = max(24, min(60, (WIDTH - 60) // max(len(categories), 1) - 8))
    height = 60 + BAR_AREA + 20 * len(series)
    parts = [_open(title, height), f'<text x="0" y="16" class="chart-title">{escape(title)}</text>']
    for i, category in enumerate(categories):
        x, base = 40 + i * (column + 8), 30.0 + BAR_AREA
        for colour, values in zip(PALETTE * 4, series.values(), strict=False):
            h = BAR_AREA * values[i] / top
            base -= h
            parts.append(f'<rect x="{x}" y="{base:.1f}" width="{column}" height="{h:.1f}" fill="{colour}"/>')
        parts += [f'<text x="{x}" y="{30 + BAR_AREA + 16}" class="small">{escape(category)}</text>',
                  f'<text x="{x}" y="{base - 4:.1f}" class="small">{_number(totals[i])}</text>']
    for row, (name, colour) in enumerate(zip(series, PALETTE * 4, strict=False)):
        y = 30 + BAR_AREA + 40 + row * 20
        parts += [f'<rect x="40" y="{y - 11}" width="12" height="12" fill="{colour}"/>',
                  f'<text x="58" y="{y}">{escape(name)}</text>']
    return "".join(parts) + "</svg>"


def _open(title: str, height: int) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{escape(title)}" '
            f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}">')


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
