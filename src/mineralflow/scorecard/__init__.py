"""The validation scorecard: every published figure the packs hold, checked against the model.

``scorecard()`` runs the bundled baseline, the 2025 replay and the 2010-2011 hindcast and
returns one row per check; ``mineralflow validate`` prints it. A check the model fails stays
in the table with the reason recorded in ``reasons.csv``.
"""
