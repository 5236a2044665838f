"""Text as the reader sees it: simplified characters, ASCII digits and punctuation.

Normalising keeps every character where it was (one character in, one out), so a claim's
offset in the normalised text is its offset in the text the user gave, and quotes are cut
from the original. Traditional characters become simplified ones with OpenCC's ``t2s``
conversion (中國 -> 中国, 噸 -> 吨, 萬 -> 万); full-width forms (１２％, ，) become their ASCII
forms; curly quotes and apostrophes become straight ones; 「」 and 『』 become “ ”.
"""

from __future__ import annotations

import unicodedata
from functools import cache

import opencc

#: characters kept as they are although NFKC would change them: the Chinese comma, full stop
#: and enumeration comma carry clause structure the reader relies on
KEEP = set("，。、；：？！（）")
QUOTES = {"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "「": "“", "」": "”",
          "『": "“", "』": "”", "\u00a0": " ", "\u3000": " "}  # fmt: skip


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """``text`` in simplified characters, one character for one (OpenCC ``t2s``)."""
    converted = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    # a phrase changed length: convert character by character, which always keeps length
    return "".join(c if len(d := _converter().convert(c)) != 1 else d for c in text)


def _narrow(char: str) -> str:
    if char in KEEP:
        return char
    if char in QUOTES:
        return QUOTES[char]
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 else char


def normalise(text: str) -> str:
    """The text the reader reads: same length, same positions, simplified and narrowed."""
    return "".join(_narrow(c) for c in simplified(text))
