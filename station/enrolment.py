"""The station's side of ``bodycam deploy --store``: the station key a camera needs for its receipts, and
the registry entry of the deployed camera, in the shape the fleet tools ask for (``fleet.deploy.Registry``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from station.registry import enrol
from station.store import Store


@dataclass(frozen=True)
class StoreRegistry:
    store: Store

    @property
    def station_pub_path(self) -> Path:
        return self.store.station_pub_path

    @property
    def station_ssh_pub_path(self) -> Path:
        return self.store.ssh_identity.with_suffix(".pub")

    def enrol(self, name: str, host: str, port: int, user: str, device_pub: str, host_keys: str,
              version: str) -> str:
        device = enrol(self.store, name, host, port, user, device_pub, host_keys, version)
        return f"enrolled as {device.name}, device key {device.key_id}, in {self.store.root}"


def open_registry(root: Path, database: str | None) -> StoreRegistry:
    return StoreRegistry(Store.open(root, database))
