"""The station's Django admin: users, roles (groups) and cameras, each change a signed custody line.

The data-protection officer reads who gave whom which role, or the superuser flag, in the custody log,
whether it was done with ``bodycam station user`` or here. The line is written in the transaction of the
change, so a change without its line cannot be saved. Cameras are enrolled and retired with their keys
by the station's commands; the admin shows them and changes only where the station reaches them. Officers
come from the personnel list; the admin shows them and sets their kiosk PIN.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_q.models import Failure, OrmQ, Schedule, Success

from station.kiosk import PIN, pin_hash
from station.models import Account, Assignment, Badge, Device, Officer, Recipient
from station.web.app import served


class CustodyLogged(admin.ModelAdmin):
    """Every addition, change and deletion through the admin is a custody line naming what changed and
    the state afterwards (before, for a deletion)."""

    custody_kind = ""

    def custody_state(self, obj: Any) -> dict[str, object]:
        raise NotImplementedError

    def _custody(self, request: HttpRequest, action: str, obj: Any, change: object) -> None:
        details = {"change": change, **self.custody_state(obj)} if change else self.custody_state(obj)
        served().store.log(f"admin-{self.custody_kind}-{action}", str(obj), request.user.get_username(),
                           **details)

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        self._custody(request, "added", obj, message)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        self._custody(request, "changed", obj, message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        for obj in queryset:
            self._custody(request, "deleted", obj, None)
        return super().log_deletions(request, queryset)


class AccountInline(admin.StackedInline):
    """The personnel number on the user's page: one person, one account (the four-eyes rule)."""

    model = Account
    can_delete = False
    max_num = 1


class AuditedUserAdmin(CustodyLogged, UserAdmin):
    custody_kind = "user"
    inlines = (AccountInline,)

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return super().get_inline_instances(request, obj) if obj is not None else []  # number after creation

    def custody_state(self, obj: User) -> dict[str, object]:
        return {"roles": sorted(obj.groups.values_list("name", flat=True)), "staff": obj.is_staff,
                "superuser": obj.is_superuser, "active": obj.is_active,
                "personnel_number": Account.number_of(obj)}


class AuditedGroupAdmin(CustodyLogged, GroupAdmin):
    custody_kind = "role"

    def custody_state(self, obj: Group) -> dict[str, object]:
        return {"members": sorted(obj.user_set.values_list("username", flat=True)),
                "permissions": sorted(obj.permissions.values_list("codename", flat=True))}


class DeviceAdmin(CustodyLogged):
    custody_kind = "device"
    list_display = ("name", "key_id", "host", "port", "pool", "status", "last_offload_at")
    fields = ("name", "key_id", "host", "port", "ssh_user", "pool", "status", "status_since", "enrolled_at",
              "firmware_version", "last_offload_at", "public_key", "host_key")
    readonly_fields = ("key_id", "status", "status_since", "enrolled_at", "firmware_version", "last_offload_at",
                       "public_key", "host_key")
    """Keys come only from enrolment, and lost or retired only with a reason (the devices page)."""

    def custody_state(self, obj: Device) -> dict[str, object]:
        return {"key_id": obj.key_id, "host": obj.host, "port": obj.port, "ssh_user": obj.ssh_user,
                "pool": obj.pool, "status": obj.status}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a camera is enrolled with its keys (bodycam deploy --store, bodycam station enrol)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # its recordings name it: a camera is retired, never deleted


class RecipientAdmin(CustodyLogged):
    """Police stations, prosecutors' offices and courts that hand-overs go to; deactivated, never deleted
    (their hand-overs name them)."""

    custody_kind = "recipient"
    list_display = ("name", "kind", "contact", "active")

    def custody_state(self, obj: Recipient) -> dict[str, object]:
        return {"name": obj.name, "kind": obj.kind, "contact": obj.contact, "active": obj.active}

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class FixedAssignmentForm(forms.ModelForm):
    """A personal camera given to its officer: only a camera that is not in the pool, to an active
    officer, and never while it is assigned to someone else."""

    class Meta:
        model = Assignment
        fields = ("device", "officer", "started_at", "ended_at")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "ended_at" in self.fields:
            self.fields["ended_at"].required = False  # open until the camera goes back
        if "device" in self.fields:
            self.fields["device"].queryset = Device.objects.filter(  # type: ignore[attr-defined]
                pool=False, status=Device.ACTIVE)
            self.fields["officer"].queryset = Officer.objects.filter(active=True)  # type: ignore[attr-defined]
            self.fields["started_at"].initial = timezone.now

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        device, started, ended = data.get("device"), data.get("started_at"), data.get("ended_at")
        if started and ended and ended <= started:
            self.add_error("ended_at", _("The end must come after the start."))
        if device is not None and self.instance.pk is None and \
                Assignment.objects.filter(device=device, ended_at__isnull=True).exists():
            self.add_error("device", _("This camera is assigned to someone now: end that assignment first."))
        return data


