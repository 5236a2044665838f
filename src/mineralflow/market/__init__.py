"""The yearly market equilibrium: calibration, the LP, and an exact QP for checking it."""
