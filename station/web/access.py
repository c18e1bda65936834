"""Who may do what: the five roles, as Django groups, and the viewing window an approval opens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _

from station.roles import (
    ADMIN,
    ALL_ROLES,
    APPROVER,
    CASE_WORKER,
    CONTROL_ROOM,
    DATA_PROTECTION,
    EVIDENCE_OFFICER,
    KIOSK,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

__all__ = ["ADMIN", "ALL_ROLES", "APPROVER", "CASE_WORKER", "CONTROL_ROOM", "DATA_PROTECTION", "EVIDENCE_OFFICER",
           "KIOSK", "ROLES"]

ROLES = {
    CASE_WORKER: _("Case worker"),
    APPROVER: _("Approver"),
    EVIDENCE_OFFICER: _("Evidence officer"),
    DATA_PROTECTION: _("Data-protection officer"),
    ADMIN: _("Administrator"),
    KIOSK: _("Dock kiosk"),
    CONTROL_ROOM: _("Control room"),
}


def roles(user: Any) -> set[str]:
    if not user.is_authenticated or not user.is_active:
        return set()
    names = {group.name for group in user.groups.all()} & set(ROLES)
    return names | ({ADMIN} if user.is_superuser else set())


View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class SignedInRequest(HttpRequest):
    """What a view behind ``require`` is given: its user is signed in, never anonymous."""

    user: User


def require(*allowed: str) -> Callable[[View], View]:
    """A view for users with one of ``allowed`` roles; everyone else gets 403 (and nothing happens)."""
    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not roles(request.user) & set(allowed):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return guarded  # type: ignore[return-value]  # same signature as view, by wraps
    return decorate


PURPOSE_READERS = frozenset({APPROVER, DATA_PROTECTION})
"""Who reads every request's purpose: those who decide on them and those who oversee them. Anyone else
reads only their own (a purpose names an incident and often a person)."""


WEARER_READERS = frozenset({EVIDENCE_OFFICER, DATA_PROTECTION})
"""Who sees who wore a camera, and searches by officer or team: the evidence office needs the witness and
data protection oversees it; nobody else (the staff council's condition: evidence, not staff monitoring)."""


SHIFT_ACTIONS = ("checked-out", "checked-in", "camera-told", "camera-not-told", "dock-refused", "dock-viewed",
                 "wearer-searched")
"""Custody lines that tell who had which camera when, or whom someone looked for: the shift history. In
the custody log only ``WEARER_READERS`` see them; the administrator, who reads the log for the users and
roles, does not."""


def sees_wearers(user: Any) -> bool:
    return bool(roles(user) & WEARER_READERS)


def visible_requests(user: Any, requests: Any) -> Any:
    """Of ``requests`` (a queryset), those ``user`` may read with their purpose."""
    return requests if roles(user) & PURPOSE_READERS else requests.filter(requester=user)


def open_window(user: Any, recording: Any, at: datetime) -> Any:
    """The approved request that lets ``user`` view ``recording`` now, or None."""
    from station.models import ViewRequest

    return (ViewRequest.objects.filter(requester=user, recording=recording, status=ViewRequest.APPROVED,
                                       window_until__gt=at).order_by("-window_until").first())


def roles_context(request: HttpRequest) -> dict[str, object]:
    mine = roles(request.user)
    return {"roles": mine, "role_names": [ROLES[r] for r in ROLES if r in mine]}
