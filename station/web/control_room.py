"""The control room's page (Leitstelle): every camera with its last word (online, stage, battery, when)
and its last warning (battery, card, a failed part: it may need help or a replacement),
and a banner with a sound for each recording started in imminent danger until a dispatcher acknowledges
it (a custody line). The page asks the station every half second (``control_room_state``), so an alert
shows within a second of its arrival. For the control-room role only; opening the page is a custody
line, its polls are not."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from station.control_room import ALERT
from station.models import ControlRoomMessage, Device
from station.web.access import CONTROL_ROOM, require
from station.web.app import served
from storage.status_messages import WARNING_KINDS

ALERTS_SHOWN = 20


@require(CONTROL_ROOM)
def control_room_page(request: HttpRequest) -> HttpResponse:
    served().store.log("control-room-viewed", "control room", request.user.get_username())
    return render(request, "station/control_room.html", {})


@require(CONTROL_ROOM)
def control_room_state(request: HttpRequest) -> JsonResponse:
    """The cameras' last words and the open alerts, as the page's script draws them."""
    at = timezone.now()

    def last(field: str, **kinds: object) -> Subquery:
        said = ControlRoomMessage.objects.filter(camera=OuterRef("name"), **kinds).order_by("-pk")
        return Subquery(said.values(field)[:1])

    rows = Device.objects.filter(status=Device.ACTIVE).order_by("name").annotate(
        presence=last("kind", kind__in=("online", "offline")), stage=last("stage", kind="stage"),
        battery=last("battery", battery__isnull=False), seen=last("received_at"),
        warning=last("kind", kind__in=WARNING_KINDS), warned=last("utc", kind__in=WARNING_KINDS)).values(
        "name", "presence", "stage", "battery", "seen", "warning", "warned")  # one query, however many cameras
    cameras = [{"camera": row["name"], "online": row["presence"] == "online", "stage": row["stage"] or "",
                "battery": row["battery"], "seen": row["seen"].isoformat() if row["seen"] else None,
                "warning": row["warning"] or "", "warned": row["warned"].isoformat() if row["warned"] else None}
               for row in rows]
    kind, reason = ALERT
    open_alerts = ControlRoomMessage.objects.filter(kind=kind, reason=reason, acknowledged_at__isnull=True) \
        .order_by("utc")[:ALERTS_SHOWN]
    alerts = [{"id": a.pk, "camera": a.camera, "utc": a.utc.isoformat(),
               "age_s": max(0, round((at - a.utc).total_seconds()))}  # a camera's clock ahead: no negative age
              for a in open_alerts]
    return JsonResponse({"cameras": cameras, "alerts": alerts})


@require_POST
@require(CONTROL_ROOM)
def acknowledge(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    kind, reason = ALERT
    alert = get_object_or_404(ControlRoomMessage, pk=pk, kind=kind, reason=reason)
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = timezone.now(), request.user.get_username()
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        served().store.log("alert-acknowledged", alert.camera, request.user.get_username(),
                           happened=alert.utc.isoformat())
    return redirect("control-room")
