"""The store's tables: registry, recordings index, quarantine, audit anchors, offload runs, custody log.

Recordings' bytes stay as files (``devices/<device key id>/recordings/<recording id>/``); the database
says what they are and who did what with them. Rows are never deleted: a purged recording keeps its row
with ``deleted_at``, a cleared quarantine item its ``cleared_*`` fields.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import models

from station.case_kinds import KINDS


class Device(models.Model):
    """An enrolled camera. Trust comes from here, never from what a camera sends."""

    ACTIVE, LOST, RETIRED = "active", "lost", "retired"
    STATUSES = [(ACTIVE, "active"), (LOST, "lost"), (RETIRED, "retired")]

    key_id = models.CharField(max_length=16, unique=True)
    public_key = models.TextField(help_text="the device's Ed25519 public key, PEM")
    name = models.CharField(max_length=100, unique=True)
    host = models.CharField(max_length=255)
    port = models.IntegerField(default=22)
    ssh_user = models.CharField(max_length=64, default="root")
    host_key = models.TextField(help_text="pinned SSH host key(s): 'type base64' per line")
    status = models.CharField(max_length=10, choices=STATUSES, default=ACTIVE)
    status_since = models.DateTimeField(null=True)
    enrolled_at = models.DateTimeField()
    firmware_version = models.CharField(max_length=64, blank=True)
    last_offload_at = models.DateTimeField(null=True)
    pool = models.BooleanField(default=True, help_text="handed out per shift at the dock; else a personal camera")

    class Meta:
        app_label = "station"

    def __str__(self) -> str:
        return self.name  # what the camera filter and the admin show



class Recording(models.Model):
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="recordings")
    recording_id = models.CharField(max_length=40)
    started_utc = models.DateTimeField()
    reason = models.CharField(max_length=40)
    duration_s = models.FloatField()
    segments = models.IntegerField()
    markers = models.IntegerField(default=0)
    status = models.CharField(max_length=20, help_text="ok, or interrupted (a crash the camera closed)")
    files = models.JSONField(help_text="segment file name → BLAKE2b-256 of the stored bytes")
    received_at = models.DateTimeField()
    notes = models.JSONField(default=list, help_text="what verify noted at acceptance (a power cut's loss)")
    marker_times = models.JSONField(default=list, help_text='[{"t": seconds from the start, "utc": ...}]')
    camera_wearer = models.CharField(max_length=16, null=True,
                                     help_text="the wearer the camera's audit log names at the start: a pseudonym, "
                                               "'' for nobody, null where the camera was never told")
    hold_reason = models.TextField(blank=True)
    hold_case = models.CharField(max_length=100, blank=True)
    held_by = models.CharField(max_length=100, blank=True)
    held_at = models.DateTimeField(null=True)
    deleted_at = models.DateTimeField(null=True)

    class Meta:
        app_label = "station"
        constraints = [models.UniqueConstraint(fields=["device", "recording_id"], name="one_recording_per_id")]
        indexes = [models.Index(fields=["-started_utc", "-id"], name="recordings_newest_first")]

    @property
    def held(self) -> bool:
        return bool(self.hold_reason)

    @property
    def ref(self) -> str:
        return f"{self.device.key_id}/{self.recording_id}"


class QuarantineItem(models.Model):
    """An upload the store refused or could not place: kept for a person to inspect and clear."""

    REJECTED, CONFLICT, AUDIT_ROLLBACK = "rejected", "conflict", "audit-rollback"

    device_key_id = models.CharField(max_length=16)
    kind = models.CharField(max_length=20)
    name = models.CharField(max_length=300, help_text="the recording or folder name as the camera sent it")
    fingerprint = models.CharField(max_length=64, unique=True, help_text="the same upload is logged once")
    path = models.CharField(max_length=300, help_text="relative to the store root")
    problems = models.JSONField()
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    times_seen = models.IntegerField(default=1)
    cleared_at = models.DateTimeField(null=True)
    cleared_by = models.CharField(max_length=100, blank=True)
    cleared_reason = models.TextField(blank=True)

    class Meta:
        app_label = "station"


class AuditAnchor(models.Model):
    """The end of a camera's audit log as seen at an offload: later logs must extend it."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="anchors")
    lines = models.IntegerField()
    last_hash = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        app_label = "station"


class OffloadRun(models.Model):
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="offloads")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)
    received = models.JSONField(default=list)
    released = models.JSONField(default=list)
    problems = models.JSONField(default=list)
    outcome = models.CharField(max_length=20, default="running")
    camera_clock_offset_s = models.FloatField(null=True)
    battery_percent = models.FloatField(null=True, help_text="the camera's last reading, as it reported it")
    free_bytes = models.BigIntegerField(null=True)
    total_bytes = models.BigIntegerField(null=True)
    on_camera = models.IntegerField(null=True, help_text="recordings still on the camera after this offload")

    class Meta:
        app_label = "station"


