"""Hand-overs in the office (issue from a case, list, revoke) and the recipient's page (code, download).

The recipient has no account: the link's secret and the one-time code are the authentication, and the
browser session that entered the code may download until the hand-over ends (station.handover).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from station import handover
from station.models import Case, Handover, Recipient, ViewRequest
from station.web.access import DATA_PROTECTION, EVIDENCE_OFFICER, SignedInRequest, require
from station.web.app import served
from station.web.forms import CodeForm, HandoverForm
from station.web.playback import ranged_response
from station.web.throttle import client_address

SESSION_KEY = "handovers"


def _windows(request: SignedInRequest, case: Case) -> Any:
    """The case's recordings the user may decrypt now: those with an open viewing window of their own."""
    granted = ViewRequest.objects.filter(requester=request.user, status=ViewRequest.APPROVED,
                                         window_until__gt=timezone.now()).values("recording")
    return (case.recordings.select_related("device").filter(deleted_at__isnull=True, pk__in=granted)
            .order_by("started_utc"))


@require(EVIDENCE_OFFICER)
@never_cache
def handover_new(request: SignedInRequest, pk: int) -> HttpResponse:
    """GET: the form; POST: the package made, and its link and code shown this once."""
    case = get_object_or_404(Case, pk=pk)
    allowed = _windows(request, case)
    form = HandoverForm(request.POST or None, recipients=Recipient.objects.filter(active=True),
                        recordings=allowed)
    context = {"case": case, "form": form, "missing": case.recordings.filter(deleted_at__isnull=True).count()
               - allowed.count()}
    if request.method != "POST":
        return render(request, "station/handover_new.html", context)
    if not form.is_valid():
        messages.error(request, _("A hand-over needs a recipient, at least one recording and a period."))
        return render(request, "station/handover_new.html", context, status=400)
    try:
        issued = handover.issue(served().store, case, form.cleaned_data["recipient"],
                                list(form.cleaned_data["recordings"]), request.user,
                                timedelta(days=form.cleaned_data["days"]), served().agency_key, timezone.now(),
                                {recording.pk for recording in allowed})
    except handover.HandoverError as exc:
        messages.error(request, str(exc))
        return render(request, "station/handover_new.html", context, status=400)
    link = request.build_absolute_uri(f"/handover/{issued.link}/")
    return render(request, "station/handover_issued.html", {"handover": issued.handover, "link": link,
                                                            "code": issued.code,
                                                            "number": handover.number(issued.handover)})


@require(EVIDENCE_OFFICER, DATA_PROTECTION)
def handover_list(request: SignedInRequest) -> HttpResponse:
    handover.sweep(served().store, timezone.now())
    rows = (Handover.objects.select_related("case", "recipient", "issuer").prefetch_related("recordings")
            .order_by("-created_at", "-id")[:500])
    return render(request, "station/handovers.html", {
        "rows": [(h, handover.number(h)) for h in rows]})


@require(EVIDENCE_OFFICER)
@require_POST
def handover_revoke(request: SignedInRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Handover.objects.select_related("recipient"), pk=pk)
    try:
        handover.revoke(served().store, item, request.user.get_username(), timezone.now())
    except handover.HandoverError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The hand-over is revoked; its package is deleted."))
    return redirect("handovers")


def _found(link: str) -> Handover:
    found = handover.find(served().store, link)
    if found is None:
        raise Http404
    return handover.current(served().store, found, timezone.now())


@never_cache
def pickup(request: HttpRequest, link: str) -> HttpResponse:
    """The recipient's page: the code form until the code is entered, then the download."""
    item = _found(link)
    context: dict[str, object] = {"handover": item, "number": handover.number(item), "form": CodeForm()}
    if item.status != Handover.READY:
        return render(request, "station/pickup.html", context, status=410)
    if request.method == "POST":
        form = CodeForm(request.POST)
        context["form"] = form
        if form.is_valid() and handover.redeem(served().store, item, form.cleaned_data["code"],
                                                client_address(request), timezone.now()):
            request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, [])[-20:], item.pk]
            return redirect("pickup", link=link)
        item.refresh_from_db()
        messages.error(request, _("This code does not open the hand-over.") if item.code_used_at is None
                       else _("The code has been used already; ask the issuing office for a new hand-over."))
        return render(request, "station/pickup.html", context, status=410 if item.status != Handover.READY else 400)
    context["opened"] = handover.opened_by(request.session.get(SESSION_KEY), item)
    return render(request, "station/pickup.html", context)


@never_cache
def pickup_package(request: HttpRequest, link: str) -> HttpResponseBase:
    """The package, to the browser that entered the code; a download from its first byte is a custody line
    (a resumed one, a byte range further on, is the same download)."""
    item = _found(link)
    if item.status != Handover.READY or not handover.opened_by(request.session.get(SESSION_KEY), item):
        return redirect("pickup", link=link)
    response = ranged_response(request, handover.package_path(served().store, item), "application/zip")
    if response.status_code == 200 or response.get("Content-Range", "").startswith("bytes 0-"):
        handover.downloaded(served().store, item, client_address(request))
    response["Content-Disposition"] = f'attachment; filename="Uebergabe-{handover.number(item)}.zip"'
    return response
