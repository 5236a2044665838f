"""Ensembles in the results store: saved once, served again for the same inputs.

An ensemble is a run of kind ``ensemble`` whose id hashes the scenario's run id (scenario,
packs, code, seed) with the method, the draws asked for and the ensemble's seed.  Its
``results.parquet`` holds the quantiles in IAMC form (``...|p05``), so that SQL over the
store (:meth:`ResultsStore.query`) reads them beside single runs; further files hold the run
with the packs' own estimates, each member's draw, the members' headline series and, for a
Sobol or Morris design, the indices of the headline values.  Members' other values are not
kept: what is read back gives the quantiles, the headline, the indices, paired changes of
the headline values and the report.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd

from mineralflow.errors import MineralflowError
from mineralflow.iamc import from_iamc
from mineralflow.scenario.execute import RunResult
from mineralflow.scenario.model import Scenario
from mineralflow.store import ID_LENGTH, Extra, ResultsStore, run_key
from mineralflow.uncertainty.inputs import UncertainInput
from mineralflow.uncertainty.members import KEY
from mineralflow.uncertainty.report import headline_rows
from mineralflow.uncertainty.summary import QUANTILES, Ensemble

CENTRAL, DRAWS, INDICES = "central.parquet", "draws.parquet", "sensitivity.parquet"
MEMBERS = "members.parquet"


def ensemble_key(scenario: Scenario, method: str, draws: int, seed: int) -> tuple[str, str]:
    """(id, pack hash) of an ensemble: equal ids mean equal ensembles."""
    run_id, packs = run_key(scenario)
    text = json.dumps([run_id, "ensemble", method, draws, seed])
    return hashlib.sha256(text.encode()).hexdigest()[:ID_LENGTH], packs


def _draws(ensemble: Ensemble) -> pd.DataFrame:
    frame = ensemble.draws_frame()
    for j, item in enumerate(ensemble.inputs):
        frame[f"unit:{item.name}"] = ensemble.unit[:, j]
    return frame.assign(solver_seconds=ensemble.solver_seconds)


def _members(ensemble: Ensemble, positions: np.ndarray) -> pd.DataFrame:
    """The solved members' values at ``positions``, long: draw, the value's key, value."""
    keys = ensemble.index[positions].to_frame(index=False)
    solved = np.flatnonzero(ensemble.solved)
    values = ensemble.results[np.ix_(solved, positions)]
    frame = pd.concat([keys] * len(solved), ignore_index=True)
    return frame.assign(draw=np.repeat(solved, len(positions)), value=values.reshape(-1))


def _members_back(frame: pd.DataFrame, index: pd.MultiIndex) -> pd.DataFrame:
    """The stored members' values, one column per position of ``index``, a row per draw."""
    keys = index.to_frame(index=False).reset_index().rename(columns={"index": "pos"})
    text = {c: object for c in KEY if c != "year"}
    placed = frame.astype(text).merge(keys.astype(text), on=KEY, how="inner")
    return placed.pivot_table(index="draw", columns="pos", values="value", aggfunc="first")


def save_ensemble(store: ResultsStore, scenario: Scenario, ensemble: Ensemble, draws: int) -> str:
    """Record ``ensemble`` (of ``scenario``, asked for ``draws`` members); its id."""
    central = ensemble.central_run
    if central is None:
        raise MineralflowError("an ensemble is recorded with the run of the packs' own estimates")
    years = sorted({int(y) for y in ensemble.index.get_level_values("year")})
    headline = headline_rows(ensemble.index, years)
    files = {CENTRAL: central.frame, DRAWS: _draws(ensemble), MEMBERS: _members(ensemble, headline)}
    if ensemble.method != "mc":
        files[INDICES] = ensemble.sensitivity(headline)
    details = {
        "method": ensemble.method, "draws": draws, "members": ensemble.draws,
        "seed": ensemble.seed, "members_seconds": ensemble.wall_seconds,
        "inputs": [vars(item) for item in ensemble.inputs],
    }  # fmt: skip
    key = ensemble_key(scenario, ensemble.method, draws, ensemble.seed)
    extra = Extra("ensemble", files, details)
    return store.save(scenario, key, ensemble.iamc(), ensemble.wall_seconds,
                      central.tables.names, extra)  # fmt: skip


def _quantiles(frame: pd.DataFrame, index: pd.MultiIndex) -> pd.DataFrame:
    """The IAMC quantile rows back as one column per percentile, in ``index``'s order."""
    split = frame["variable"].str.rsplit("|", n=1)
    wide = frame.assign(variable=split.str[0], q=split.str[1]).pivot_table(
        index=KEY, columns="q", values="value", aggfunc="first"
    )
    return wide.reindex(index)[[f"p{p:02d}" for p in QUANTILES]]


def load_ensemble(store: ResultsStore, run_id: str, scenario: Scenario) -> Ensemble:
    """The stored ensemble ``run_id`` of ``scenario``, without its members' own values."""
    details = store.details(run_id)
    central_frame, names = store.file(run_id, CENTRAL), store.file(run_id, "names.parquet")
    # text as a run has it (Parquet may read it back as pandas' string type)
    central_frame = central_frame.astype({c: object for c in KEY if c != "year"})
    central = RunResult(scenario, from_iamc(central_frame, names), from_store=True,
                        run_id=run_id, iamc=central_frame)  # fmt: skip
    values = central_frame.set_index(KEY)["value"]
    index = pd.MultiIndex.from_frame(values.index.to_frame(index=False))
    inputs = [UncertainInput(**item) for item in details["inputs"]]
    draws = store.file(run_id, DRAWS)
    names_of = [item.name for item in inputs]
    failed = {int(d): str(r) for d, r, ok in zip(draws["draw"], draws["reason"], draws["solved"],
                                                strict=True) if not ok}  # fmt: skip
    indices = store.file(run_id, INDICES) if details["method"] != "mc" else None
    return Ensemble(
        scenario.name, str(details["method"]), int(details["seed"]), inputs,
        draws[[f"unit:{n}" for n in names_of]].to_numpy(float), draws[names_of].to_numpy(float),
        index, np.empty((len(draws), 0)), values.to_numpy(float), failed,
        draws["solver_seconds"].to_numpy(float), float(details["members_seconds"]), central,
        _quantiles(store.results(run_id), index), indices,
        _members_back(store.file(run_id, MEMBERS), index),
    )  # fmt: skip
