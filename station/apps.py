from __future__ import annotations

from django.apps import AppConfig


class StationConfig(AppConfig):
    name = "station"
    label = "station"
    verbose_name = "Evidence station"

    def ready(self) -> None:
        from station.web import signals  # noqa: F401 - connects the custody log to logins
