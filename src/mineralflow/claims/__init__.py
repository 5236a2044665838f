"""Quantitative claims in news text, Chinese and English: found, read and checked against a pack.

``check_text`` reads a text's figures (output, reserves, shares, prices, plans, ...) with the
rules of :mod:`.extract` and judges each against the pack with :mod:`.judge`;
``draft_scenario`` turns the plans into a scenario YAML.
"""

from mineralflow.claims.check import CheckedText, ClaimsInputError, check_text, read_text
from mineralflow.claims.claim import METRICS, VERDICTS, Claim, Reference
from mineralflow.claims.draft import draft_scenario, write_draft
from mineralflow.claims.extract import extract_claims

__all__ = [
    "METRICS",
    "VERDICTS",
    "CheckedText",
    "Claim",
    "ClaimsInputError",
    "Reference",
    "check_text",
    "draft_scenario",
    "extract_claims",
    "read_text",
    "write_draft",
]
