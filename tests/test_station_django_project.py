"""The station is a normal Django project: its settings module, read from the environment, serves
django-admin as it serves bodycam station and the WSGI server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from office.cli import main

DJANGO_ADMIN = Path(sys.executable).with_name("django-admin")


def _django_admin(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("BODYCAM_", "DJANGO_"))}
    environment |= {"DJANGO_SETTINGS_MODULE": "station.settings", "BODYCAM_STORE": str(store)}
    return subprocess.run([str(DJANGO_ADMIN), *args], capture_output=True, text=True, env=environment, timeout=120)


def test_django_admin_works_on_a_store_named_by_the_environment(tmp_path):
    store = tmp_path / "store"
    assert main(["station", "init", "--store", str(store)]) == 0
    check = _django_admin(store, "check")
    assert check.returncode == 0, check.stderr
    migrations = _django_admin(store, "migrate", "--check")
    assert migrations.returncode == 0, "the store's schema is up to date: " + migrations.stdout + migrations.stderr
    shell = _django_admin(store, "shell", "-v", "0", "-c", "from django.conf import settings; "
                          "from django.db import connection; print(connection.settings_dict['NAME']); "
                          "print(len(settings.SECRET_KEY))")
    name, secret_length = shell.stdout.split()
    assert os.path.samefile(name, store / "station.sqlite3"), "the store's database is Django's default"
    assert int(secret_length) >= 40, "the secret comes from the store's keys/web-secret"
    assert (store / "keys" / "web-secret").stat().st_mode & 0o077 == 0


def test_a_new_store_and_its_database_are_the_station_accounts_alone_whatever_the_umask(tmp_path):
    store = tmp_path / "store"
    made = subprocess.run([sys.executable, "-m", "office.cli", "station", "init", "--store", str(store)],
                          capture_output=True, text=True, timeout=120, preexec_fn=lambda: os.umask(0o022))
    assert made.returncode == 0, made.stderr
    assert store.stat().st_mode & 0o777 == 0o700
    assert (store / "station.sqlite3").stat().st_mode & 0o777 == 0o600
    assert _django_admin(store, "check").returncode == 0


def test_django_admin_refuses_to_sign_without_a_secret(tmp_path):
    """No store yet, no BODYCAM_SECRET_KEY: Django refuses, instead of signing with a known key."""
    result = _django_admin(tmp_path / "none", "shell", "-c", "from django.conf import settings; settings.SECRET_KEY")
    assert result.returncode != 0 and "SECRET_KEY setting must not be empty" in result.stderr


def test_the_station_jobs_are_management_commands_django_admin_runs(tmp_path):
    store = tmp_path / "store"
    assert main(["station", "init", "--store", str(store)]) == 0
    listed = _django_admin(store, "help", "--commands")
    assert {"offload", "purge", "quarantine", "custody", "user", "hold", "release", "enrol", "mark"} <= \
        set(listed.stdout.split()), listed.stdout
    verify = _django_admin(store, "custody", "verify")
    assert verify.returncode == 0 and "custody log: 0 line(s), 0 problem(s)" in verify.stdout, verify.stderr
    purge = _django_admin(store, "purge", "--dry-run")
    assert purge.returncode == 0 and "0 would delete, 0 held" in purge.stdout


def test_a_job_that_fails_under_django_admin_says_why_in_one_line_with_the_exit_code_of_bodycam(tmp_path, capsys):
    store = tmp_path / "store"
    assert main(["station", "init", "--store", str(store)]) == 0
    capsys.readouterr()
    bodycam = main(["evidence", "hold", "20260105T100000Z-0000abcd", "--reason", "Anzeige", "--store", str(store)])
    said = capsys.readouterr().err
    result = _django_admin(store, "hold", "20260105T100000Z-0000abcd", "--reason", "Anzeige")
    assert result.returncode == bodycam == 2
    assert result.stderr.strip().splitlines() == [f"CommandError: {said.strip().removeprefix('bodycam: ')}"]
    assert "Traceback" not in result.stderr
