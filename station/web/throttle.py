"""Login throttling (django-axes, configured in ``station.settings``): the address a login came from,
and what of it the custody log keeps.

Every failure counts towards the lockout, but the custody log gets a line only for each failure up to
the limit and one ``login-locked`` line when the lockout begins: a password-guessing run cannot fill the
signed log (at most ``AXES_FAILURE_LIMIT`` + 1 lines per account and address each cool-off).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from axes.signals import user_locked_out
from django.conf import settings
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from station.web.app import serving

if TYPE_CHECKING:
    from station.store import Store

ADDRESS_LOGGED = 45
"""Characters of an address kept: an IPv6 address at most; what a proxy forwards is the visitor's to choose."""


def client_address(request: HttpRequest) -> str:
    """Behind the TLS proxy, the address nginx saw (the last one it appended to X-Forwarded-For); without
    it, the connection's own."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if settings.BEHIND_TLS else ""
    address = forwarded.split(",")[-1].strip() if forwarded else request.META.get("REMOTE_ADDR", "")
    return str(address)[:ADDRESS_LOGGED]


def lockout(request: HttpRequest, original_response: HttpResponse | None = None,
            credentials: dict[str, Any] | None = None) -> HttpResponse:
    """The page a locked-out sign-in gets (HTTP 429), in the visitor's language, with the wait in minutes."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "station/locked.html", {"minutes": minutes}, status=429)


def counted_already_locked(request: Any) -> bool:
    """A failed login while its account and address were locked out already: counted by axes, not logged
    again. The failure that starts the lockout is logged, whichever of axes and the custody log hears of
    it first (axes has then counted it to the limit)."""
    locked = bool(getattr(request, "axes_locked_out", False))
    return locked and getattr(request, "axes_failures_since_start", None) != settings.AXES_FAILURE_LIMIT


@receiver(user_locked_out)
def locked_out(sender: Any, request: Any, username: str | None, ip_address: str | None, **kwargs: Any) -> None:
    if getattr(request, "axes_failures_since_start", None) != settings.AXES_FAILURE_LIMIT:
        return  # a further failure during the lockout: the line for its start stands for it
    served = serving()
    if served is not None:
        served.store.log("login-locked", "", "anonymous", username=str(username or "")[:100],
                         address=ip_address or "", failures=settings.AXES_FAILURE_LIMIT,
                         minutes=int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def forget_failed_logins(store: Store, at: datetime) -> int:
    """Delete the records of failed logins (account name, address, browser) whose cool-off has passed:
    they are kept only as long as they can lock anyone out. The purge timer's job; returns how many."""
    from axes.models import AccessAttempt

    expired = store.db.query(AccessAttempt).filter(attempt_time__lt=at - settings.AXES_COOLOFF_TIME)
    return int(expired.delete()[0])
