"""What a press did, in words and on screen, for the simulator's window and terminal: a laptop cannot
vibrate, so markers, refusals and a hold's progress are shown."""

from __future__ import annotations

from hal.interfaces import Clock

OUTCOMES = {  # what the officer feels, shown on screen because a terminal cannot vibrate
    "marker": "◆ Markierung gesetzt",
    "denied-while-recording": "✕ Abgelehnt: Aufnahme läuft",
    "hint-no-recording": "! Keine Aufnahme: 1,5 s halten",
    "stop-hold-aborted": "✕ Stopp abgebrochen: 3 s halten",
}
SHOWN_FOR_S = 3.0


def hold_bar(held_s: float, stage: str, width: int = 10) -> str:
    """Progress of a held RECORD towards what it does next: start at 1.5 s in worn, stop at 3 s."""
    goal, what = (3.0, "Stopp") if stage == "recording" else (1.5, "Aufnahme")
    done = min(width, round(width * held_s / goal))
    return f"RECORD {held_s:3.1f}/{goal:.1f} s {'█' * done}{'·' * (width - done)} → {what}"


def recent_outcome(decisions: list[dict[str, object]], now: float) -> str | None:
    """The text for the last decision, if it is one to show and happened within ``SHOWN_FOR_S``."""
    if not decisions:
        return None
    last = decisions[-1]
    outcome = OUTCOMES.get(str(last.get("outcome")))
    return outcome if outcome and now - float(last["t"]) < SHOWN_FOR_S else None  # type: ignore[arg-type]


def decision_line(clock: Clock, record: dict[str, object]) -> str:
    """One decision of the log, at the time of day it happened (the log's own times are the monotonic clock)."""
    moment = clock.utc_at(float(record["t"])).astimezone().strftime("%H:%M:%S")  # type: ignore[arg-type]
    what = {"button-down": f"{record.get('button')} ↓", "button-up": f"{record.get('button')} ↑"}.get(
        str(record["event"]), str(record["event"]))
    return f"{moment} {what} → {record['outcome']}"
