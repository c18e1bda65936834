"""The station's Django admin: users, roles (groups) and cameras, each change a signed custody line.

The data-protection officer reads who gave whom which role, or the superuser flag, in the custody log,
whether it was done with ``bodycam station user`` or here. The line is written in the transaction of the
change, so a change without its line cannot be saved. Cameras are enrolled and retired with their keys
by the station's commands; the admin shows them and changes only where the station reaches them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from station.models import Account, Device, Recipient
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


admin.site.unregister(User)
admin.site.unregister(Group)
admin.site.register(User, AuditedUserAdmin)
admin.site.register(Group, AuditedGroupAdmin)
admin.site.register(Device, DeviceAdmin)
admin.site.register(Recipient, RecipientAdmin)
