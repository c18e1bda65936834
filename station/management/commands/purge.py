"""``bodycam evidence purge``: delete recordings older than the retention period unless held (the
purge timer's job), the decrypted copies of viewing windows that have closed, the assignments of officers
to cameras that no stored recording needs, and the records of failed logins whose lockout has passed;
viewing requests left undecided too long expire."""

from __future__ import annotations

import argparse
from argparse import ArgumentParser
from datetime import UTC, datetime

from django.conf import settings

from station import arguments
from station.arguments import HELP
from station.control_room import purge_messages
from station.management.base import StationCommand
from station.quarantine import expire
from station.retention import parse_period, purge, purge_assignments
from station.viewing import expire_requests
from station.web.playback import sweep
from station.web.throttle import forget_failed_logins


class Command(StationCommand):
    help = HELP["purge"]

    def add_arguments(self, parser: ArgumentParser) -> None:
        arguments.purge(parser)

    def run(self, args: argparse.Namespace) -> int:
        store = self.store(args)
        quarantine_period = parse_period(args.quarantine_period)
        result = purge(store, parse_period(args.older_than), dry_run=args.dry_run,
                       review=parse_period(args.review_period))
        for item in expire(store, quarantine_period, datetime.now(UTC), dry_run=args.dry_run):
            self.stdout.write(f"{'would delete' if args.dry_run else 'deleted'} quarantine copy {item} "
                              f"(not cleared within {args.quarantine_period})")
        if not args.dry_run:
            for path in sweep(store, datetime.now(UTC)):
                self.stdout.write(f"removed {path.name} (its viewing window closed)")
            if expired := expire_requests(store, settings.BODYCAM_REQUEST_EXPIRY):
                self.stdout.write(f"{expired} viewing request(s) expired undecided")
            if forgotten := purge_assignments(store, settings.BODYCAM_ASSIGNMENT_RETENTION, datetime.now(UTC)):
                self.stdout.write(f"deleted {forgotten} assignment(s) of officers to cameras that no stored "
                                  "recording needs")
            if forgotten := purge_messages(store, settings.BODYCAM_STATUS_RETENTION, datetime.now(UTC)):
                self.stdout.write(f"deleted {forgotten} status message(s) of the cameras to the control room")
            if forgotten := forget_failed_logins(store, datetime.now(UTC)):
                self.stdout.write(f"deleted {forgotten} record(s) of failed logins (their lockout has passed)")
        verb = "would delete" if args.dry_run else "deleted"
        for recording in result.deleted:
            self.stdout.write(f"{verb} {recording}")
        for recording in result.held:
            self.stdout.write(f"kept   {recording} (held)")
        for recording, reference in result.in_case:
            self.stdout.write(f"kept   {recording} (case {reference})")
        for recording in result.in_review:
            self.stdout.write(f"kept   {recording} (arrived late: in review until {args.review_period} after arrival)")
        self.stdout.write(f"{len(result.deleted)} {verb}, {len(result.held)} held, {len(result.in_case)} in a case, "
                          f"{len(result.in_review)} in review")
        return 0
