"""Where the start page and a login without ``next`` lead: the dock's screen, whose account has only the
kiosk role, to the kiosk; the control room to its page; everyone else to the recordings."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url

from station.web.access import CONTROL_ROOM, KIOSK, roles


def start_page(user: Any) -> str:
    held = roles(user)
    return "kiosk" if held == {KIOSK} else "control-room" if held == {CONTROL_ROOM} else "recordings"


@login_required
def home(request: HttpRequest) -> HttpResponseRedirect:
    return redirect(start_page(request.user))


class StationLoginView(LoginView):
    """Django's login, landing each account on its start page (not on a page its role may not open)."""

    template_name = "station/login.html"

    def get_default_redirect_url(self) -> str:
        return resolve_url(start_page(self.request.user))
