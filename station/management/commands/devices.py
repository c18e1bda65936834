"""``bodycam station devices``: the enrolled cameras, their state and last offload."""

from __future__ import annotations

import argparse
from argparse import ArgumentParser

from station import arguments
from station.arguments import HELP
from station.management.base import StationCommand
from station.models import Device


class Command(StationCommand):
    help = HELP["devices"]

    def add_arguments(self, parser: ArgumentParser) -> None:
        arguments.devices(parser)

    def run(self, args: argparse.Namespace) -> int:
        store = self.store(args)
        self.stdout.write(f"{'name':<16} {'device key':<17} {'address':<28} {'status':<8} {'firmware':<12} "
                          "last offload")
        for d in store.db.query(Device).order_by("name"):
            last = d.last_offload_at.isoformat(timespec="seconds") if d.last_offload_at else "never"
            self.stdout.write(f"{d.name:<16} {d.key_id:<17} {d.ssh_user + '@' + d.host + ':' + str(d.port):<28} "
                              f"{d.status:<8} {d.firmware_version or '?':<12} {last}")
        return 0
