"""``--set section.key=value``: per-camera values on top of a fleet config, checked like the file itself.

Used by ``bodycam deploy`` (and so by the Ansible role, from the inventory) to give each camera its own
``device.id`` or a batch its own pins without one config file per camera.
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
import typing

from firmware.config import ConfigError, parse, sections


def apply(text: str, source: str, assignments: list[str]) -> str:
    """The config text with ``assignments`` applied, validated; unchanged (comments kept) without any."""
    parse(text, source)
    if not assignments:
        return text
    raw = tomllib.loads(text)
    for assignment in assignments:
        section, name, value = _assignment(assignment)
        raw.setdefault(section, {})[name] = value
    lines = [f"# {source} with " + " ".join(f"--set {a}" for a in assignments) + " (bodycam deploy)"]
    for section, values in raw.items():
        lines += ["", f"[{section}]", *(f"{key} = {_toml(value)}" for key, value in values.items())]
    merged = "\n".join(lines) + "\n"
    parse(merged, f"{source} with --set")
    return merged


def _assignment(assignment: str) -> tuple[str, str, object]:
    key, equals, text = assignment.partition("=")
    section, _, name = key.strip().partition(".")
    known = dict(sections())
    if not equals or section not in known:
        raise ConfigError(f"--set {assignment}: expected section.key=value with a section of "
                          f"{', '.join(known)}")
    fields = {f.name: f for f in dataclasses.fields(known[section])}
    if name not in fields:
        raise ConfigError(f"--set {assignment}: unknown key {section}.{name}; known in [{section}]: "
                          f"{', '.join(fields)}")
    if typing.get_type_hints(known[section])[name] is str:
        return section, name, text  # a string as typed: --set device.id=007 stays "007"
    try:
        return section, name, tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        raise ConfigError(f"--set {assignment}: {text!r} is not a TOML value (true, 12, 0.5, [20, 10])") from None


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value)  # a TOML basic string: JSON's escapes are TOML's