class AssignmentAdmin(CustodyLogged):
    """Personal (fixed) cameras, assigned once by the administrator; pool cameras are checked out at the
    dock. An assignment is ended, never deleted or moved: it names the wearer of recordings."""

    custody_kind = "assignment"
    form = FixedAssignmentForm
    list_display = ("device", "officer", "started_at", "ended_at", "started_by")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assignment]:
        """Fixed ones only: the pool's check-outs are a shift history, which only the evidence office and
        data protection see (station.web.access.WEARER_READERS)."""
        return super().get_queryset(request).filter(mode=Assignment.FIXED)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("device", "officer", "started_at") if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Assignment, form: Any, change: bool) -> None:
        if not change:
            obj.mode, obj.started_by = Assignment.FIXED, request.user.get_username()
        elif obj.ended_at is not None and not obj.ended_by:
            obj.ended_by = request.user.get_username()
        super().save_model(request, obj, form, change)

    def custody_state(self, obj: Assignment) -> dict[str, object]:
        return {"camera": obj.device.name, "officer": obj.officer.personnel_number, "mode": obj.mode,
                "started": obj.started_at.isoformat(), "ended": obj.ended_at.isoformat() if obj.ended_at else ""}

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OfficerForm(forms.ModelForm):
    """The kiosk PIN, typed twice and kept only as a hash; the rest comes from the personnel list."""

    new_pin = forms.CharField(label=_("New kiosk PIN"), required=False, max_length=8,
                              widget=forms.PasswordInput(attrs={"autocomplete": "new-password",
                                                                "inputmode": "numeric"}),
                              help_text=_("4 to 8 digits; leave empty to keep the PIN. The officer uses it at the "
                                          "kiosk when the badge is not at hand."))
    new_pin_again = forms.CharField(label=_("New kiosk PIN, again"), required=False, max_length=8,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password",
                                                                      "inputmode": "numeric"}))

    class Meta:
        model = Officer
        fields = ("new_pin", "new_pin_again")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        pin, again = data.get("new_pin") or "", data.get("new_pin_again") or ""
        if pin and not PIN.match(pin):
            self.add_error("new_pin", _("A PIN is 4 to 8 digits."))
        elif pin != again:
            self.add_error("new_pin_again", _("The two PINs differ."))
        return data


class BadgeInline(admin.TabularInline):
    """The officer's badges, as the personnel list gives them: revoked by the list, never deleted."""

    model = Badge
    fields = readonly_fields = ("uid", "added_at", "revoked_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # badges come from the personnel list (bodycam station officers)


class OfficerAdmin(CustodyLogged):
    """Officers from the personnel list (bodycam station officers): read here, and their kiosk PIN set.
    Never added or deleted here: one person is one officer, deactivated while recordings name them."""

    custody_kind = "officer"
    form = OfficerForm
    list_display = ("personnel_number", "name", "team", "active", "has_pin")
    list_filter = ("active", "team")
    search_fields = ("personnel_number", "name")
    readonly_fields = ("personnel_number", "name", "team", "active")
    fields = ("personnel_number", "name", "team", "active", "new_pin", "new_pin_again")
    inlines = (BadgeInline,)

    @admin.display(boolean=True, description=_("Kiosk PIN"))
    def has_pin(self, obj: Officer) -> bool:
        return bool(obj.pin)

    def save_model(self, request: HttpRequest, obj: Officer, form: Any, change: bool) -> None:
        if form.cleaned_data.get("new_pin"):
            obj.pin = pin_hash(form.cleaned_data["new_pin"])
        super().save_model(request, obj, form, change)

    def custody_state(self, obj: Officer) -> dict[str, object]:
        return {"personnel_number": obj.personnel_number, "kiosk_pin": "set" if obj.pin else "none"}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.unregister(User)
admin.site.unregister(Group)
for queued in (Schedule, Success, Failure, OrmQ):  # django-q's jobs: on the station's own pages, not edited here
    if admin.site.is_registered(queued):
        admin.site.unregister(queued)
admin.site.register(User, AuditedUserAdmin)
admin.site.register(Group, AuditedGroupAdmin)
admin.site.register(Device, DeviceAdmin)
admin.site.register(Recipient, RecipientAdmin)
admin.site.register(Assignment, AssignmentAdmin)
admin.site.register(Officer, OfficerAdmin)
