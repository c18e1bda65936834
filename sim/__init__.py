"""The simulator: the same firmware on a laptop, with simulated hardware behind the hal interfaces."""
