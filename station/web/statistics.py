"""The pilot's figures as charts: anonymous counts from audit logs and the recordings index only."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models.functions import TruncMonth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from station.stats import Stats, add_device, audit_lines
from station.web.access import ALL_ROLES, require
from station.web.app import served
from station.web.charts import bars, stacked


@require(*ALL_ROLES)
def statistics(request: HttpRequest) -> HttpResponse:
    from station.models import Device, Recording

    names = dict(Device.objects.values_list("key_id", "name"))
    total, per_device = Stats(), dict[str, Stats]()  # one Stats per camera as well, for the battery chart
    for key, records in audit_lines([served().store.root / "devices"]).items():
        add_device(total, records)
        add_device(per_device.setdefault(key, Stats()), records)
    total.devices = len(per_device)
    months: dict[str, Counter[str]] = defaultdict(Counter)
    rows = Recording.objects.annotate(month=TruncMonth("started_utc")).values_list("month", "reason")
    for month, reason in rows:
        months[month.strftime("%Y-%m")][reason] += 1
    categories = sorted(months)
    reasons = sorted({r for counts in months.values() for r in counts})
    episodes = total.display_episodes
    charts = [
        bars(_("Display episodes (stage 2) and how they ended"), [
            (_("episodes"), episodes),
            (_("ended without a recording"), total.display_episodes_without_recording),
            (_("led to a recording"), episodes - total.display_episodes_without_recording)]),
        stacked(_("Recordings by month and reason"), categories,
                {reason: [months[m][reason] for m in categories] for reason in reasons}),
        bars(_("Battery incidents per camera (warnings and shutdowns)"), [
            (names.get(key, key), s.battery_warnings + s.battery_shutdowns) for key, s in sorted(per_device.items())]),
    ]
    rate = total.deescalation_rate
    return render(request, "station/statistics.html", {
        "charts": [mark_safe(chart) for chart in charts],
        "rate": None if rate is None else round(100 * rate),
        "stats": total.as_dict(),
    })