class CustodyEntry(models.Model):
    """One line of the custody log: hash-chained and signed with the station key; never changed."""

    seq = models.BigIntegerField(unique=True)
    utc = models.DateTimeField()
    actor = models.CharField(max_length=100)
    action = models.CharField(max_length=40)
    subject = models.CharField(max_length=100, blank=True)
    details = models.JSONField(default=dict)
    prev = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    sig = models.CharField(max_length=100)

    class Meta:
        app_label = "station"
        ordering = ["seq"]


class ChainHead(models.Model):
    """The custody log's end, one row, locked while a line is appended so that concurrent writers queue."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        app_label = "station"


class Case(models.Model):
    """A case (Vorgang) under its file reference (Aktenzeichen): the recordings of one incident kept
    together, for as long as the case is open and its kind's period after it closed (station.cases)."""

    OPEN, CLOSED = "open", "closed"

    reference = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=[(kind, kind) for kind in KINDS])
    status = models.CharField(max_length=10, default=OPEN)
    clerk = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="cases")
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True)
    recordings = models.ManyToManyField(Recording, related_name="cases", blank=True)

    class Meta:
        app_label = "station"
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return self.reference


class Account(models.Model):
    """What the station knows of a web user beyond Django's account: the personnel number, which makes the
    four-eyes rule one of two people, not two accounts (one number, one account)."""

    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, related_name="account")
    personnel_number = models.CharField(max_length=20, unique=True)

    class Meta:
        app_label = "station"

    def __str__(self) -> str:
        return self.personnel_number

    @classmethod
    def number_of(cls, user: Any) -> str | None:
        """The person behind ``user``'s account, None if not recorded."""
        accounts = cls.objects.using(user._state.db) if user._state.db else cls.objects  # the user's own store
        return accounts.filter(user=user).values_list("personnel_number", flat=True).first()


class ViewRequest(models.Model):
    """A request to view one recording, for a purpose and a case; another person decides (four eyes).
    An approval opens a viewing window for the requester and that recording only."""

    PENDING, APPROVED, REJECTED, EXPIRED = "pending", "approved", "rejected", "expired"

    recording = models.ForeignKey(Recording, on_delete=models.PROTECT, related_name="view_requests")
    requester = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="view_requests")
    purpose = models.TextField()
    case_number = models.CharField(max_length=100)
    created_at = models.DateTimeField()
    status = models.CharField(max_length=10, default=PENDING)
    decided_by = models.ForeignKey("auth.User", on_delete=models.PROTECT, null=True, related_name="decisions")
    decided_at = models.DateTimeField(null=True)
    decision_note = models.TextField(blank=True)
    window_until = models.DateTimeField(null=True)

    class Meta:
        app_label = "station"
        ordering = ["-created_at"]


class Recipient(models.Model):
    """An organisation the evidence office hands recordings over to (a police station, a prosecutor's
    office, a court), registered once by an administrator; never deleted, as its hand-overs name it."""

    POLICE, PROSECUTOR, COURT, OTHER = "police", "prosecutor", "court", "other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=[(k, k) for k in (POLICE, PROSECUTOR, COURT, OTHER)])
    contact = models.CharField(max_length=200, blank=True, help_text="where the link is sent, e.g. an e-mail address")
    active = models.BooleanField(default=True)

    class Meta:
        app_label = "station"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Handover(models.Model):
    """A package of verified recordings for a recipient, fetched over an expiring link with a one-time code
    told separately (station.handover). The link and the code are stored only as hashes: the issuer
    sees them once."""

    READY, REVOKED, EXPIRED, LOCKED = "ready", "revoked", "expired", "locked"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="handovers")
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="handovers")
    recordings = models.ManyToManyField(Recording, related_name="handovers")
    issuer = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="handovers")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    link_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=200)
    code_used_at = models.DateTimeField(null=True)
    wrong_codes = models.IntegerField(default=0)
    status = models.CharField(max_length=10, default=READY)
    ended_at = models.DateTimeField(null=True)
    ended_by = models.CharField(max_length=100, blank=True)
    package_sha256 = models.CharField(max_length=64)
    package_bytes = models.BigIntegerField()
    manifest = models.JSONField(help_text="file name in the package → SHA-256")
    downloads = models.IntegerField(default=0)

    class Meta:
        app_label = "station"
        ordering = ["-created_at", "-id"]


def new_pseudonym() -> str:
    """64 random bits: what a camera is told of its wearer, linkable to a person only in the station."""
    return secrets.token_hex(8)


class Officer(models.Model):
    """A person who wears cameras, from the town's personnel list: the evidence needs the wearer (the
    witness), never a record of staff. Deactivated, never deleted, while recordings name them."""

    personnel_number = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    team = models.CharField(max_length=100, blank=True)
    active = models.BooleanField(default=True)
    pseudonym = models.CharField(max_length=16, unique=True, default=new_pseudonym,
                                 help_text="what a camera is told: not the name")
    pin = models.CharField(max_length=128, blank=True,
                           help_text="the kiosk PIN's hash (Django's password hasher); empty: no kiosk check-out")

    class Meta:
        app_label = "station"
        ordering = ["name", "personnel_number"]

    def __str__(self) -> str:
        return f"{self.name} ({self.personnel_number})"


