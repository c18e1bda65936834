"""Requests to view a recording, and their decision by another person (four eyes)."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from station.web.access import ALL_ROLES, APPROVER, DATA_PROTECTION, SignedInRequest, require, roles
from station.web.app import served
from station.web.forms import DecisionForm, ViewRequestForm
from station.web.recordings import stored_recording


@require(*ALL_ROLES)
@require_POST
def create(request: SignedInRequest, pk: int) -> HttpResponse:
    from station.models import ViewRequest

    recording = stored_recording(pk)
    form = ViewRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A request needs a purpose and a case number."))
        return redirect("recording", pk=pk)
    with transaction.atomic(using=served().store.db.alias):
        grant = ViewRequest.objects.create(recording=recording, requester=request.user,
                                           purpose=form.cleaned_data["purpose"],
                                           case_number=form.cleaned_data["case_number"], created_at=timezone.now())
        served().store.log("view-requested", recording.ref, request.user.get_username(), request=grant.pk,
                           purpose=grant.purpose, case=grant.case_number)
    messages.success(request, _("Your request was sent; a second person decides on it."))
    return redirect("requests")


@require(*ALL_ROLES)
def overview(request: SignedInRequest) -> HttpResponse:
    from station.models import ViewRequest

    everything = ViewRequest.objects.select_related("recording__device", "requester", "decided_by")
    mine = roles(request.user)
    return render(request, "station/requests.html", {
        "mine": everything.filter(requester=request.user),
        "to_decide": (everything.filter(status=ViewRequest.PENDING).exclude(requester=request.user)
                      if APPROVER in mine else None),
        "decided": (everything.exclude(status=ViewRequest.PENDING)[:200]
                    if mine & {APPROVER, DATA_PROTECTION} else None),
        "decision_form": DecisionForm(),
        "now": timezone.now(),
    })


@require(APPROVER)
@require_POST
def decide(request: SignedInRequest, pk: int) -> HttpResponse:
    from station.models import ViewRequest

    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("requests")
    store = served().store
    with transaction.atomic(using=store.db.alias):
        grant = get_object_or_404(ViewRequest.objects.select_for_update().select_related("recording__device"), pk=pk)
        if grant.requester_id == request.user.pk:
            messages.error(request, _("You cannot decide on your own request (four-eyes rule)."))
            return redirect("requests")
        if grant.status != ViewRequest.PENDING:
            messages.error(request, _("This request was already decided."))
            return redirect("requests")
        now = timezone.now()
        approve = form.cleaned_data["decision"] == "approve"
        grant.status = ViewRequest.APPROVED if approve else ViewRequest.REJECTED
        grant.decided_by, grant.decided_at = request.user, now
        grant.decision_note = form.cleaned_data["note"]
        grant.window_until = now + served().view_window if approve else None
        grant.save()
        store.log("view-approved" if approve else "view-rejected", grant.recording.ref, request.user.get_username(),
                  request=grant.pk, requester=grant.requester.get_username(), note=grant.decision_note,
                  window_until=grant.window_until.isoformat() if grant.window_until else None)
    messages.success(request, _("Approved: the viewing window is open.") if approve else _("Rejected."))
    return redirect("requests")
