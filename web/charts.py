"""Server-rendered SVG charts: no JavaScript, no CDN, readable on a phone (the SVG scales)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

PALETTE = ("#1f6feb", "#d97706", "#059669", "#b91c1c", "#7c3aed", "#0e7490", "#be185d", "#4d7c0f")


def stacked_bars(
    columns: Sequence[str],
    series: Mapping[str, Sequence[float]],
    title: str,
    unit: str = "",
    width: int = 640,
    height: int = 260,
) -> str:
    """Columns (years) of stacked series (regions); the legend names every series."""
    left, bottom, top, legend_w = 70, 30, 24, 150
    plot_w, plot_h = width - left - legend_w - 10, height - top - bottom
    totals = [sum(values[i] for values in series.values()) for i in range(len(columns))]
    peak = max(totals, default=0) or 1.0
    slot = plot_w / max(1, len(columns))
    bar = slot * 0.6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#888"/>',
    ]
    for tick in range(5):
        value = peak * tick / 4
        y = top + plot_h - plot_h * tick / 4
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'class="tick">{value:,.0f}{escape(unit)}</text>'
        )
    for i, column in enumerate(columns):
        x = left + i * slot + (slot - bar) / 2
        y = top + plot_h
        for j, (name, values) in enumerate(series.items()):
            h = plot_h * values[i] / peak
            if h <= 0:
                continue
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(name)} {escape(column)}: '
                f"{values[i]:,.0f}{escape(unit)}</title></rect>"
            )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 18}" text-anchor="middle" '
            f'class="tick">{escape(column)}</text>'
        )
    for j, name in enumerate(series):
        y = top + j * 18
        lx = width - legend_w
        parts.append(
            f'<rect x="{lx}" y="{y}" width="12" height="12" fill="{PALETTE[j % len(PALETTE)]}"/>'
        )
        parts.append(f'<text x="{lx + 18}" y="{y + 11}" class="legend">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
