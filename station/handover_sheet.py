"""The documents of a hand-over package, in German (the recipients are German authorities): the
hand-over sheet (Übergabeprotokoll, PDF) a police officer or prosecutor files with the evidence, and the
verify report (Prüfbericht) that says what the station checked before it decrypted anything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import formats, timezone, translation
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from station.labels import label


@dataclass(frozen=True)
class Item:
    """One recording in the package."""

    file: str
    ref: str
    camera: str
    started: datetime
    duration_s: float
    reason: str
    segments: int
    sha256: str
    status: str
    """``ok``, or ``truncated`` (a power cut's tail lost, everything before verified)."""
    remarks: tuple[str, ...]
    """What verify noted: a lost tail, sound the microphone lost."""
    wearer: str
    """Who wore the camera, from the station's assignments (station.attribution): the witness."""


@dataclass(frozen=True)
class Facts:
    number: str
    case_reference: str
    case_kind: str
    recipient: str
    issuer: str
    issuer_number: str
    created: datetime
    expires: datetime
    items: tuple[Item, ...]


def _local(moment: datetime) -> str:
    with translation.override("de"):
        return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _status(item: Item) -> str:
    return {"ok": "unversehrt: alle Signaturen, Ketten und Prüfsummen gültig",
            "truncated": "unversehrt bis zum Stromausfall; der Rest fehlt (siehe Prüfbericht)"}.get(item.status,
                                                                                               item.status)


def _describe(item: Item) -> list[str]:
    with translation.override("de"):
        reason = label(item.reason, "reason")
    return [f"Kamera: {item.camera} · Beginn: {_local(item.started)} · Dauer: {item.duration_s:.0f} s · "
            f"Anlass: {reason}",
            f"Aufnahme: {item.ref} · Segmente: {item.segments}",
            f"Träger/in der Kamera: {item.wearer}",
            f"Prüfung: {_status(item)}"]


def report(facts: Facts) -> str:
    """The verify report (prüfbericht.txt): each recording's checks and remarks, plain text."""
    lines = [f"Prüfbericht zur Übergabe {facts.number}", f"Vorgang: {facts.case_reference}",
             f"erstellt: {_local(facts.created)}", "",
             "Jede Aufnahme wurde vor dem Entschlüsseln im Speicher der Station erneut geprüft: die Signatur "
             "jedes Segments mit dem registrierten Schlüssel der Kamera, die Kette der Segmente, ihre "
             "Vollständigkeit und die Prüfsummen aus der Annahme.", ""]
    for item in facts.items:
        lines += [item.file, *(f"  {line}" for line in _describe(item)), f"  SHA-256 der MP4: {item.sha256}"]
        lines += [f"  Hinweis: {remark}" for remark in item.remarks]
        lines.append("")
    return "\n".join(lines)


def sheet(facts: Facts) -> bytes:
    """The hand-over sheet as a PDF (A4): what was handed over, by whom, to whom, until when, with the
    hashes, and the two signature lines."""
    pdf = FPDF(format="A4")
    pdf.set_title(f"Übergabeprotokoll {facts.number}")
    pdf.set_author(_latin(facts.issuer))
    pdf.set_creation_date(facts.created)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    _line(pdf, "Übergabeprotokoll Bodycam-Aufnahmen", 9)
    pdf.set_font("Helvetica", size=10)
    for key, value in (("Übergabe-Nr.", facts.number), ("Vorgang (Aktenzeichen)", facts.case_reference),
                       ("Art des Vorgangs", facts.case_kind), ("Empfänger", facts.recipient),
                       ("Ausgestellt von", f"{facts.issuer} (Personalnummer {facts.issuer_number})"),
                       ("Ausgestellt am", _local(facts.created)), ("Abrufbar bis", _local(facts.expires))):
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(50, 6, _latin(key))
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 6, _latin(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 12)
    _line(pdf, f"Übergebene Aufnahmen ({len(facts.items)})", 8)
    for number, item in enumerate(facts.items, 1):
        pdf.set_font("Helvetica", "B", 10)
        _line(pdf, f"{number}. {item.file}", 6)
        pdf.set_font("Helvetica", size=9)
        for line in _describe(item) + [f"Hinweis: {remark}" for remark in item.remarks]:
            pdf.multi_cell(0, 5, _latin(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("Courier", size=8)
        _line(pdf, f"SHA-256: {item.sha256}", 5)
        pdf.ln(2)
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(0, 5, _latin(
        "Die Prüfsummen aller Dateien des Pakets stehen in SHA256SUMS; prüfen mit: sha256sum -c SHA256SUMS. "
        "Die Aufnahmen sind unverändert aus den signierten Segmenten der Kamera zusammengesetzt (ohne neue "
        "Kodierung). Jeder Abruf des Pakets ist im Verwahrungsprotokoll der Station vermerkt."),
        new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(12)
    for role in ("Übergeben", "Übernommen"):
        _line(pdf, "_" * 60, 5)
        _line(pdf, f"{role}: Name, Dienststelle, Datum, Unterschrift", 10)
    return bytes(pdf.output())


def _line(pdf: FPDF, text: str, height: float) -> None:
    pdf.cell(0, height, _latin(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _latin(text: str) -> str:
    """The PDF's built-in fonts write Latin-1 (all of German); another character (a name from elsewhere)
    becomes ``?`` rather than failing the hand-over."""
    return text.encode("latin-1", "replace").decode("latin-1")
