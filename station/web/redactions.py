"""Redaction pages: start one on a recording (an evidence officer under an approved window of their own),
follow its job's progress, review the faces found (the same officer, the window still open), approve the
derivative or send it back (an approver who neither made nor reviewed it), take the approved derivative
out, delete it. Data protection sees every redaction and who did what, not the video. Every view of a
video and every step is a custody line; a refusal is a 403 and a custody line (station.web.refusals)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from station.models import Redaction
from station.redactions import (
    RedactionError,
    create,
    decide,
    delete,
    derivative_path,
    review,
    source_path,
    tracks_path,
)
from station.web.access import (
    APPROVER,
    DATA_PROTECTION,
    EVIDENCE_OFFICER,
    SignedInRequest,
    open_window,
    require,
    roles,
)
from station.web.app import served
from station.web.forms import PlanForm, RedactionDecisionForm, RedactionDeleteForm, RedactionForm
from station.web.playback import ranged_response
from station.web.recordings import recording_page, stored_recording

READERS = (EVIDENCE_OFFICER, APPROVER, DATA_PROTECTION)


def _row(pk: int) -> Redaction:
    return get_object_or_404(Redaction.objects.select_related("recording__device", "created_by", "reviewed_by",
                                                              "decided_by"), pk=pk, recording__deleted_at__isnull=True)


def _reviewer(request: SignedInRequest, row: Redaction) -> bool:
    """An evidence officer with an open window on the recording: may see the source and review."""
    return EVIDENCE_OFFICER in roles(request.user) and \
        open_window(request.user, row.recording, timezone.now()) is not None


def _sees_derivative(request: SignedInRequest, row: Redaction) -> bool:
    if row.status not in (Redaction.AWAITING, Redaction.APPROVED) or not derivative_path(served().store, row).exists():
        return False
    return _reviewer(request, row) or APPROVER in roles(request.user)


@require(EVIDENCE_OFFICER)
@require_POST
def redaction_start(request: SignedInRequest, pk: int) -> HttpResponse:
    recording = stored_recording(pk)
    grant = open_window(request.user, recording, timezone.now())
    if grant is None:
        raise PermissionDenied
    form = RedactionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A redaction needs to say to whom and why it is disclosed."))
        return recording_page(request, recording, status=400, redaction_form=form)
    row = create(served().store, grant, request.user, form.cleaned_data["purpose"])
    return redirect("redaction", pk=row.pk)


@require(*READERS)
def redaction_list(request: SignedInRequest) -> HttpResponse:
    rows = Redaction.objects.select_related("recording__device", "created_by", "reviewed_by", "decided_by")[:500]
    return render(request, "station/redactions.html", {"rows": rows})


@require(*READERS)
def redaction_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    row = _row(pk)
    reviewing = row.status == Redaction.REVIEW and _reviewer(request, row)
    showing = _sees_derivative(request, row)
    deciding = showing and row.status == Redaction.AWAITING and APPROVER in roles(request.user) \
        and request.user.pk not in (row.created_by_id, row.reviewed_by_id)
    store = served().store
    if reviewing or showing:
        store.log("redaction-viewed", row.recording.ref, request.user.get_username(), redaction=row.pk,
                  video="source" if reviewing else "derivative")
    return render(request, "station/redaction.html", {
        "row": row, "reviewing": reviewing, "showing": showing, "deciding": deciding,
        "officer": EVIDENCE_OFFICER in roles(request.user), "plan_form": PlanForm(),
        "decision_form": RedactionDecisionForm(), "delete_form": RedactionDeleteForm(),
    })


@require(*READERS)
def redaction_state(request: SignedInRequest, pk: int) -> JsonResponse:
    """The job's step and progress, for the page's script."""
    row = _row(pk)
    return JsonResponse({"status": row.status, "progress": row.progress, "seconds_left": row.seconds_left})


@require(EVIDENCE_OFFICER)
def redaction_source(request: SignedInRequest, pk: int) -> HttpResponseBase:
    row = _row(pk)
    path = source_path(served().store, row)
    if row.status != Redaction.REVIEW or not _reviewer(request, row) or not path.exists():
        raise PermissionDenied
    return ranged_response(request, path, "video/mp4")


@require(EVIDENCE_OFFICER)
def redaction_faces(request: SignedInRequest, pk: int) -> HttpResponseBase:
    row = _row(pk)
    path = tracks_path(served().store, row)
    if row.status != Redaction.REVIEW or not _reviewer(request, row) or not path.exists():
        raise PermissionDenied
    return FileResponse(path.open("rb"), content_type="application/json")


@require(EVIDENCE_OFFICER, APPROVER)
def redaction_video(request: SignedInRequest, pk: int) -> HttpResponseBase:
    row = _row(pk)
    if not _sees_derivative(request, row):
        raise PermissionDenied
    return ranged_response(request, derivative_path(served().store, row), "video/mp4")


@require(EVIDENCE_OFFICER)
@require_POST
def redaction_review(request: SignedInRequest, pk: int) -> HttpResponse:
    row = _row(pk)
    if not _reviewer(request, row):
        raise PermissionDenied
    form = PlanForm(request.POST)
    try:
        if not form.is_valid():
            raise RedactionError(" ".join(str(e) for e in form.errors.get("plan", [])))
        review(served().store, row, request.user, form.cleaned_data["plan"])
    except RedactionError as exc:
        messages.error(request, _("The review was not taken: %(reason)s") % {"reason": exc})
        return redirect("redaction", pk=pk)
    messages.success(request, _("The derivative is being rendered; a second person approves it."))
    return redirect("redaction", pk=pk)


@require(APPROVER)
@require_POST
def redaction_decide(request: SignedInRequest, pk: int) -> HttpResponse:
    row = _row(pk)
    form = RedactionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A decision needs approve or send back, and a note for sending back."))
        return redirect("redaction", pk=pk)
    try:
        decide(served().store, row, request.user, form.cleaned_data["decision"] == "approve", form.cleaned_data["note"])
    except RedactionError as exc:
        messages.error(request, str(exc))
    return redirect("redaction", pk=pk)


@require(EVIDENCE_OFFICER)
@require_POST
def redaction_download(request: SignedInRequest, pk: int) -> HttpResponseBase:
    row = _row(pk)
    if row.status != Redaction.APPROVED or not _reviewer(request, row):
        raise PermissionDenied
    served().store.log("redaction-exported", row.recording.ref, request.user.get_username(), redaction=row.pk,
                       sha256=row.sha256)
    return FileResponse(derivative_path(served().store, row).open("rb"), as_attachment=True,
                        filename=f"{row.recording.recording_id}-geschwaerzt-{row.pk}.mp4", content_type="video/mp4")


@require(EVIDENCE_OFFICER)
@require_POST
def redaction_delete(request: SignedInRequest, pk: int) -> HttpResponse:
    row = _row(pk)
    form = RedactionDeleteForm(request.POST)
    if row.status in Redaction.RUNNING or row.status == Redaction.DELETED:
        messages.error(request, _("A redaction is deleted once its job has ended."))
    elif not form.is_valid():
        messages.error(request, _("Deleting a redaction needs a reason."))
    else:
        delete(served().store, row, request.user.get_username(), form.cleaned_data["reason"])
    return redirect("redaction", pk=pk)
