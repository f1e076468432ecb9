"""Metrics as small bar charts drawn on the server (inline SVG, no script): the account's page and
the owner's dashboard show the same three charts."""
from __future__ import annotations

import math
from collections.abc import Sequence

from flask_babel import gettext as _

from web.ui.formats import date_text, month_text

WIDTH, HEIGHT, TOP = 600, 160, 12  # the SVG's viewBox; bars stand on y = HEIGHT


def _nice_max(value: float) -> float:
    """A round top for the axis (1, 2, 5, 10, 20, 50…) at or above value."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def bar_chart(points: Sequence[dict], series: Sequence[tuple[str, str]], label_key: str,
              top: float | None = None, unit: str = "") -> dict:
    """Bars for each point, one per (key, label) of series side by side; each bar's title says
    its label, value and the point's label. top fixes the axis (e.g. 100 for percentages)."""
    values = [[float(p.get(key) or 0) for key, _label in series] for p in points]
    axis = top or _nice_max(max((v for row in values for v in row), default=0))
    slot = WIDTH / max(len(points), 1)
    width = slot * 0.8 / len(series)
    bars = []
    for index, (point, row) in enumerate(zip(points, values)):
        for n, ((key, label), value) in enumerate(zip(series, row)):
            height = (HEIGHT - TOP) * value / axis
            bars.append({"x": round(index * slot + slot * 0.1 + n * width, 2), "w": round(width, 2),
                         "y": round(HEIGHT - height, 2), "h": round(height, 2), "cls": key,
                         "title": f"{point[label_key]}: {label} {value:g}{unit}"})
    return {"bars": bars, "axis": f"{axis:g}{unit}", "width": WIDTH, "height": HEIGHT,
            "first": points[0][label_key] if points else "", "series": series,
            "last": points[-1][label_key] if points else ""}


def metric_charts(metrics: dict) -> dict:
    """The three charts of a metrics answer (Metrics.for_account or for_platform)."""
    weeks = [{**w, "percent": round(100 * w["rate"]) if w["rate"] is not None else 0,
              "week": date_text(w["week_start"])} for w in metrics["reply_rate_per_week"]]
    days = [{**d, "day": date_text(d["date"])} for d in metrics["messages_per_day"]]
    months = [{**m, "month": month_text(m["month"])} for m in metrics["appointments_per_month"]]
    totals = {"sent": sum(d["sent"] for d in days), "received": sum(d["received"] for d in days),
              "booked": sum(m["booked_whatsapp"] for m in metrics["appointments_per_month"])}
    return {
        "messages": bar_chart(days, [("sent", _("sent")), ("received", _("received"))], "day"),
        "replies": bar_chart(weeks, [("percent", _("replied"))], "week", top=100, unit="%"),
        "bookings": bar_chart(months,
                              [("booked_whatsapp", _("booked on WhatsApp"))], "month"),
        "totals": totals,
    }
