"""Benchmarks (``make bench``): figures with a baseline measured in the same run."""

import os

os.environ.setdefault("BODYCAM_SECRET_KEY", "bench only: signs the bench's test-client sessions")
"""The benches' stores are made after Django read its settings, so the settings cannot take a store's secret."""
