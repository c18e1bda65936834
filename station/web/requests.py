"""Requests to view a recording, and their decision by another person (four eyes)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from station.models import ViewRequest
from station.viewing import AlreadyDecided, OwnRequest, Unidentified, decide, expire_requests, request_viewing
from station.web.access import ALL_ROLES, APPROVER, DATA_PROTECTION, SignedInRequest, require, roles
from station.web.app import served
from station.web.forms import DecisionForm, ViewRequestForm
from station.web.recordings import recording_page, stored_recording


@require(*ALL_ROLES)
@require_POST
def create(request: SignedInRequest, pk: int) -> HttpResponse:
    recording = stored_recording(pk)
    form = ViewRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A request needs a purpose and a case number."))
        return recording_page(request, recording, status=400, request_form=form)
    request_viewing(served().store, recording, request.user, form.cleaned_data["purpose"],
                    form.cleaned_data["case_number"])
    messages.success(request, _("Your request was sent; a second person decides on it."))
    return redirect("requests")


@require(*ALL_ROLES)
def overview(request: SignedInRequest) -> HttpResponse:
    expire_requests(served().store, served().request_expiry)
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
def decide_request(request: SignedInRequest, pk: int) -> HttpResponse:
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("requests")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        decide(served().store, pk, request.user, approve, form.cleaned_data["note"], served().view_window,
               served().request_expiry)
    except ViewRequest.DoesNotExist:
        raise Http404 from None
    except OwnRequest:
        messages.error(request, _("You cannot decide on your own request (four-eyes rule)."))
        return redirect("requests")
    except Unidentified:
        messages.error(request, _("The four-eyes rule needs two people: the requester or you have no personnel "
                                  "number yet. The administrator records it."))
        return redirect("requests")
    except AlreadyDecided:
        messages.error(request, _("This request was already decided, or it expired undecided."))
        return redirect("requests")
    messages.success(request, _("Approved: the viewing window is open.") if approve else _("Rejected."))
    return redirect("requests")
