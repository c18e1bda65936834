"""``bodycam offload``: pull verified recordings from one camera, or from every active one (the dock's timer)."""

from __future__ import annotations

import argparse
from argparse import ArgumentParser

from station import arguments
from station.arguments import HELP
from station.management.base import StationCommand
from station.models import Device
from station.offload import FILE_SIZE, OffloadError, OffloadOptions, offload
from station.ssh import ConnectionFailed


class Command(StationCommand):
    help = HELP["offload"]

    def add_arguments(self, parser: ArgumentParser) -> None:
        arguments.offload(parser)

    def run(self, args: argparse.Namespace) -> int:
        store = self.store(args)
        if args.time_limit < 1:
            self.stderr.write(f"bodycam: --time-limit {args.time_limit}: give seconds, at least 1")
            return 2
        if not FILE_SIZE.match(args.max_file_size):
            self.stderr.write(f"bodycam: --max-file-size {args.max_file_size[:40]!r}: write a size such as 500M or 1G")
            return 2
        options = OffloadOptions(identity=args.identity, data_dir=args.data_dir, remote_bodycam=args.remote_bodycam,
                                 bwlimit=args.bwlimit, connect_timeout_s=args.connect_timeout,
                                 max_file_size=args.max_file_size, time_limit_s=args.time_limit)
        names = [d.name for d in store.db.query(Device).filter(status=Device.ACTIVE).order_by("name")] \
            if args.all else [args.device]
        if names == [None]:
            self.stderr.write("bodycam: name a device, or give --all")
            return 2
        if not names:
            self.stdout.write(f"no active cameras enrolled in {store.root}")
            return 0
        failed = False
        for name in names:
            try:
                result = offload(store, name, options)
            except (OffloadError, ConnectionFailed) as exc:
                self.stderr.write(f"bodycam: {name}: {exc}")
                failed = True
                continue
            acceptance = result.acceptance
            for line in acceptance.problems:
                self.stdout.write(f"PROBLEM {line}")
            for line in acceptance.still_quarantined:
                self.stdout.write(f"NOTE    still in quarantine (sent again unchanged): {line}")
            self.stdout.write(f"{name}: {len(acceptance.received)} recording(s) received and verified, "
                              f"{len(result.released)} released on the camera"
                              + (f"; still recording: {', '.join(result.in_progress)}" if result.in_progress else ""))
            failed = failed or bool(acceptance.problems)
        return 1 if failed else 0
