"""The evidence station: everything that runs off the camera.

Registry of enrolled cameras, verified offload, the append-only evidence store and its database,
holds and retention, quarantine, the signed custody log and pilot statistics. Nothing that arrives
from a camera becomes a path, a key or a decision without being checked (docs/trust.md).
"""
