"""Where the start page (and a login without ``next``) leads: the dock's screen, whose account has only
the kiosk role, to the kiosk; the control room to its page; everyone else to the recordings."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect

from station.web.access import CONTROL_ROOM, KIOSK, roles


@login_required
def home(request: HttpRequest) -> HttpResponseRedirect:
    held = roles(request.user)
    return redirect("kiosk" if held == {KIOSK} else "control-room" if held == {CONTROL_ROOM} else "recordings")
