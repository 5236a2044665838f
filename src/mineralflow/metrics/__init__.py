"""Indicators computed from packs and results: shares, concentration, dependence."""
