"""The recordings: list (metadata only), details, holds, and, under an approved request, play and export."""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from station.attribution import wearer, wearers, worn_by
from station.cases import Keeping, keeping, normal_reference
from station.retention import REVIEW_PERIOD, RetentionError, hold, release_hold
from station.stored import PROBLEMS, source
from station.web import keyset
from station.web.access import ALL_ROLES, EVIDENCE_OFFICER, open_window, require, sees_wearers, visible_requests
from station.web.app import served
from station.web.audit_excerpt import excerpt
from station.web.forms import AttachForm, FilterForm, HoldForm, RedactionForm, ReleaseForm, ViewRequestForm
from station.web.playback import (
    export_verified,
    growing_response,
    log_failure,
    playback_path,
    prepare,
    private_dir,
    ranged_response,
    running,
    state,
    sweep,
)

if TYPE_CHECKING:
    from station.models import Recording

PAGE_SIZE = 50


@require(*ALL_ROLES)
def recording_list(request: HttpRequest) -> HttpResponse:
    from station.models import Device, Officer, Recording

    with_wearers = sees_wearers(request.user)
    form = FilterForm(request.GET or None, devices=Device.objects.order_by("name"),
                      officers=Officer.objects.all() if with_wearers else None)
    rows = (Recording.objects.select_related("device").prefetch_related("cases").filter(deleted_at__isnull=True)
            .order_by("-started_utc", "-pk"))
    if form.is_bound and not form.is_valid():
        return render(request, "station/recordings.html", {"form": form, "page": None}, status=400)
    if form.is_bound:
        rows = _filtered(rows, form.cleaned_data)
        _log_wearer_search(request, form.cleaned_data)
    try:
        page = keyset.page(rows, request.GET, PAGE_SIZE)
    except keyset.CursorError:
        messages.error(request, _("This page link is not one the station made; start from the newest page."))
        return render(request, "station/recordings.html", {"form": form, "page": None}, status=400)
    worn = wearers(served().store, page.rows) if with_wearers else {}
    rows_on_page = [(recording, _deleted_on(recording, kept), _late(recording), kept, worn.get(recording.pk))
                    for recording in page.rows for kept in [_kept(recording)]]
    return render(request, "station/recordings.html", {"form": form, "page": page, "rows": rows_on_page,
                                                       "with_wearers": with_wearers})


def _log_wearer_search(request: HttpRequest, data: dict) -> None:
    """A search by officer or team reads whom a person's recordings show: a custody line for that person
    (or team), so data protection sees who searched for whom."""
    store, user = served().store, request.user.get_username()
    if data.get("officer"):
        store.log("wearer-searched", f"officer {data['officer'].personnel_number}", user)
    if data.get("team"):
        store.log("wearer-searched", f"team {data['team']}", user)


def _kept(recording: Recording) -> Keeping | None:
    return keeping(recording, timezone.now(), served().case_periods)


def _deleted_on(recording: Recording, kept: Keeping | None) -> datetime | None:
    """When retention deletes the recording; never while it is held or in an open case (``kept``). A late
    arrival stays for the review period after it arrived (station.retention), a closed case's recording
    for its kind's period after the closing (station.cases)."""
    if recording.held or (kept is not None and kept.until is None):
        return None
    due = max(recording.started_utc + served().retention, recording.received_at + REVIEW_PERIOD)
    return max(due, kept.until) if kept is not None and kept.until is not None else due


def _late(recording: Recording) -> bool:
    """Arrived after the date retention would have deleted it: the camera was not offloaded in time."""
    return recording.received_at > recording.started_utc + served().retention


def _filtered(rows, data: dict):
    from station.models import Officer

    if data.get("case"):
        rows = rows.filter(cases__reference=normal_reference(data["case"]))
    if data.get("device"):
        rows = rows.filter(device=data["device"])
    if data.get("since"):
        rows = rows.filter(started_utc__gte=timezone.make_aware(datetime.combine(data["since"], time.min)))
    if data.get("until"):
        rows = rows.filter(started_utc__lt=timezone.make_aware(datetime.combine(data["until"], time.min))
                           + timedelta(days=1))
    if data.get("reason"):
        rows = rows.filter(reason=data["reason"])
    if data.get("hold") == "held":
        rows = rows.exclude(hold_reason="")
    elif data.get("hold") == "not-held":
        rows = rows.filter(hold_reason="")
    if data.get("state"):
        rows = rows.filter(status=data["state"])
    if data.get("officer"):
        rows = rows.filter(worn_by(served().store, Officer.objects.filter(pk=data["officer"].pk)))
    if data.get("team"):
        rows = rows.filter(worn_by(served().store, Officer.objects.filter(team=data["team"])))
    return rows


def stored_recording(pk: int):
    """The recording ``pk`` if the store still holds it (404 for an unknown or deleted one)."""
    from station.models import Recording

    return get_object_or_404(Recording.objects.select_related("device"), pk=pk, deleted_at__isnull=True)




@require(*ALL_ROLES)
def recording_detail(request: HttpRequest, pk: int) -> HttpResponse:
    recording = stored_recording(pk)
    served().store.log("details-viewed", recording.ref, request.user.get_username())
    return recording_page(request, recording)


