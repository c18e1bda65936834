"""What a clerk reads for the codes the station stores: recording reasons, custody actions, request and
camera states, offload outcomes. The codes stay in the database, the logs and the CSV (they are the
record); the pages show these labels, German first. An unknown code is shown as it is."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from states.machine import REASON_ANNOUNCED, REASON_IMMINENT_DANGER, REASON_RESUMED
from station.case_kinds import ACCESS_REQUEST, CRIMINAL_COMPLAINT, DISCIPLINARY, OFFENCE

REASONS: dict[str, Promise] = {
    REASON_ANNOUNCED: _("announced"),
    REASON_IMMINENT_DANGER: _("imminent danger"),
    REASON_RESUMED: _("resumed after a restart"),
}
ACTIONS: dict[str, Promise] = {
    "login": _("signed in"), "logout": _("signed out"), "login-failed": _("sign-in failed"),
    "login-locked": _("sign-in locked"), "access-refused": _("access refused"),
    "user-set": _("user set up or changed"), "enrolled": _("camera enrolled"),
    "device-lost": _("camera marked lost"), "device-retired": _("camera retired"),
    "device-active": _("camera active again"),
    "received": _("recording received"), "released-on-camera": _("deleted on the camera after receipt"),
    "refused-on-camera": _("set aside on the camera (refused)"), "quarantined": _("quarantined"),
    "quarantine-cleared": _("quarantine cleared"), "quarantine-expired": _("quarantine copy deleted"),
    "impostor": _("camera answered with a wrong key"), "leftover-removed": _("leftovers of a killed offload removed"),
    "over-quota": _("camera over its store quota"), "oversized-not-taken": _("files over the size limit not taken"),
    "details-viewed": _("details viewed"), "view-requested": _("viewing requested"),
    "view-approved": _("viewing approved"), "view-rejected": _("viewing rejected"),
    "view-expired": _("request expired undecided"), "viewed": _("player opened"),
    "playback-started": _("playback started"), "play-failed": _("playback failed"), "exported": _("exported"),
    "export-failed": _("export failed"), "hold": _("hold placed"), "hold-released": _("hold released"),
    "deleted": _("deleted (retention)"), "case-opened": _("case opened"),
    "case-attached": _("attached to a case"), "case-detached": _("detached from a case"),
    "case-closed": _("case closed"),
    "admin-user-added": _("admin: user added"), "admin-user-changed": _("admin: user changed"),
    "admin-user-deleted": _("admin: user deleted"), "admin-role-added": _("admin: role added"),
    "admin-role-changed": _("admin: role changed"), "admin-role-deleted": _("admin: role deleted"),
    "admin-device-changed": _("admin: camera changed"),
    "admin-assignment-added": _("admin: personal camera assigned"),
    "admin-assignment-changed": _("admin: personal camera assignment changed"),
    "admin-recipient-added": _("admin: recipient added"), "admin-recipient-changed": _("admin: recipient changed"),
    "handover-created": _("hand-over issued"), "handover-failed": _("hand-over failed"),
    "handover-opened": _("hand-over opened with its code"), "handover-code-wrong": _("hand-over: wrong code"),
    "handover-code-reused": _("hand-over: code used again"), "handover-downloaded": _("hand-over downloaded"),
    "handover-revoked": _("hand-over revoked"), "handover-expired": _("hand-over expired"),
    "handover-locked": _("hand-over locked (wrong codes)"),
    "officer-added": _("officer added"), "officer-changed": _("officer changed"),
    "officer-deactivated": _("officer deactivated"), "badge-added": _("badge added"),
    "badge-revoked": _("badge revoked"), "checked-out": _("camera checked out"),
    "checked-in": _("camera checked in"), "dock-refused": _("dock refused a badge"),
    "camera-told": _("camera told its wearer"), "camera-not-told": _("camera could not be told its wearer"),
    "broker-certificate-issued": _("broker certificate issued"),
    "broker-certificate-revoked": _("broker certificates revoked"),
    "status-deleted": _("control room's status messages deleted (retention)"),
    "control-room-viewed": _("control room page opened"), "alert-acknowledged": _("alert acknowledged"),
    "dock-reader-missing": _("badge reader missing"), "dock-reader-back": _("badge reader back"),
    "dock-viewed": _("dock page viewed"), "wearer-searched": _("recordings searched by wearer"),
    "assignment-deleted": _("assignment deleted (retention)"),
    "redaction-created": _("redaction started"), "redaction-analysed": _("redaction: faces found"),
    "redaction-reviewed": _("redaction reviewed"), "redaction-rendered": _("redaction rendered"),
    "redaction-approved": _("redaction approved"), "redaction-rejected": _("redaction sent back"),
    "redaction-failed": _("redaction failed"), "redaction-deleted": _("redaction deleted"),
    "redaction-viewed": _("redaction viewed"), "redaction-exported": _("redaction exported"),
}
DOCK_PROBLEMS: dict[str, Promise] = {
    "out": _("checked out"), "not-offloaded": _("waiting for its offload"),
    "recordings-left": _("recordings left on it"), "charging": _("charging"),
}
REQUEST_STATES: dict[str, Promise] = {
    "pending": _("waiting for a decision"), "approved": _("approved"), "rejected": _("rejected"),
    "expired": _("expired undecided"),
}
DEVICE_STATES: dict[str, Promise] = {"active": _("active"), "lost": _("lost"), "retired": _("retired")}
OUTCOMES: dict[str, Promise] = {"ok": _("complete"), "problems": _("with problems"), "failed": _("failed")}

FIGURES: dict[str, Promise] = {
    "devices": _("cameras"), "stage_entries": _("stage entries"), "display_episodes": _("display episodes"),
    "display_episodes_without_recording": _("display episodes without a recording"),
    "deescalation_rate": _("share ended without a recording"), "recordings_by_reason": _("recordings by reason"),
    "recordings": _("recordings"), "recording_seconds_total": _("recorded seconds, total"),
    "recording_seconds_median": _("recorded seconds, median"), "markers": _("markers"),
    "battery_warnings": _("battery warnings"), "battery_shutdowns": _("shutdowns for an empty battery"),
}

CASE_KINDS: dict[str, Promise] = {
    OFFENCE: _("administrative offence"), CRIMINAL_COMPLAINT: _("criminal complaint"),
    DISCIPLINARY: _("disciplinary matter"), ACCESS_REQUEST: _("access request (Art. 15 GDPR)"),
}
CASE_STATES: dict[str, Promise] = {"open": _("open"), "closed": _("closed")}
HANDOVER_STATES: dict[str, Promise] = {
    "ready": _("ready for download"), "revoked": _("revoked"), "expired": _("expired"),
    "locked": _("locked after wrong codes"),
}
REDACTION_STATES: dict[str, Promise] = {
    "queued": _("waiting for the job runner"), "analysing": _("finding faces"), "review": _("waiting for review"),
    "rendering": _("rendering"), "awaiting-approval": _("waiting for approval"), "approved": _("approved"),
    "failed": _("failed"), "deleted": _("deleted"),
}
REDACTION_FAILURES: dict[str, Promise] = {
    "changed": _("The stored recording is no longer the one the redaction was started on."),
    "unverified": _("The recording could not be verified, decrypted or read out."),
    "unreadable": _("The video could not be read, or the copy not written."),
    "stopped": _("The job was stopped: it ran past its time limit, or the job runner failed."),
}
RECIPIENT_KINDS: dict[str, Promise] = {
    "police": _("police"), "prosecutor": _("public prosecutor"), "court": _("court"), "other": _("other authority"),
}

KINDS = {"reason": REASONS, "action": ACTIONS, "request": REQUEST_STATES, "device": DEVICE_STATES,
         "outcome": OUTCOMES, "figure": FIGURES,
         "case-kind": CASE_KINDS, "case": CASE_STATES, "handover": HANDOVER_STATES, "recipient": RECIPIENT_KINDS,
         "dock": DOCK_PROBLEMS, "redaction": REDACTION_STATES,
         "redaction-failure": REDACTION_FAILURES}


def label(code: object, kind: str) -> str:
    """The label of ``code`` among ``kind`` (a key of KINDS), or the code itself if it has none."""
    return str(KINDS[kind].get(str(code), code))
