"""One result row per figure: what, ours, baseline, ratio."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    figure: str
    ours: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""

    @property
    def ratio(self) -> str:
        if self.baseline is None or self.ours == 0:
            return ""
        if self.baseline >= self.ours:
            return f"{self.baseline / self.ours:.1f}×"
        return f"{self.ours / self.baseline:.2f}×"


def render(rows: list[Row]) -> str:
    header = ("figure", "ours", "baseline", "ratio")
    lines = [(r.figure, f"{r.ours:,.3g} {r.unit}", _baseline(r), r.ratio) for r in rows]
    widths = [max(len(str(c)) for c in column) for column in zip(header, *lines, strict=True)]
    fmt = " | ".join(f"{{:<{w}}}" for w in widths)
    out = [fmt.format(*header), "-+-".join("-" * w for w in widths)]
    out += [fmt.format(*line) for line in lines]
    return "\n".join(out)


def _baseline(row: Row) -> str:
    return "" if row.baseline is None else f"{row.baseline:,.3g} {row.unit} ({row.baseline_name})"
