"""One result row per figure: what, ours, baseline, and which side is better by how much.

A figure measured in paired rounds (ours, baseline, ours, baseline, …: load and drift touch both alike)
shows its median and range; a figure measured once says so.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

RATES = ("/s", "MB/s")


@dataclass(frozen=True)
class Row:
    figure: str
    ours: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    higher_is_better: bool = False
    ours_range: tuple[float, float] | None = None
    baseline_range: tuple[float, float] | None = None
    rounds: int = 1

    @classmethod
    def paired(cls, figure: str, unit: str, rounds: Paired, baseline_name: str,
               higher_is_better: bool = False) -> Row:
        return cls(figure, statistics.median(rounds.ours), unit, statistics.median(rounds.baseline), baseline_name,
                   higher_is_better, (min(rounds.ours), max(rounds.ours)),
                   (min(rounds.baseline), max(rounds.baseline)), len(rounds.ours))

    @property
    def ratio(self) -> str:
        """How many times better or worse ours is than the baseline, in words."""
        if self.baseline is None or self.ours == 0 or self.baseline == 0:
            return ""
        better = (self.ours > self.baseline) == self.higher_is_better
        factor = max(self.ours, self.baseline) / min(self.ours, self.baseline)
        timed = self.unit.endswith(RATES) or self.unit in ("s", "ms", "µs") or self.unit.startswith("CPU")
        words = ("faster", "slower") if timed else ("better", "worse")
        return f"{factor:.2f}× {words[0] if better else words[1]}"


@dataclass(frozen=True)
class Paired:
    ours: list[float]
    baseline: list[float]


def paired_rounds(ours: Callable[[], float], baseline: Callable[[], float], rounds: int) -> Paired:
    """Measure alternately: ours, baseline, ours, baseline, … ``rounds`` times each."""
    measured = Paired([], [])
    for _ in range(rounds):
        measured.ours.append(ours())
        measured.baseline.append(baseline())
    return measured


def render(rows: list[Row]) -> str:
    header = ("figure", "ours", "baseline", "ours vs baseline")
    lines = [(r.figure, _value(r.ours, r.unit, r.ours_range, r.rounds), _baseline(r), r.ratio) for r in rows]
    widths = [max(len(str(c)) for c in column) for column in zip(header, *lines, strict=True)]
    fmt = " | ".join(f"{{:<{w}}}" for w in widths)
    out = [fmt.format(*header), "-+-".join("-" * w for w in widths)]
    out += [fmt.format(*line) for line in lines]
    return "\n".join(out)


def _value(value: float, unit: str, spread: tuple[float, float] | None, rounds: int) -> str:
    if spread is None:
        return f"{value:,.3g} {unit}" + (" (1 run)" if rounds == 1 else "")
    return f"{value:,.3g} {unit} ({spread[0]:,.3g}–{spread[1]:,.3g}, {rounds} rounds)"


def _baseline(row: Row) -> str:
    if row.baseline is None:
        return ""
    return f"{_value(row.baseline, row.unit, row.baseline_range, row.rounds)} {row.baseline_name}"
