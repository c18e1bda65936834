"""Hardware abstraction: small interfaces and the real adapters behind them.

Adapters import their hardware libraries lazily, so every module here imports on any laptop.
"""
