"""Scripted scenarios: one step per line, ``TIME STEP [ARGS]``, ``#`` comments. See docs/simulator.md."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bodycam.errors import EXIT_USAGE, BodycamError

BUTTONS = ("display", "record")
SHORT_PRESS_S = 0.2
ARGUMENTS = {
    "press": "BUTTON",
    "hold": "BUTTON SECONDS",
    "battery": "PERCENT",
    "storage-full": "",
    "camera-fault": "",
    "camera-ok": "",
    "end": "",
}


class ScenarioError(BodycamError, ValueError):
    exit_code = EXIT_USAGE
    pass


@dataclass(frozen=True)
class Step:
    t: float
    kind: str
    button: str | None = None
    seconds: float = 0.0
    percent: float = 0.0
    line: int = 0


def load(path: Path) -> list[Step]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read scenario: {exc}") from None
    return parse(text, str(path))


def parse(text: str, source: str = "<scenario>") -> list[Step]:
    steps: list[Step] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        words = raw.split("#", 1)[0].split()
        if not words:
            continue
        where = f"{source}:{number}: "
        step = _step(words, number, where)
        if steps and step.t < steps[-1].t:
            raise ScenarioError(where + f"time {step.t:g} is before the previous step at {steps[-1].t:g}")
        if steps and steps[-1].kind == "end":
            raise ScenarioError(where + f"step after `end` (line {steps[-1].line})")
        steps.append(step)
    if not steps or steps[-1].kind != "end":
        raise ScenarioError(f"{source}: no `end` step; finish the scenario with e.g. `90 end`")
    return steps


def _number(word: str, what: str, where: str) -> float:
    try:
        value = float(word)
    except ValueError:
        raise ScenarioError(where + f"{what} must be a number, got {word!r}") from None
    if value < 0 or value != value or value == float("inf"):
        raise ScenarioError(where + f"{what} must be a non-negative number, got {word!r}")
    return value


def _step(words: list[str], number: int, where: str) -> Step:
    t = _number(words[0], "time", where)
    if len(words) < 2:
        raise ScenarioError(where + "missing step after the time")
    kind, args = words[1], words[2:]
    if kind not in ARGUMENTS:
        raise ScenarioError(where + f"unknown step {kind!r}; steps: {', '.join(ARGUMENTS)}")
    expected = ARGUMENTS[kind].split()
    if len(args) != len(expected):
        usage = f"{kind} {ARGUMENTS[kind]}".strip()
        raise ScenarioError(where + f"`{kind}` takes {len(expected)} argument(s): TIME {usage}")
    step = Step(t, kind, line=number)
    if kind in ("press", "hold"):
        if args[0] not in BUTTONS:
            raise ScenarioError(where + f"unknown button {args[0]!r}; buttons: {', '.join(BUTTONS)}")
        seconds = _number(args[1], "hold duration", where) if kind == "hold" else SHORT_PRESS_S
        step = Step(t, kind, button=args[0], seconds=seconds, line=number)
    elif kind == "battery":
        percent = _number(args[0], "battery percent", where)
        if percent > 100:
            raise ScenarioError(where + f"battery percent must be at most 100, got {args[0]!r}")
        step = Step(t, kind, percent=percent, line=number)
    return step
