"""Ensembles: a scenario run many times over the uncertain estimates of its packs.

:mod:`.inputs` reads what is uncertain (each pack's ``uncertainty.csv``) and draws factors,
:mod:`.members` turns one draw into packs and a run, :mod:`.runner` spreads the members over
worker processes, and :mod:`.summary` holds the ensemble and its quantiles.
"""

from mineralflow.uncertainty.inputs import UncertainInput, draw_factors, uncertain_inputs
from mineralflow.uncertainty.runner import run_ensemble
from mineralflow.uncertainty.summary import QUANTILES, Ensemble

__all__ = [
    "QUANTILES",
    "Ensemble",
    "UncertainInput",
    "draw_factors",
    "run_ensemble",
    "uncertain_inputs",
]