class Badge(models.Model):
    """A service badge's contactless UID; revoked (lost, replaced), never deleted."""

    uid = models.CharField(max_length=20, help_text="upper-case hex, 4, 7 or 10 bytes")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="badges")
    added_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True)

    class Meta:
        app_label = "station"
        constraints = [models.UniqueConstraint(fields=["uid"], condition=models.Q(revoked_at__isnull=True),
                                               name="one_holder_per_badge")]


class Assignment(models.Model):
    """Who wore a camera from when to when: the authority for a recording's wearer (station.attribution)."""

    POOL, FIXED = "pool", "fixed"

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="assignments")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="assignments")
    mode = models.CharField(max_length=10, default=POOL)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True)
    started_by = models.CharField(max_length=100, help_text="badge, kiosk, or the admin's user name")
    ended_by = models.CharField(max_length=100, blank=True)

    class Meta:
        app_label = "station"
        indexes = [models.Index(fields=["device", "started_at"], name="assignments_by_camera")]

    def __str__(self) -> str:
        return self.device.name


class BrokerCertificate(models.Model):
    """A client certificate of the control room's MQTT broker (station.mqtt_broker): a camera's, or the
    station's own reader's. Revoked, never deleted: the broker's revocation list is made from these."""

    common_name = models.CharField(max_length=64)
    device = models.ForeignKey(Device, on_delete=models.PROTECT, null=True, related_name="broker_certificates")
    serial = models.CharField(max_length=40, unique=True, help_text="hex")
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True)

    class Meta:
        app_label = "station"


class ControlRoomMessage(models.Model):
    """A camera's status or alert as the control room's broker delivered it (station.control_room); kept
    for ``BODYCAM_STATUS_RETENTION_DAYS``, then deleted by the purge: status tracking is not a record of
    staff. An alert of imminent danger waits for a dispatcher's acknowledgement."""

    camera = models.CharField(max_length=63)
    kind = models.CharField(max_length=30)
    utc = models.DateTimeField(help_text="when it happened, by the camera's clock")
    received_at = models.DateTimeField()
    wearer = models.CharField(max_length=16, null=True)
    battery = models.FloatField(null=True)
    reason = models.CharField(max_length=40, blank=True)
    stage = models.CharField(max_length=20, blank=True, help_text="for a stage change: the stage now")
    acknowledged_at = models.DateTimeField(null=True)
    acknowledged_by = models.CharField(max_length=150, blank=True)

    class Meta:
        app_label = "station"
        indexes = [models.Index(fields=["camera", "-utc"], name="control_room_by_camera")]



class Redaction(models.Model):
    """A derivative of a recording for disclosure with bystanders made unrecognisable (station.redactions);
    the recording itself is never changed. The faces found wait for the evidence officer's review; the
    derivative, once rendered, for a second person's approval (four eyes) before anyone may take it out.
    Deleted with its recording."""

    QUEUED, ANALYSING, REVIEW, RENDERING, AWAITING, APPROVED, FAILED, DELETED = (
        "queued", "analysing", "review", "rendering", "awaiting-approval", "approved", "failed", "deleted")
    RUNNING = (QUEUED, ANALYSING, RENDERING)

    recording = models.ForeignKey(Recording, on_delete=models.PROTECT, related_name="redactions")
    request = models.ForeignKey(ViewRequest, on_delete=models.PROTECT, related_name="redactions",
                                help_text="the approved viewing window it was made under")
    source_files = models.JSONField(help_text="the recording's segment files and their BLAKE2b-256, as verified")
    purpose = models.TextField(help_text="to whom and why it is disclosed")
    created_by = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="redactions")
    created_at = models.DateTimeField()
    status = models.CharField(max_length=20, default=QUEUED)
    attempt = models.IntegerField(default=1, help_text="the job run the row waits for: an older run's end is ignored")
    progress = models.FloatField(default=0.0, help_text="percent of the running step")
    seconds_left = models.FloatField(null=True)
    failure = models.TextField(blank=True)
    plan = models.JSONField(default=dict, help_text="the reviewer's decisions (station.redaction.plan)")
    reviewed_by = models.ForeignKey("auth.User", on_delete=models.PROTECT, null=True, related_name="redaction_reviews")
    reviewed_at = models.DateTimeField(null=True)
    sha256 = models.CharField(max_length=64, blank=True)
    frames = models.IntegerField(null=True)
    covered_frames = models.IntegerField(null=True)
    decided_by = models.ForeignKey("auth.User", on_delete=models.PROTECT, null=True,
                                   related_name="redaction_decisions")
    decided_at = models.DateTimeField(null=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        app_label = "station"
        ordering = ["-created_at"]

    @property
    def failure_kind(self) -> str:
        """Why the job failed, as a code (``failure`` is ``kind: technical reason``)."""
        return self.failure.split(":", 1)[0]

    @property
    def failure_detail(self) -> str:
        return self.failure.split(":", 1)[-1].strip()
