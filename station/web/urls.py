from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from station.web import (
    cases,
    control_room,
    devices,
    dock,
    handover,
    home,
    logs,
    recordings,
    redactions,
    requests,
    statistics,
)

LINK = "[A-Za-z0-9_-]{43}"
"""A hand-over link's secret (station.handover): 32 random bytes, URL-safe base64."""

handler403 = "station.web.refusals.permission_denied"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", home.StationLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("recordings/", recordings.recording_list, name="recordings"),
    path("recordings/<int:pk>/", recordings.recording_detail, name="recording"),
    path("recordings/<int:pk>/request/", requests.create, name="request-view"),
    path("recordings/<int:pk>/play/", recordings.play, name="play"),
    path("recordings/<int:pk>/video.mp4", recordings.video, name="video"),
    path("recordings/<int:pk>/playback-status/", recordings.playback_status, name="playback-status"),
    path("recordings/<int:pk>/playback-started/", recordings.playback_started, name="playback-started"),
    path("recordings/<int:pk>/export/", recordings.export, name="export"),
    path("recordings/<int:pk>/hold/", recordings.place_hold, name="hold"),
    path("recordings/<int:pk>/release/", recordings.remove_hold, name="release"),
    path("recordings/<int:pk>/cases/", cases.case_attach, name="case-attach"),
    path("recordings/<int:pk>/redact/", redactions.redaction_start, name="redaction-start"),
    path("redactions/", redactions.redaction_list, name="redactions"),
    path("redactions/<int:pk>/", redactions.redaction_detail, name="redaction"),
    path("redactions/<int:pk>/state/", redactions.redaction_state, name="redaction-state"),
    path("redactions/<int:pk>/source.mp4", redactions.redaction_source, name="redaction-source"),
    path("redactions/<int:pk>/faces.json", redactions.redaction_faces, name="redaction-faces"),
    path("redactions/<int:pk>/redacted.mp4", redactions.redaction_video, name="redaction-video"),
    path("redactions/<int:pk>/review/", redactions.redaction_review, name="redaction-review"),
    path("redactions/<int:pk>/decide/", redactions.redaction_decide, name="redaction-decide"),
    path("redactions/<int:pk>/download/", redactions.redaction_download, name="redaction-download"),
    path("redactions/<int:pk>/delete/", redactions.redaction_delete, name="redaction-delete"),
    path("cases/", cases.case_list, name="cases"),
    path("cases/open/", cases.case_open, name="case-open"),
    path("cases/<int:pk>/", cases.case_detail, name="case"),
    path("cases/<int:pk>/close/", cases.case_close, name="case-close"),
    path("cases/<int:pk>/detach/<int:recording>/", cases.case_detach, name="case-detach"),
    path("cases/<int:pk>/handover/", handover.handover_new, name="handover-new"),
    path("handovers/", handover.handover_list, name="handovers"),
    path("handovers/<int:pk>/revoke/", handover.handover_revoke, name="handover-revoke"),
    re_path(rf"^handover/(?P<link>{LINK})/$", handover.pickup, name="pickup"),
    re_path(rf"^handover/(?P<link>{LINK})/package.zip$", handover.pickup_package, name="pickup-package"),
    path("requests/", requests.overview, name="requests"),
    path("requests/<int:pk>/decide/", requests.decide_request, name="decide"),
    path("devices/", devices.device_list, name="devices"),
    path("dock/", dock.dock_page, name="dock"),
    path("dock/kiosk/", dock.kiosk_page, name="kiosk"),
    path("control-room/", control_room.control_room_page, name="control-room"),
    path("control-room/state/", control_room.control_room_state, name="control-room-state"),
    path("control-room/<int:pk>/acknowledge/", control_room.acknowledge, name="acknowledge"),
    path("devices/enrol/", devices.enrol_device, name="enrol"),
    path("devices/<int:pk>/status/", devices.change_status, name="device-status"),
    path("statistics/", statistics.statistics, name="statistics"),
    path("custody/", logs.custody_log, name="custody"),
    path("deletions/", logs.deletion_log, name="deletions"),
    path("quarantine/", recordings.quarantine, name="quarantine"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
