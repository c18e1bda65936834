"""The dock's badge reader: a PC/SC contactless reader (ACR122U class, CCID) through ``pcscd``. A badge
laid on it is read once, by its UID (the PC/SC "Get Data" command ``FF CA 00 00 00``, which every
PC/SC contactless reader answers for ISO 14443 cards); taken off and laid again, it is read again.

pyscard is imported here only (the station's other parts run without a reader). The reader's events
come from ``SCardGetStatusChange`` (pcscd wakes us; nothing polls the card). A reader unplugged, or
pcscd gone, is an event too, and so is its return: the dock says so instead of ignoring badges.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from bodycam.errors import BodycamError

GET_UID = [0xFF, 0xCA, 0x00, 0x00, 0x00]
WAIT_MS = 500
"""How long one wait for a change lasts: how soon ``stop`` is noticed."""
MAX_UID_BYTES = 10


class ReaderError(BodycamError, RuntimeError):
    """The badge reader cannot be used: pyscard missing, no PC/SC service."""


@dataclass(frozen=True)
class Event:
    kind: str
    """``badge`` (``uid`` is set), ``unreadable`` (a card that gave no UID), ``reader-missing``, ``reader-back``."""
    uid: str = ""
    detail: str = ""


def events(stop: Callable[[], bool], reader: str | None = None) -> Generator[Event, None, None]:
    """What happens at the reader (the first one, or the one whose name starts with ``reader``) until
    ``stop()`` is true."""
    try:
        from smartcard import scard
    except ImportError as exc:
        raise ReaderError(f"pyscard is not installed ({exc}); install the station's extras") from None
    context = _context(scard)
    present, missing = False, False
    try:
        while not stop():
            name = _reader(scard, context, reader)
            if name is not None and missing:
                missing = False
                yield Event("reader-back", detail=name)
            result, states = scard.SCardGetStatusChange(context, WAIT_MS, [(name, _known(scard, present))]) \
                if name is not None else (None, [])
            if result == scard.SCARD_E_TIMEOUT:
                continue
            if result != scard.SCARD_S_SUCCESS:  # unplugged, or pcscd gone
                if not missing:
                    missing, present = True, False
                    yield Event("reader-missing", detail=reader or "any")
                context = _again(scard, context)
                continue
            assert name is not None  # a reader answered
            now_present = bool(states[0][1] & scard.SCARD_STATE_PRESENT)
            if now_present and not present:
                yield _read(scard, context, name)
            present = now_present
    finally:
        scard.SCardReleaseContext(context)


def _known(scard: Any, present: bool) -> int:
    return scard.SCARD_STATE_PRESENT if present else scard.SCARD_STATE_EMPTY


def _context(scard: Any) -> Any:
    result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if result != scard.SCARD_S_SUCCESS:
        raise ReaderError(f"no PC/SC service (pcscd): {scard.SCardGetErrorMessage(result)}")
    return context


def _again(scard: Any, context: Any) -> Any:
    """After a pause, a new context (pcscd may have restarted: on some systems it does when a reader is
    plugged in), or the old one while pcscd does not answer."""
    time.sleep(WAIT_MS / 1000)
    result, fresh = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if result != scard.SCARD_S_SUCCESS:
        return context
    scard.SCardReleaseContext(context)
    return fresh


def _reader(scard: Any, context: Any, wanted: str | None) -> str | None:
    result, readers = scard.SCardListReaders(context, [])
    if result != scard.SCARD_S_SUCCESS:
        return None
    return next((r for r in readers if wanted is None or r.startswith(wanted)), None)


def _read(scard: Any, context: Any, reader: str) -> Event:
    result, card, protocol = scard.SCardConnect(context, reader, scard.SCARD_SHARE_SHARED,
                                                scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
    if result != scard.SCARD_S_SUCCESS:
        return Event("unreadable", detail=scard.SCardGetErrorMessage(result))
    try:
        result, response = scard.SCardTransmit(card, protocol, GET_UID)
    finally:
        scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
    if result != scard.SCARD_S_SUCCESS or len(response) < 2 or response[-2:] != [0x90, 0x00] \
            or not 4 <= len(response) - 2 <= MAX_UID_BYTES:
        return Event("unreadable", detail=bytes(response[-2:]).hex() if response else "no answer")
    return Event("badge", uid=bytes(response[:-2]).hex().upper())
