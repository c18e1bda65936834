"""The custody log and the deletion log: read-only, filterable, exportable as CSV; never editable."""

from __future__ import annotations

import csv
from datetime import datetime, time, timedelta

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from station import custody
from station.web.access import ADMIN, DATA_PROTECTION, SHIFT_ACTIONS, require, sees_wearers
from station.web.app import served
from station.web.forms import CustodyFilterForm

PAGE_SIZE = 100


@require(DATA_PROTECTION, ADMIN)
def custody_log(request: HttpRequest) -> HttpResponse:
    return _log(request, "station/custody.html", only_deletions=False)


@require(DATA_PROTECTION, ADMIN)
def deletion_log(request: HttpRequest) -> HttpResponse:
    return _log(request, "station/deletions.html", only_deletions=True)


def _log(request: HttpRequest, template: str, only_deletions: bool) -> HttpResponse:
    from station.models import CustodyEntry

    form = CustodyFilterForm(request.GET or None)
    rows = CustodyEntry.objects.order_by("-seq")
    if only_deletions:
        rows = rows.filter(action__in=("deleted", "assignment-deleted", "status-deleted"))
    if not sees_wearers(request.user):
        rows = rows.exclude(action__in=SHIFT_ACTIONS)
    if form.is_bound and not form.is_valid():
        return render(request, template, {"form": form, "page": None}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    for field in ("action", "actor"):
        if data.get(field):
            rows = rows.filter(**{field: data[field]})
    if data.get("subject"):
        rows = rows.filter(subject__contains=data["subject"])
    if data.get("since"):
        rows = rows.filter(utc__gte=timezone.make_aware(datetime.combine(data["since"], time.min)))
    if data.get("until"):
        rows = rows.filter(utc__lt=timezone.make_aware(datetime.combine(data["until"], time.min)) + timedelta(days=1))
    if request.GET.get("format") == "csv":
        return _csv(rows, "deletions" if only_deletions else "custody")
    store = served().store
    check = custody.verify(store.db, store.station_public())
    params = request.GET.copy()
    params.pop("page", None)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, template, {"form": form, "page": page, "check": check, "query": params.urlencode()})


def _csv(rows, name: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(["seq", "utc", "actor", "action", "subject", "details", "hash"])
    for entry in rows.iterator():
        writer.writerow([entry.seq, entry.utc.isoformat(), _cell(entry.actor), entry.action, _cell(entry.subject),
                         _cell(str(entry.details)), entry.hash])
    return response


def _cell(text: str) -> str:
    """A spreadsheet must not run what a camera or a user wrote (CSV formula injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
