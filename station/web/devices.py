"""The cameras: each one's state at its last dock, and the administrator's enrol, lost and retire."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from station.registry import RegistryError, enrol, set_status
from station.web.access import ADMIN, ALL_ROLES, require
from station.web.app import served
from station.web.forms import DeviceStatusForm, EnrolForm


@require(*ALL_ROLES)
def device_list(request: HttpRequest) -> HttpResponse:
    from station.models import Device, OffloadRun

    now = timezone.now()
    retention = served().retention
    rows = []
    for device in Device.objects.order_by("name"):
        last = OffloadRun.objects.filter(device=device).order_by("-started_at").first()
        complete = OffloadRun.objects.filter(device=device, outcome="ok").order_by("-started_at").first()
        since = complete.started_at if complete is not None else device.enrolled_at
        # No complete offload within the retention period: what the camera recorded before may be lost
        # to its own storage guard or never reach the store in time.
        warn = device.status == Device.ACTIVE and since < now - retention
        rows.append({"device": device, "last": last, "warn": warn})
    return render(request, "station/devices.html", {"rows": rows, "status_form": DeviceStatusForm(),
                                                    "enrol_form": EnrolForm()})


@require(ADMIN)
@require_POST
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    from station.models import Device

    device = get_object_or_404(Device, pk=pk)
    form = DeviceStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status and give a reason."))
        return redirect("devices")
    try:
        set_status(served().store, device.key_id, form.cleaned_data["status"], form.cleaned_data["reason"],
                   who=request.user.get_username())
    except RegistryError as exc:
        messages.error(request, str(exc))
        return redirect("devices")
    messages.success(request, _("%(name)s is now %(status)s.") % {"name": device.name,
                                                                   "status": form.cleaned_data["status"]})
    return redirect("devices")


@require(ADMIN)
@require_POST
def enrol_device(request: HttpRequest) -> HttpResponse:
    form = EnrolForm(request.POST)
    if not form.is_valid():
        return render(request, "station/devices.html", {"rows": [], "enrol_form": form,
                                                        "status_form": DeviceStatusForm()}, status=400)
    data = form.cleaned_data
    try:
        device = enrol(served().store, data["name"], data["host"], data["port"], data["ssh_user"],
                       data["device_pub"], data["host_key"], "", who=request.user.get_username())
    except RegistryError as exc:
        messages.error(request, str(exc))
        return redirect("devices")
    messages.success(request, _("Enrolled %(name)s (device key %(key)s).") % {"name": device.name,
                                                                               "key": device.key_id})
    return redirect("devices")
