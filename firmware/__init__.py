"""Composition root: configuration, wiring, the event loop and the ``bodycam`` command."""
