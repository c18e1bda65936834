"""Faithful stand-ins for hardware buses and Pi-only modules, installed into ``sys.modules`` by tests."""

from __future__ import annotations

import types


class RecordingSerial:
    """A luma serial interface that keeps every command and data byte sent to the panel."""

    def __init__(self) -> None:
        self.commands: list[tuple[int, ...]] = []
        self.data_bytes = bytearray()

    def command(self, *cmd: int) -> None:
        self.commands.append(cmd)

    def data(self, data) -> None:
        self.data_bytes.extend(data)

    def cleanup(self) -> None:
        pass


class FakeSMBus:
    """smbus2.SMBus with a register map; reads are big-endian register words as on the MAX17048."""

    def __init__(self, bus: int, registers: dict[int, int] | None = None, fail: bool = False) -> None:
        self.bus = bus
        self.registers = registers or {}
        self.fail = fail
        self.reads: list[tuple[int, int]] = []

    def read_i2c_block_data(self, address: int, register: int, length: int) -> list[int]:
        if self.fail:
            raise OSError(121, "Remote I/O error")
        self.reads.append((address, register))
        word = self.registers[register]
        return [word >> 8, word & 0xFF][:length]


def module(name: str, **attributes: object) -> types.ModuleType:
    mod = types.ModuleType(name)
    for key, value in attributes.items():
        setattr(mod, key, value)
    return mod
