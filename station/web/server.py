"""``bodycam station serve``: the application under gunicorn (a pre-forking WSGI server built for
production), or as a WSGI callable for any other server (``station.web.wsgi:application``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from station.store import Store
from station.web.app import serve_store


def wsgi_application(store: Store, agency_key: Path | None = None) -> Any:
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connections

    serve_store(store, agency_key)
    connections.close_all()  # workers fork after this: each opens its own connection
    return WSGIHandler()


def serve(store: Store, bind: str, workers: int, agency_key: Path | None = None) -> None:
    from gunicorn.app.base import BaseApplication

    application = wsgi_application(store, agency_key)

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in {"bind": bind, "workers": workers, "threads": 4, "timeout": 300,
                               "accesslog": "-", "preload_app": True, "proc_name": "bodycam-station"}.items():
                self.cfg.set(key, value)
            if "control_socket_disable" in self.cfg.settings:  # gunicorn ≥ 27 would make ~/.gunicorn otherwise
                self.cfg.set("control_socket_disable", True)

        def load(self) -> Any:
            return application

    Server().run()
