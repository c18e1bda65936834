"""User-facing texts, German first, English available."""

from __future__ import annotations

from states.actions import Announcement, Message

MESSAGES: dict[Message, dict[str, str]] = {
    Message.RECORDING_STOPPED: {"de": "Aufnahme gestoppt", "en": "Recording stopped"},
    Message.BATTERY_LOW: {"de": "Akku fast leer", "en": "Battery low"},
    Message.BATTERY_CRITICAL: {"de": "Akku leer – Abschaltung", "en": "Battery empty – shutting down"},
    Message.STORAGE_LOW: {"de": "Speicher fast voll", "en": "Storage almost full"},
    Message.STORAGE_FULL: {"de": "Speicher voll", "en": "Storage full"},
    Message.CAMERA_FAULT: {"de": "Kamerafehler", "en": "Camera fault"},
    Message.OFFLOAD_OVERDUE: {"de": "Aufnahmen überfällig – bitte auslesen",
                              "en": "Recordings overdue – please offload"},
}

ANNOUNCEMENTS: dict[Announcement, dict[str, str]] = {
    Announcement.DISPLAY_ON: {
        "de": "Achtung: Diese Kamera ist eingeschaltet. Bild und Ton können aufgezeichnet werden.",
        "en": "Attention: this camera is switched on. Video and sound may be recorded.",
    },
    Announcement.RECORDING_STARTED: {"de": "Die Aufzeichnung läuft.", "en": "Recording has started."},
    Announcement.RECORDING_STOPPED: {"de": "Die Aufzeichnung ist beendet.", "en": "Recording has stopped."},
}

PART_FAILED = {
    "microphone": {"de": "Mikrofon ausgefallen – nur Bild", "en": "Microphone failed – video only"},
    "gauge": {"de": "Akkuanzeige ausgefallen", "en": "Battery gauge failed"},
    "display": {"de": "Anzeige ausgefallen", "en": "Display failed"},
    "speaker": {"de": "Lautsprecher ausgefallen – keine Ansagen", "en": "Speaker failed – no announcements"},
}
"""A part the camera records without: what the display says when it fails."""

VIDEO = {"de": "VIDEO", "en": "VIDEO"}
BANNER = {"de": "Kamera aktiv – Aufnahme möglich", "en": "Camera on – recording possible"}
REC = {"de": "REC", "en": "REC"}
MARKED = {"de": "Markiert", "en": "Marked"}
WARN_BATTERY = {"de": "Akku schwach", "en": "Battery low"}
WARN_STORAGE_LOW = {"de": "Speicher fast voll", "en": "Storage low"}
WARN_STORAGE_FULL = {"de": "Speicher voll", "en": "Storage full"}
WARN_CLOCK = {"de": "Uhr nicht synchron", "en": "Clock not synced"}


def text(table: dict[str, str], language: str) -> str:
    return table.get(language, table["de"])
