"""Template filters: times in the site's zone, percentages, durations, numbers."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import format_decimal


def register_filters(app: Flask, timezone: str) -> None:
    zone = ZoneInfo(timezone)

    def localtime(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        """Stored naive UTC, shown in the agency's zone (America/Lima by default)."""
        if value is None:
            return "—"
        return value.replace(tzinfo=dt.UTC).astimezone(zone).strftime(fmt)

    def pct(value: float | None, digits: int = 1, ratio: bool = True) -> str:
        if value is None:
            return "—"
        number = value * 100 if ratio else value
        return f"{format_decimal(round(number, digits), format='#,##0.' + '0' * digits)} %"

    def ms(value: float | None) -> str:
        return "—" if value is None else f"{value:.0f} ms"

    def money(value: float) -> str:
        return f"S/ {format_decimal(round(value), format='#,##0')}"

    def duration(since: dt.datetime | None, now: dt.datetime) -> str:
        if since is None:
            return "—"
        seconds = int((now - since).total_seconds())
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        if days:
            return f"{days} d {hours} h"
        return f"{hours} h {rest // 60} min" if hours else f"{rest // 60} min"

    app.add_template_filter(localtime)
    app.add_template_filter(pct)
    app.add_template_filter(ms)
    app.add_template_filter(money)
    app.add_template_global(duration)
