"""Logins, failed logins (until a lockout: station.web.throttle) and logouts are lines in the custody log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from station.web.app import serving
from station.web.throttle import counted_already_locked


def _log(action: str, who: str, **details: object) -> None:
    served = serving()
    if served is not None:  # the command line (createsuperuser, tests of the store) serves no store
        served.store.log(action, "", who, **details)


@receiver(user_logged_in)
def logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    _log("login", user.get_username())


@receiver(user_logged_out)
def logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        _log("logout", user.get_username())


@receiver(user_login_failed)
def login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    if counted_already_locked(request):
        return
    _log("login-failed", "anonymous", username=str(credentials.get("username", ""))[:100])
