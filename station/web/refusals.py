"""Refused requests (HTTP 403): the page says so in German, and a signed-in user's refusal is a custody
line, so the data-protection officer sees who tried to reach what they may not.

A visitor who is not signed in leaves no custody line: anyone on the network could fill the log so.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from station.web.app import served

PATH_LOGGED = 200
"""Characters of the refused path that go into the log line: a URL is the visitor's to choose."""


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's ``handler403``: a role or viewing window missing."""
    _log(request, "not-permitted")
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a form not from this station, or too old, or a request forged elsewhere."""
    _log(request, "form-not-from-this-station")
    return render(request, "403_csrf.html", status=403)


def _log(request: HttpRequest, why: str) -> None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    served().store.log("access-refused", request.path[:PATH_LOGGED], user.get_username(), method=request.method,
                      why=why)
