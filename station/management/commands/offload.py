"""``bodycam offload``: pull verified recordings from one camera, or from every active one (the dock's timer)."""

from __future__ import annotations

import argparse
from argparse import ArgumentParser
from concurrent.futures import ThreadPoolExecutor

from bodycam.errors import BodycamError
from station import arguments
from station.arguments import HELP
from station.limits import SizeError, size_bytes
from station.management.base import StationCommand
from station.models import Device
from station.offload import OffloadError, OffloadOptions, OffloadResult, offload
from station.ssh import ConnectionFailed
from station.store import Store

MAX_PARALLEL = 16


class Command(StationCommand):
    help = HELP["offload"]

    def add_arguments(self, parser: ArgumentParser) -> None:
        arguments.offload(parser)

    def run(self, args: argparse.Namespace) -> int:
        store = self.store(args)
        if args.time_limit < 1:
            self.stderr.write(f"bodycam: --time-limit {args.time_limit}: give seconds, at least 1")
            return 2
        for option, size in (("--max-file-size", args.max_file_size), ("--quota", args.quota)):
            try:
                size_bytes(size)
            except SizeError as exc:
                self.stderr.write(f"bodycam: {option} {exc}")
                return 2
        options = OffloadOptions(identity=args.identity, data_dir=args.data_dir, remote_bodycam=args.remote_bodycam,
                                 bwlimit=args.bwlimit, connect_timeout_s=args.connect_timeout,
                                 max_file_size=args.max_file_size, quota=args.quota, time_limit_s=args.time_limit)
        names = [d.name for d in store.db.query(Device).filter(status=Device.ACTIVE).order_by("name")] \
            if args.all else [args.device]
        if not 1 <= args.parallel <= MAX_PARALLEL:
            self.stderr.write(f"bodycam: --parallel {args.parallel}: give 1 to {MAX_PARALLEL} cameras at once")
            return 2
        if names == [None]:
            self.stderr.write("bodycam: name a device, or give --all")
            return 2
        if not names:
            self.stdout.write(f"no active cameras enrolled in {store.root}")
            return 0
        if not args.all:
            try:
                return self._report(args.device, offload(store, args.device, options), "")
            except (OffloadError, ConnectionFailed) as exc:
                return self._report(args.device, None, str(exc))
        failed = False
        with ThreadPoolExecutor(max_workers=args.parallel, thread_name_prefix="offload") as pool:
            runs = [pool.submit(_in_thread, store, name, options) for name in names]
            for name, run in zip(names, runs, strict=True):
                failed = self._report(name, *run.result()) != 0 or failed
        return 1 if failed else 0

    def _report(self, name: str, result: OffloadResult | None, error: str) -> int:
        if result is None:
            self.stderr.write(f"bodycam: {name}: {error}")
            return 1
        acceptance = result.acceptance
        for line in acceptance.problems:
            self.stdout.write(f"PROBLEM {line}")
        for line in acceptance.still_quarantined:
            self.stdout.write(f"NOTE    still in quarantine (sent again unchanged): {line}")
        if result.set_aside:
            self.stdout.write(f"NOTE    set aside on the camera (refused): {', '.join(result.set_aside)}")
        self.stdout.write(f"{name}: {len(acceptance.received)} recording(s) received and verified, "
                          f"{len(result.released)} released on the camera"
                          + (f"; still recording: {', '.join(result.in_progress)}" if result.in_progress else ""))
        return 1 if acceptance.problems else 0


def _in_thread(store: Store, name: str, options: OffloadOptions) -> tuple[OffloadResult | None, str]:
    """One camera's run on a pool thread; whatever ends it is that camera's line, never the end of the
    others' runs. The thread's own database connection is closed after it."""
    try:
        return offload(store, name, options), ""
    except BodycamError as exc:
        return None, str(exc)
    except Exception as exc:  # a fault in one camera's run must not stop the dock's timer for the others
        return None, f"the run failed unexpectedly ({type(exc).__name__}: {str(exc)[:300]}); nothing was released"
    finally:
        store.db.close()
