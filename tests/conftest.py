"""Shared fixtures: configs for fast simulated runs."""

from __future__ import annotations

import os

import pytest

from firmware.config import Config, override
from station.database import setup_django

# The tests' stores are folders of their own, each with its own connection; Django's default store is a
# path that cannot exist, so a query that names no store fails loudly instead of landing in a real one.
os.environ["BODYCAM_STORE"] = "/nonexistent/bodycam-tests-name-their-store"
os.environ.setdefault("BODYCAM_SECRET_KEY", "tests only: signs the test client's sessions")
setup_django()  # the station tests import station.models

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


def small_config(data_dir: str = "", **sections: dict[str, object]) -> Config:
    """Defaults with a smaller synthetic camera, plus overrides per section.

    An empty ``data_dir`` makes any attempt to write fail loudly instead of landing somewhere real.
    """
    config = override(Config(), sim={"camera_width": 160, "camera_height": 96}, storage={"data_dir": data_dir})
    return override(config, **sections)


@pytest.fixture
def config(tmp_path) -> Config:
    return small_config(str(tmp_path))


@pytest.fixture(scope="session")
def sshd(tmp_path_factory):
    """One real OpenSSH server on 127.0.0.1 for the deploy and offload tests."""
    from tests.sshd import start_sshd

    server, process = start_sshd(tmp_path_factory.mktemp("sshd"))
    yield server
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def releases(tmp_path_factory):
    """Two signed releases of this checkout for this machine (built once per test worker)."""
    from tests.releases import make_releases

    return make_releases(tmp_path_factory.mktemp("releases"))


@pytest.fixture(scope="session")
def postgres():
    """One real PostgreSQL server on 127.0.0.1 for the store tests (a fresh database per test)."""
    from tests.postgres import start_postgres, stop_postgres

    try:
        server, data = start_postgres()
    except FileNotFoundError as exc:
        pytest.skip(f"no PostgreSQL server: {exc}")
    yield server
    stop_postgres(server, data)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request) -> str | None:
    """The store's database: its own SQLite file, or a fresh database on the PostgreSQL server."""
    if request.param == "sqlite":
        return None
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture(scope="session")
def recorded(tmp_path_factory):
    """A camera data dir with one short recording and its audit log; copy it before changing it."""
    from tests.recordings import SHORT, record, short_config

    data = tmp_path_factory.mktemp("device") / "data"
    record(data, SHORT, short_config())
    return data


@pytest.fixture(scope="module")
def served_template(recorded, tmp_path_factory):
    """A store served by the web application, with ``recorded``'s recording and one user per role, made once
    per test module; ``web`` gives each test a copy."""
    from tests.web import serve

    root = tmp_path_factory.mktemp("web") / "store"
    serve(recorded, root).store.db.close()
    return root


@pytest.fixture
def web(served_template, recorded, tmp_path):
    from tests.web import serve_copy

    return serve_copy(served_template, tmp_path / "store", recorded)


@pytest.fixture
def device(recorded, tmp_path):
    """A fresh copy of ``recorded``: a camera the test may change."""
    from tests.recordings import copy_tree

    return copy_tree(recorded, tmp_path / "device")
