"""The dock page ("Ausgabe und Rücknahme"): which cameras are in and ready, which are charging or wait for
their offload, which are out, with whom since when; an overdue return is highlighted. It names officers,
so only the evidence office and data protection see it, and each look is a custody line."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from station.dock import board, dock_rules
from station.web.access import WEARER_READERS, require
from station.web.app import served

REFRESH_SECONDS = 5
"""The page reloads itself: a camera checked in or out at the reader shows within this."""


@require(*WEARER_READERS)
def dock_page(request: HttpRequest) -> HttpResponse:
    store = served().store
    store.log("dock-viewed", "dock", request.user.get_username())
    rules = dock_rules()
    return render(request, "station/dock.html", {"slots": board(store, rules, timezone.now()), "rules": rules,
                                                 "refresh": REFRESH_SECONDS})
