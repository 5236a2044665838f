"""Check a text: read its claims, judge each against a pack, mark claims that disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mineralflow.claims.claim import Claim
from mineralflow.claims.extract import extract_claims, language
from mineralflow.claims.judge import Judge, conflicts
from mineralflow.data.pack import Pack, load_pack
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
    pack: str


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


def check_text(text: str, pack: Pack | None = None, today: date | None = None) -> CheckedText:
    """Every claim in ``text``, judged against ``pack`` (default: the rare-earth pack)."""
    pack = pack or load_pack("rare_earths")
    claims, when = extract_claims(text, today)
    judge = Judge(pack)
    for claim in claims:
        judge.judge(claim)
    conflicts(claims, judge.tolerance)
    for claim in claims:
        if claim.conflicts:
            others = ", ".join(f"#{j} ({claims[j].number_text})" for j in claim.conflicts)
            claim.note = (claim.note + "; " if claim.note else "") + (
                f"disagrees with {others} in the same text"
            )
    return CheckedText(claims, when, language(text), pack.name)
