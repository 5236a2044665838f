"""Plots and the self-contained bilingual HTML report of a run."""