def recording_page(request: HttpRequest, recording: Recording, status: int = 200, **forms: object) -> HttpResponse:
    """The recording's page; a form given in ``forms`` (bound, with its errors) replaces the empty one, so
    what was typed stays."""
    store, kept = served().store, _kept(recording)
    return render(request, "station/recording.html", {
        "recording": recording,
        "delete_on": _deleted_on(recording, kept),
        "late": _late(recording),
        "window": open_window(request.user, recording, timezone.now()),
        "requests": visible_requests(request.user, recording.view_requests.select_related("requester", "decided_by")),
        "audit": excerpt(store, recording),
        "request_form": ViewRequestForm(),
        "hold_form": HoldForm(),
        "release_form": ReleaseForm(),
        "attach_form": AttachForm(),
        "redaction_form": RedactionForm(),
        "redactions": recording.redactions.exclude(status="deleted").select_related("created_by"),
        "cases": recording.cases.order_by("opened_at"),
        "kept_by_case": kept,
        "wearer": wearer(store, recording) if sees_wearers(request.user) else None,
        **forms,
    }, status=status)


@require(*ALL_ROLES)
@require_POST
def play(request: HttpRequest, pk: int) -> HttpResponse:
    """POST (with the form's CSRF token): opening the player decrypts and is a custody line, which a link
    on another site must not do in the viewer's name."""
    recording = stored_recording(pk)
    grant = _grant(request, recording)
    store = served().store
    sweep(store, timezone.now())
    try:
        prepare(store, grant, served().agency_key(), request.user.get_username())
    except PROBLEMS as exc:
        log_failure(store, "play-failed", grant, request.user.get_username(), str(exc))
        messages.error(request, _("The recording cannot be played: %(reason)s") % {"reason": exc})
        return redirect("recording", pk=pk)
    store.log("viewed", recording.ref, request.user.get_username(), request=grant.pk, case=grant.case_number,
              purpose=grant.purpose)
    return render(request, "station/play.html", {"recording": recording, "grant": grant})


@require(*ALL_ROLES)
def video(request: HttpRequest, pk: int) -> HttpResponseBase:
    recording = stored_recording(pk)
    grant = _grant(request, recording)
    path = playback_path(served().store, grant)
    if path.exists():
        return ranged_response(request, path, "video/mp4")
    if running(path):
        return growing_response(path)
    raise PermissionDenied  # the player page makes it; a bare video URL does not


@require(*ALL_ROLES)
def playback_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Whether the window's MP4 is ready, still being made, or failed (and why), for the player page."""
    recording = stored_recording(pk)
    grant = _grant(request, recording)
    status, reason = state(served().store, grant)
    message = _("The recording cannot be played: %(reason)s") % {"reason": reason} if reason else ""
    return JsonResponse({"state": status, "message": message})


@require(*ALL_ROLES)
@require_POST
def playback_started(request: HttpRequest, pk: int) -> HttpResponse:
    recording = stored_recording(pk)
    grant = _grant(request, recording)
    try:
        at = float(request.POST.get("at", "0"))
    except ValueError:
        at = math.nan
    if not math.isfinite(at) or at < 0:
        return HttpResponseBadRequest(_("Malformed playback position."))
    served().store.log("playback-started", recording.ref, request.user.get_username(), request=grant.pk,
                       at_s=round(at, 3))
    return HttpResponse(status=204)


@require(EVIDENCE_OFFICER)
@require_POST
def export(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A verified MP4 for prosecution: only for an evidence officer with an approved request of their own;
    POST, as ``play``."""
    recording = stored_recording(pk)
    grant = _grant(request, recording)
    store = served().store
    out = private_dir(store) / f"export-{grant.pk}.mp4"
    try:
        export_verified(source(store, recording), served().agency_key(), out)
    except PROBLEMS as exc:
        log_failure(store, "export-failed", grant, request.user.get_username(), str(exc))
        messages.error(request, _("The recording cannot be exported: %(reason)s") % {"reason": exc})
        return redirect("recording", pk=pk)
    store.log("exported", recording.ref, request.user.get_username(), request=grant.pk, case=grant.case_number)
    response = FileResponse(out.open("rb"), as_attachment=True, filename=f"{recording.recording_id}.mp4",
                            content_type="video/mp4")
    out.unlink()  # the open file stays readable until the response is sent; nothing decrypted stays behind
    return response


def _grant(request: HttpRequest, recording):
    grant = open_window(request.user, recording, timezone.now())
    if grant is None:
        raise PermissionDenied
    return grant


@require(EVIDENCE_OFFICER)
@require_POST
def place_hold(request: HttpRequest, pk: int) -> HttpResponse:
    recording = stored_recording(pk)
    form = HoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A hold needs a reason and a case number."))
        return recording_page(request, recording, status=400, hold_form=form)
    hold(served().store, recording.ref, form.cleaned_data["reason"], form.cleaned_data["case_number"],
         request.user.get_username())
    messages.success(request, _("The recording is held and will not be deleted."))
    return redirect("recording", pk=pk)


@require(EVIDENCE_OFFICER)
@require_POST
def remove_hold(request: HttpRequest, pk: int) -> HttpResponse:
    recording = stored_recording(pk)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Releasing a hold needs a reason."))
        return recording_page(request, recording, status=400, release_form=form)
    try:
        release_hold(served().store, recording.ref, form.cleaned_data["reason"], request.user.get_username())
    except RetentionError as exc:
        messages.error(request, str(exc))
        return redirect("recording", pk=pk)
    messages.success(request, _("The hold is released; the retention period applies again."))
    return redirect("recording", pk=pk)


@require(EVIDENCE_OFFICER)
def quarantine(request: HttpRequest) -> HttpResponse:
    from station.models import QuarantineItem

    items = QuarantineItem.objects.order_by("cleared_at", "-last_seen")[:500]
    return render(request, "station/quarantine.html", {"items": items})
