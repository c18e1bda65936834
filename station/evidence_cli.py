"""``bodycam keys agency`` and ``bodycam evidence …``: the evidence office's key and its tools."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from bodycam.errors import EXIT_USAGE

if TYPE_CHECKING:
    from datetime import datetime

    from cryptography.hazmat.primitives.asymmetric import ed25519

    from station.store import Store
    from storage.report import RecordingReport
    from storage.verify import TreeReport


EXIT_PROBLEMS = 1


def _passphrase(args: argparse.Namespace, confirm: bool, new: bool = False) -> bytes | None:
    """The passphrase ``--passphrase`` asks for or ``--passphrase-file`` holds (``--new-…`` with ``new``)."""
    import getpass

    from storage.keys import KeyFileError

    prefix = "new_" if new else ""
    path, ask = getattr(args, f"{prefix}passphrase_file"), getattr(args, f"{prefix}passphrase")
    label = "New passphrase" if new else "Passphrase"
    if path:
        try:
            passphrase = path.read_text(encoding="utf-8").rstrip("\n").encode()
        except OSError as exc:
            raise KeyFileError(f"{path}: cannot read passphrase file: {exc.strerror}") from None
    elif ask:
        passphrase = getpass.getpass(f"{label}: ").encode()
        if confirm and getpass.getpass(f"{label} (again): ").encode() != passphrase:
            raise KeyFileError("the two passphrases differ")
    else:
        return None
    if not passphrase:  # asked for protection and got none: never write or try an unprotected key silently
        option = "--new-passphrase" if new else "--passphrase"
        raise KeyFileError(f"the passphrase is empty; give one, or leave out {option} for a key without")
    return passphrase


def cmd_keys_agency(args: argparse.Namespace) -> int:
    from storage.keys import create_agency_keys

    key, pub = create_agency_keys(args.out, _passphrase(args, confirm=True))
    print(f"agency private key: {key} (mode 0600; keep it at the evidence office, never on a device)")
    print(f"agency public key:  {pub} (install on every device)")
    return 0


def cmd_keys_rewrap(args: argparse.Namespace) -> int:
    from storage.keys import rewrap_agency_key

    old = _passphrase(args, confirm=False)
    print(rewrap_agency_key(args.key, old, _passphrase(args, confirm=True, new=True)))
    return 0


class Trust(NamedTuple):
    keys: dict[str, ed25519.Ed25519PublicKey]
    lost: dict[str, datetime]
    store: Store | None = None
    """The evidence store whose registry gave the keys: its audit anchors are checked too."""


def _trusted(args: argparse.Namespace) -> Trust:
    """Keys come from the station's registry or from files the office names, never from the data folder:
    a fabricated recording would bring its own key along."""
    from storage.keys import KeyFileError
    from storage.verify import trusted_device_keys

    if args.registry is None and not args.device_key:
        raise KeyFileError("name the keys to trust: --registry STORE (the evidence station's registry) or "
                           "--device-key FILE; a key lying next to the recordings proves nothing")
    keys = trusted_device_keys(list(args.device_key or []))
    if args.registry is None:
        return Trust(keys, {})
    from station.registry import trusted_keys
    from station.store import Store

    store = Store.open(args.registry, args.database)
    registered, lost = trusted_keys(store)
    return Trust({**keys, **registered}, lost, store)


def _verify(args: argparse.Namespace, trust: Trust) -> TreeReport:
    from storage.verify import verify_tree

    tree = verify_tree(args.dir, trust.keys, at_store=args.store_copy)
    if trust.lost:
        from station.registry import refuse_lost

        refuse_lost(tree.recordings, trust.lost)
    if trust.store is not None and tree.audit is not None and tree.audit.entries:
        from station.anchors import anchor_problems
        from station.registry import find

        signer = str(tree.audit.entries[0][1].get("key"))
        if signer in trust.keys:
            tree.audit.problems.extend(anchor_problems(trust.store, find(trust.store, signer), tree.audit))
    return tree


def cmd_list(args: argparse.Namespace) -> int:
    reports = _verify(args, _trusted(args)).recordings
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
    from storage.verify import find_recordings

    if not args.dir.exists():
        print(f"bodycam: {args.dir}: no such file or folder", file=sys.stderr)
        return EXIT_USAGE
    trust = _trusted(args)
    if not find_recordings(args.dir) and not (args.dir / "audit").is_dir():
        print(f"bodycam: nothing to verify under {args.dir}: no recordings and no audit log", file=sys.stderr)
        return EXIT_USAGE
    tree = _verify(args, trust)
    reports, problems, notes = tree.recordings, tree.problems, tree.notes
    for line in problems:
        print(f"PROBLEM {line}")
    for line in notes:
        print(f"NOTE    {line}")
    ok = sum(1 for r in reports if r.status != "damaged")
    print(f"{ok} of {len(reports)} recording(s) verify; {len(problems)} problem(s)")
    return EXIT_PROBLEMS if problems else 0


def cmd_export(args: argparse.Namespace) -> int:
    from storage.export import export_recording
    from storage.keys import KeyFileError, load_agency_private

    if args.out.exists():
        raise KeyFileError(f"{args.out} exists; export never overwrites a file: choose another --out")
    report = _choose(_verify(args, _trusted(args)).recordings, args.recording, args.dir)
    key = load_agency_private(args.key, _passphrase(args, confirm=False))
    result = export_recording(report, key, args.out, allow_partial=args.allow_partial)
    state = "PARTIAL export" if result.partial else "verified export"
    print(f"{state}: {result.path} ({result.duration_s:.1f} s, {result.video_packets} video and "
          f"{result.audio_packets} audio packets)")
    if result.partial:
        print(f"  intact to {result.intact_until_utc}")
    for line in report.problems + report.notes + report.sound_gaps:
        print(f"  {line}")
    return 0


def _choose(reports: list[RecordingReport], wanted: str | None, root: Path) -> RecordingReport:
    from storage.keys import KeyFileError

    if wanted:
        for report in reports:
            if report.id == wanted:
                return report
        raise KeyFileError(f"no recording {wanted} under {root}")
    if not reports:
        raise KeyFileError(f"no recordings under {root}")
    if len(reports) != 1:
        names = ", ".join(r.id for r in reports)
        raise KeyFileError(f"{len(reports)} recordings under {root} ({names}); choose one with --recording ID")
    return reports[0]


def _passphrase_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--passphrase", action="store_true", help="ask for the key's passphrase")
    parser.add_argument("--passphrase-file", type=Path, help="read the passphrase from this file")


def add_commands(commands: argparse._SubParsersAction, keys: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """``bodycam keys agency`` (beside the camera's ``keys device``) and ``bodycam evidence``; returns the
    ``evidence`` sub-commands, so the station adds hold, release and purge there."""
    agency = keys.add_parser("agency", help="create the evidence office's key pair")
    agency.add_argument("--out", type=Path, required=True, help="folder for agency.key and agency.pub")
    _passphrase_options(agency)
    agency.set_defaults(handler=cmd_keys_agency)
    rewrap = keys.add_parser("rewrap", help="lock the agency key again: a new passphrase, or today's scrypt format "
                                            "for a key locked by an earlier version (the key itself stays)")
    rewrap.add_argument("key", type=Path, help="the agency private key (agency.key)")
    _passphrase_options(rewrap)
    rewrap.add_argument("--new-passphrase", action="store_true", help="ask for the passphrase to lock it with")
    rewrap.add_argument("--new-passphrase-file", type=Path, help="read the new passphrase from this file")
    rewrap.set_defaults(handler=cmd_keys_rewrap)

    evidence = commands.add_parser("evidence", help="list, verify and export recordings")
    tools = evidence.add_subparsers(dest="evidence_command", required=True)
    for name, handler, text in (
        ("list", cmd_list, "recordings with start, duration, reason, markers and status"),
        ("verify", cmd_verify, "check signatures, chains and completeness (no private key needed)"),
        ("export", cmd_export, "decrypt, verify and remux one recording to MP4"),
    ):
        tool = tools.add_parser(name, help=text)
        tool.add_argument("dir", type=Path, help="data dir, recordings folder, or one recording")
        tool.add_argument("--registry", type=Path, metavar="STORE",
                          help="trust the device keys registered in this evidence store (lost keys included)")
        tool.add_argument("--database", help="with --registry: the store's database URL, if not its SQLite file")
        tool.add_argument("--device-key", type=Path, action="append",
                          help="trust this device public key (repeatable)")
        tool.add_argument("--store-copy", action="store_true",
                          help="DIR was offloaded: a recording without an end is a problem, not a power cut")
        tool.set_defaults(handler=handler)
        if name == "export":
            tool.add_argument("--key", type=Path, required=True, help="the agency private key")
            tool.add_argument("--out", type=Path, required=True, help="MP4 file to write")
            tool.add_argument("--recording", help="recording id (needed when DIR holds several)")
            tool.add_argument("--allow-partial", action="store_true",
                              help="export what verifies even when parts are missing or damaged")
            _passphrase_options(tool)
    return tools
