"""The web application's database router never sends a store's related lookups to another store."""

from __future__ import annotations

from station.router import use_store
from station.store import Store
from tests.web import host_key


def test_a_related_object_comes_from_its_own_store_whatever_store_is_served(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from station.models import Device, OffloadRun
    from station.registry import enrol

    def pem() -> str:
        return ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    served, other = Store.init(tmp_path / "served"), Store.init(tmp_path / "other")
    enrol(served, "served-cam", "127.0.0.1", 22, "bodycam", pem(), host_key())
    mine = enrol(other, "other-cam", "127.0.0.1", 22, "bodycam", pem(), host_key())
    use_store(served.db.alias)
    run = other.db.query(OffloadRun).create(device=mine, started_at=mine.enrolled_at)
    fresh = other.db.query(OffloadRun).get(pk=run.pk)
    assert fresh.device.name == "other-cam"
    assert Device.objects.get().name == "served-cam"  # unqualified queries go to the served store
