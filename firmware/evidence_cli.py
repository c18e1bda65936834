"""``bodycam keys …`` and ``bodycam evidence …``: key creation, and the evidence office's tools."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from storage.keys import KeyFileError, create_agency_keys, create_device_key, load_agency_private
from storage.verify import RecordingReport, find_recordings, trusted_device_keys, verify_tree

EXIT_PROBLEMS = 1
EXIT_USAGE = 2


def _passphrase(args: argparse.Namespace, confirm: bool) -> bytes | None:
    if args.passphrase_file:
        try:
            return args.passphrase_file.read_text(encoding="utf-8").rstrip("\n").encode()
        except OSError as exc:
            raise KeyFileError(f"{args.passphrase_file}: cannot read passphrase file: {exc.strerror}") from None
    if not args.passphrase:
        return None
    first = getpass.getpass("Passphrase: ")
    if confirm and getpass.getpass("Passphrase (again): ") != first:
        raise KeyFileError("the two passphrases differ")
    return first.encode()


def cmd_keys_agency(args: argparse.Namespace) -> int:
    key, pub = create_agency_keys(args.out, _passphrase(args, confirm=True))
    print(f"agency private key: {key} (mode 0600; keep it at the evidence office, never on a device)")
    print(f"agency public key:  {pub} (install on every device)")
    return 0


def cmd_keys_device(args: argparse.Namespace) -> int:
    pub = create_device_key(args.data_dir / "keys")
    print(f"device public key: {pub}")
    print(pub.read_text(), end="")
    return 0


def _trusted(args: argparse.Namespace) -> dict:
    candidates = list(args.device_key or [])
    default = args.dir / "keys" / "device.pub"
    if not candidates and default.exists():
        candidates.append(default)
    return trusted_device_keys(candidates)


def cmd_list(args: argparse.Namespace) -> int:
    reports, _, _ = verify_tree(args.dir, _trusted(args))
    if not reports:
        print(f"no recordings under {args.dir}")
        return 0
    print(f"{'recording':<30} {'start (UTC)':<25} {'duration':>9} {'reason':<24} {'markers':>7}  status")
    for report in reports:
        first = report.first
        start = str(first.header["started_utc"]) if first else "?"
        reason = str(first.header["reason"]) if first else "?"
        duration = f"{report.duration_s():.1f} s"
        print(f"{report.id:<30} {start:<25} {duration:>9} {reason:<24} {len(report.markers()):>7}  {report.status}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    trusted = _trusted(args)
    if not find_recordings(args.dir) and not (args.dir / "audit").is_dir():
        print(f"bodycam: nothing to verify under {args.dir}", file=sys.stderr)
        return EXIT_USAGE
    reports, audit_problems, audit_notes = verify_tree(args.dir, trusted)
    problems = [p for r in reports for p in r.problems] + audit_problems
    notes = [n for r in reports for n in r.notes] + audit_notes
    if not trusted:
        notes.append("device key not pinned: segments checked against the key they carry "
                     "(give --device-key FILE to check who signed them)")
    for line in problems:
        print(f"PROBLEM {line}")
    for line in notes:
        print(f"NOTE    {line}")
    ok = sum(1 for r in reports if r.status != "damaged")
    print(f"{ok} of {len(reports)} recording(s) verify; {len(problems)} problem(s)")
    return EXIT_PROBLEMS if problems else 0


def cmd_export(args: argparse.Namespace) -> int:
    from storage.export import export_recording

    reports, _, _ = verify_tree(args.dir, _trusted(args))
    report = _choose(reports, args.recording, args.dir)
    key = load_agency_private(args.key, _passphrase(args, confirm=False))
    result = export_recording(report, key, args.out, allow_partial=args.allow_partial)
    state = "PARTIAL export" if result.partial else "verified export"
    print(f"{state}: {result.path} ({result.duration_s:.1f} s, {result.video_packets} video and "
          f"{result.audio_packets} audio packets)")
    for line in report.problems + report.notes:
        print(f"  {line}")
    return 0


def cmd_hold(args: argparse.Namespace) -> int:
    from storage.offload import EvidenceStore
    from storage.retention import hold

    hold(EvidenceStore(args.store), args.recording, args.reason)
    print(f"held: {args.recording} ({args.reason})")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from storage.offload import EvidenceStore
    from storage.retention import release_hold

    release_hold(EvidenceStore(args.store), args.recording)
    print(f"hold released: {args.recording}")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from storage.offload import EvidenceStore
    from storage.retention import parse_period, purge

    result = purge(EvidenceStore(args.store), parse_period(args.older_than), dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    for recording in result.deleted:
        print(f"{verb} {recording}")
    for recording in result.held:
        print(f"kept   {recording} (held)")
    print(f"{len(result.deleted)} {verb}, {len(result.held)} held")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    import csv
    import json

    from storage.stats import collect

    stats = collect(args.dir).as_dict()
    if args.json:
        print(json.dumps(stats, indent=2))
    elif args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(["figure", "value"])
        for key, value in stats.items():
            writer.writerow([key, json.dumps(value) if isinstance(value, dict) else value])
    else:
        for key, value in stats.items():
            print(f"{key:<36} {value}")
    return 0


def _choose(reports: list[RecordingReport], wanted: str | None, root: Path) -> RecordingReport:
    if wanted:
        for report in reports:
            if report.id == wanted:
                return report
        raise KeyFileError(f"no recording {wanted} under {root}")
    if len(reports) != 1:
        names = ", ".join(r.id for r in reports) or "none"
        raise KeyFileError(f"{len(reports)} recordings under {root} ({names}); choose one with --recording ID")
    return reports[0]


def _passphrase_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--passphrase", action="store_true", help="ask for the key's passphrase")
    parser.add_argument("--passphrase-file", type=Path, help="read the passphrase from this file")


def add_commands(commands: argparse._SubParsersAction) -> None:
    keys = commands.add_parser("keys", help="create keys").add_subparsers(dest="keys_command", required=True)
    agency = keys.add_parser("agency", help="create the evidence office's key pair")
    agency.add_argument("--out", type=Path, required=True, help="folder for agency.key and agency.pub")
    _passphrase_options(agency)
    agency.set_defaults(handler=cmd_keys_agency)
    device = keys.add_parser("device", help="create this device's signing key (kept if present)")
    device.add_argument("--data-dir", type=Path, default=Path("/var/lib/bodycam"))
    device.set_defaults(handler=cmd_keys_device)

    evidence = commands.add_parser("evidence", help="list, verify and export recordings")
    tools = evidence.add_subparsers(dest="evidence_command", required=True)
    for name, handler, text in (
        ("list", cmd_list, "recordings with start, duration, reason, markers and status"),
        ("verify", cmd_verify, "check signatures, chains and completeness (no private key needed)"),
        ("export", cmd_export, "decrypt, verify and remux one recording to MP4"),
    ):
        tool = tools.add_parser(name, help=text)
        tool.add_argument("dir", type=Path, help="data dir, recordings folder, or one recording")
        tool.add_argument("--device-key", type=Path, action="append",
                          help="trusted device public key (default: DIR/keys/device.pub)")
        tool.set_defaults(handler=handler)
        if name == "export":
            tool.add_argument("--key", type=Path, required=True, help="the agency private key")
            tool.add_argument("--out", type=Path, required=True, help="MP4 file to write")
            tool.add_argument("--recording", help="recording id (needed when DIR holds several)")
            tool.add_argument("--allow-partial", action="store_true",
                              help="export what verifies even when parts are missing or damaged")
            _passphrase_options(tool)

    stats_cmd = commands.add_parser("stats", help="anonymous pilot statistics from audit logs")
    stats_cmd.add_argument("dir", type=Path, help="data dir or evidence store (one device or a fleet)")
    form = stats_cmd.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true")
    form.add_argument("--csv", action="store_true")
    stats_cmd.set_defaults(handler=cmd_stats)

    store_option = {"type": Path, "default": Path("."), "help": "evidence store folder (default: here)"}
    hold_cmd = tools.add_parser("hold", help="keep a recording beyond the retention period")
    hold_cmd.add_argument("recording")
    hold_cmd.add_argument("--reason", required=True, help="why: case number, request")
    hold_cmd.add_argument("--store", **store_option)
    hold_cmd.set_defaults(handler=cmd_hold)
    release_cmd = tools.add_parser("release", help="end a hold")
    release_cmd.add_argument("recording")
    release_cmd.add_argument("--store", **store_option)
    release_cmd.set_defaults(handler=cmd_release)
    purge_cmd = tools.add_parser("purge", help="delete recordings older than the retention period unless held")
    purge_cmd.add_argument("--older-than", default="14d", help="retention period, e.g. 14d (default) or 36h")
    purge_cmd.add_argument("--dry-run", action="store_true", help="only say what would be deleted")
    purge_cmd.add_argument("--store", **store_option)
    purge_cmd.set_defaults(handler=cmd_purge)
