"""What every station job shares: its options from ``station.arguments``, the store it names, and one
way to fail, whether ``bodycam station …``, ``django-admin`` or a systemd unit runs it.

``bodycam`` parses the options itself (its ``--help`` must not load Django) and hands the result to
``run``; ``django-admin`` parses them with Django's parser and comes through ``handle``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import typing
from typing import Any

from django.core.management import load_command_class
from django.core.management.base import BaseCommand, CommandError

from bodycam.errors import BodycamError
from station.database import setup_django
from station.store import Store
from station.web.users import UserError


class StationCommand(BaseCommand):
    """A job: its options come from ``station.arguments`` (``add_arguments``), its work is ``run``."""

    requires_system_checks = ()  # a timer's job: `django-admin check` is the place for them

    def run(self, args: argparse.Namespace) -> int:
        """Do the job; the exit code (0: done, 1: done with problems it printed)."""
        raise NotImplementedError

    def handle(self, *positional: Any, **options: Any) -> None:
        try:
            code = self.run(argparse.Namespace(**options))
        except BodycamError as exc:
            raise CommandError(f"{exc.prefix}{exc}", returncode=exc.exit_code) from None
        if code:
            sys.exit(code)  # what went wrong is printed already

    @staticmethod
    def store(args: argparse.Namespace) -> Store:
        return Store.open(args.store, args.database)


def run_job(name: str, args: argparse.Namespace) -> int:
    """``bodycam station NAME …``: the management command NAME with the options ``bodycam`` parsed; the
    store it names is the process's Django default."""
    setup_django(args.store, args.database)
    command = typing.cast(StationCommand, load_command_class("station", name))
    return command.run(args)


def password(args: argparse.Namespace) -> str:
    """From --password-file, else asked twice at the terminal (never on the command line)."""
    if args.password_file:
        return str(args.password_file.read_text().rstrip("\n"))
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise UserError("the two passwords differ")
    return first
