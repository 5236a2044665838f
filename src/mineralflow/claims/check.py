"""Check a text: read its claims, judge each against a pack, mark claims that disagree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mineralflow.claims.claim import Claim
from mineralflow.claims.extract import extract_claims, language
from mineralflow.claims.judge import Judge, conflicts
from mineralflow.data.pack import Pack, bundled_packs, load_pack
from mineralflow.errors import MineralflowError
from mineralflow.files import InputFileError, read_file

#: largest article read (docs/reliability.md); a long report is about 200 KB of text
MAX_ARTICLE_BYTES = 4 * 1024 * 1024


class ClaimsInputError(MineralflowError):
    """The text to check cannot be read (missing, not text, empty)."""


@dataclass
class CheckedText:
    """The claims of one text, judged, with the date and language they were read in."""

    claims: list[Claim]
    date: date | None
    lang: str
    packs: list[str]  # the packs the claims were held against, one per commodity


def read_text(path: Path) -> str:
    """The text of a file as UTF-8 (a BOM is dropped); one clear message if it cannot be read."""
    try:
        data = read_file(path, "article", limit=MAX_ARTICLE_BYTES)
    except InputFileError as exc:
        raise ClaimsInputError(str(exc).removeprefix("article ")) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ClaimsInputError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the article as UTF-8 plain text"
        ) from None
    if "\x00" in text:
        raise ClaimsInputError(f"{path}: looks like a binary file; give a plain-text article")
    if not text.strip():
        raise ClaimsInputError(f"{path}: the file is empty")
    return text


def commodity_key(pack: Pack) -> str:
    """The word a claim's ``commodity`` uses for a pack's commodity: ``rare earths`` ->
    ``rare_earths``."""
    return pack.manifest.commodity.strip().lower().replace(" ", "_")


def check_text(
    text: str, packs: Pack | Sequence[Pack] | None = None, today: date | None = None
) -> CheckedText:
    """Every claim in ``text``, each judged against the pack of its commodity (default: every
    bundled pack). A claim whose commodity no pack covers stays unverifiable, saying so."""
    chosen = [packs] if isinstance(packs, Pack) else list(packs or [])
    chosen = chosen or [load_pack(name) for name in bundled_packs()]
    judges = {commodity_key(p): Judge(p) for p in chosen}
    claims, when = extract_claims(text, today)
    for claim in claims:
        judge = judges.get(claim.commodity)
        if judge is None:
            claim.note = f"no pack of {claim.commodity.replace('_', ' ')} was checked"
            if claim.kind == "plan":
                claim.verdict = "plan"  # plans are not judged, whatever their commodity
            continue
        judge.judge(claim)
    judged = [c for c in claims if c.commodity in judges]
    conflicts(judged, lambda c, reference: judges[c.commodity].tolerance(c, reference))
    position = {id(c): i for i, c in enumerate(claims)}
    for claim in judged:
        claim.conflicts = [position[id(judged[j])] for j in claim.conflicts]
    for claim in claims:
        if claim.conflicts:
            others = ", ".join(f"#{j} ({claims[j].number_text})" for j in claim.conflicts)
            claim.note = (claim.note + "; " if claim.note else "") + (
                f"disagrees with {others} in the same text"
            )
    return CheckedText(claims, when, language(text), [p.name for p in chosen])
