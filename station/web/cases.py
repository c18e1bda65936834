"""Cases (Vorgänge) in the office: a list searchable by file reference, a case's recordings, and the
evidence officer's steps (open, attach, detach, close), each a custody line (station.cases)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from station.cases import CaseError, attach, close_case, detach, normal_reference, open_case
from station.models import Case
from station.web.access import ALL_ROLES, EVIDENCE_OFFICER, SignedInRequest, require
from station.web.app import served
from station.web.forms import AttachForm, CaseForm, CaseSearchForm
from station.web.recordings import recording_page, stored_recording

PAGE_SIZE = 50


@require(*ALL_ROLES)
def case_list(request: SignedInRequest, form: CaseForm | None = None, status: int = 200) -> HttpResponse:
    search = CaseSearchForm(request.GET or None)
    cases = Case.objects.select_related("clerk").annotate(held=Count("recordings")).order_by("-opened_at", "-id")
    if search.is_valid() and search.cleaned_data["q"]:
        cases = cases.filter(reference__icontains=normal_reference(search.cleaned_data["q"]))
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "station/cases.html", {"search": search, "page": page, "form": form or CaseForm()},
                  status=status)


@require(EVIDENCE_OFFICER)
@require_POST
def case_open(request: SignedInRequest) -> HttpResponse:
    form = CaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A case needs a file reference and a kind."))
        return case_list(request, form, 400)
    try:
        case = open_case(served().store, form.cleaned_data["reference"], form.cleaned_data["kind"], request.user,
                         request.user.get_username())
    except CaseError as exc:
        messages.error(request, str(exc))
        return case_list(request, form, 400)
    return redirect("case", pk=case.pk)


@require(*ALL_ROLES)
def case_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(Case.objects.select_related("clerk"), pk=pk)
    recordings = case.recordings.select_related("device").filter(deleted_at__isnull=True).order_by("started_utc")
    return render(request, "station/case.html", {"case": case, "recordings": recordings,
                                                 "kept_for": served().case_periods[case.kind]})


@require(EVIDENCE_OFFICER)
@require_POST
def case_close(request: SignedInRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(Case, pk=pk)
    try:
        close_case(served().store, case, request.user.get_username(), served().case_periods)
    except CaseError as exc:
        messages.error(request, str(exc))
    return redirect("case", pk=pk)


@require(EVIDENCE_OFFICER)
@require_POST
def case_detach(request: SignedInRequest, pk: int, recording: int) -> HttpResponse:
    case = get_object_or_404(Case, pk=pk)
    try:
        detach(served().store, case, stored_recording(recording), request.user.get_username())
    except CaseError as exc:
        messages.error(request, str(exc))
    return redirect("case", pk=pk)


@require(EVIDENCE_OFFICER)
@require_POST
def case_attach(request: SignedInRequest, pk: int) -> HttpResponse:
    """From a recording's page: attach it to the open case named by its file reference."""
    recording = stored_recording(pk)
    form = AttachForm(request.POST)
    case = Case.objects.filter(reference=normal_reference(form.cleaned_data["reference"])).first() \
        if form.is_valid() else None
    if case is None:
        messages.error(request, _("There is no case with this file reference; open it on the cases page first."))
        return recording_page(request, recording, status=400, attach_form=form)
    try:
        attach(served().store, case, recording, request.user.get_username())
    except CaseError as exc:
        messages.error(request, str(exc))
        return recording_page(request, recording, status=400, attach_form=form)
    messages.success(request, _("The recording is attached to case %(reference)s.") % {"reference": case.reference})
    return redirect("recording", pk=pk)
