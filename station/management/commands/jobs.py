"""``bodycam station jobs``: the job runner (django-q2's cluster) on the store's queue, with the agency
key to decrypt what the jobs read. At its start the jobs a stopped runner left half done are taken up
again (station.jobs). Runs until stopped (SIGTERM: the running job is ended, and taken up at the next
start)."""

from __future__ import annotations

import argparse
from argparse import ArgumentParser

from station import arguments
from station.arguments import HELP
from station.jobs import Runner, attach, take_up_interrupted
from station.management.base import StationCommand
from station.redactions import take_up


class Command(StationCommand):
    help = HELP["jobs"]

    def add_arguments(self, parser: ArgumentParser) -> None:
        arguments.jobs(parser)

    def run(self, args: argparse.Namespace) -> int:
        from django.conf import settings
        from django_q.cluster import Cluster

        from station.web.app import serve_store

        served = serve_store(self.store(args), args.agency_key)  # the agency key read as the web application does
        store = served.store
        attach(Runner(store, served.agency_key))
        freed, rows = take_up_interrupted(store), take_up(store)
        self.stdout.write(f"jobs: {settings.Q_CLUSTER['workers']} at a time from {store.root}; "
                          f"{rows} interrupted redaction(s) taken up again ({freed} job(s))")
        self.stdout.flush()
        Cluster().start()
        return 0
