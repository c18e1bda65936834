"""The dock page ("Ausgabe und Rücknahme"): which cameras are in and ready, which are charging or wait for
their offload, which are out, with whom since when; an overdue return is highlighted. It names officers,
so only the evidence office and data protection see it, and each look is a custody line. And the kiosk
page on the dock's screen: check-out and check-in by personnel number and PIN (station.kiosk), for the
kiosk account only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from station.camera_assignment import Reach
from station.dock import DockError, board, check, dock_rules
from station.kiosk import kiosk_officer
from station.web.access import KIOSK, WEARER_READERS, require
from station.web.app import served
from station.web.forms import KioskForm

REFRESH_SECONDS = 5
"""The page reloads itself: a camera checked in or out at the reader shows within this."""


@require(*WEARER_READERS)
def dock_page(request: HttpRequest) -> HttpResponse:
    store = served().store
    store.log("dock-viewed", "dock", request.user.get_username())
    rules = dock_rules()
    return render(request, "station/dock.html", {"slots": board(store, rules, timezone.now()), "rules": rules,
                                                 "refresh": REFRESH_SECONDS})


@require(KIOSK)
def kiosk_page(request: HttpRequest) -> HttpResponse:
    """The form, and after a try the line the officer reads (as at the reader); a refusal, or a form the
    fields of which say what is wrong, is a 400. The PIN is never sent back."""
    form, said, problem = KioskForm(request.POST or None), None, None
    if form.is_bound and form.is_valid():
        store, at = served().store, timezone.now()
        try:
            officer = kiosk_officer(store, form.cleaned_data["number"], form.cleaned_data["pin"], at,
                                    request.user.get_username())
            said = check(store, officer, at, "kiosk", dock_rules(), Reach())
        except DockError as exc:
            problem = str(exc)
        form = KioskForm()  # the next officer starts afresh
    return render(request, "station/kiosk.html", {"form": form, "said": said, "problem": problem},
                  status=400 if problem or form.errors else 200)
