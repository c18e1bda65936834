"""Render ``docs/config.md`` from the configuration schema (``make docs``)."""

from __future__ import annotations

import dataclasses
import json

from firmware.config import sections

INTRO = """# Configuration

The firmware reads one TOML file: `/etc/bodycam/config.toml` on the device, or the file given with
`--config`. Every key is optional; a missing key takes the default below. A wrong key, type or value
stops the firmware at start-up with exit status 2 and a message that names the file, line and key,
for example:

    /etc/bodycam/config.toml:7: buttons.hold_stop_s must be between 1 and 10, got 30.0

Times are seconds unless the key says otherwise; pins are BCM GPIO numbers.

This file is generated from `firmware/config.py` by `make docs`; a test fails when it is out of date.

Example:

```toml
[device]
language = "en"

[buttons]
hold_stop_s = 4.0

[prerecord]
stages = ["worn", "display"]
```
"""


def render() -> str:
    parts = [INTRO]
    for name, cls in sections():
        parts.append(f"\n## [{name}]\n\n| key | default | allowed | meaning |\n|---|---|---|---|\n")
        defaults = cls()
        for f in dataclasses.fields(cls):
            default = json.dumps(getattr(defaults, f.name))
            parts.append(f"| `{f.name}` | `{default}` | {_allowed(f)} | {f.metadata['doc']} |\n")
    return "".join(parts)


def _allowed(f: dataclasses.Field) -> str:
    meta = f.metadata
    if meta["choices"]:
        return ", ".join(f"`{c}`" for c in meta["choices"])
    if meta["low"] is not None:
        return f"{meta['low']} – {meta['high']}"
    return ""


if __name__ == "__main__":
    print(render(), end="")
