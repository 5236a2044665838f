"""Numbers with their units, in Chinese and English text, normalised to base units.

Tonnes become ``t``, money its ISO currency code (``USD``, ``RUB``, ``CNY``, ``EUR``), shares
``%``, multiples (翻一番, doubling) ``x`` and ranks ``rank``.  Chinese numerals (一千万, 两千六百)
go through cn2an; the multipliers 万 and 亿, "million" and "bn" are applied here.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

import cn2an

_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
CN_NUM = rf"[{_CN_DIGITS}]*[一二两三四五六七八九十][{_CN_DIGITS}点]*"
AR_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
NUM = rf"(?:{AR_NUM}|{CN_NUM})"

ZH_MULT = {"万亿": 1e12, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4, "千": 1e3}
EN_MULT = {
    "trillion": 1e12, "billion": 1e9, "bn": 1e9, "million": 1e6, "mn": 1e6, "m": 1e6,
    "thousand": 1e3, "k": 1e3, "b": 1e9, "crore": 1e7, "lakh": 1e5,
}  # fmt: skip

# unit word -> (base unit, factor to the base unit)
ZH_UNITS = {
    "公吨": ("t", 1.0), "吨": ("t", 1.0), "千克": ("t", 1e-3), "公斤": ("t", 1e-3),
    "美元": ("USD", 1.0), "卢布": ("RUB", 1.0), "人民币": ("CNY", 1.0), "元": ("CNY", 1.0),
    "欧元": ("EUR", 1.0), "日元": ("JPY", 1.0),
}  # fmt: skip
EN_UNITS = {
    "metric tons": ("t", 1.0), "metric tonnes": ("t", 1.0), "tonnes": ("t", 1.0),
    "tons": ("t", 1.0), "tonne": ("t", 1.0), "ton": ("t", 1.0), "t": ("t", 1.0),
    "kt": ("t", 1e3), "Mt": ("t", 1e6), "kilograms": ("t", 1e-3), "kg": ("t", 1e-3),
    "dollars": ("USD", 1.0), "rubles": ("RUB", 1.0), "roubles": ("RUB", 1.0),
    "yuan": ("CNY", 1.0), "euros": ("EUR", 1.0),
}  # fmt: skip
CURRENCY_PREFIX = {
    "US$": "USD", "$": "USD", "USD": "USD", "RUB": "RUB", "Rub": "RUB", "CNY": "CNY",
    "€": "EUR", "EUR": "EUR", "¥": "CNY", "RMB": "CNY", "A$": "AUD", "AUD": "AUD", "C$": "CAD",
    "CAD": "CAD", "£": "GBP", "GBP": "GBP", "Rs": "INR", "Rs.": "INR", "₹": "INR",
    "INR": "INR",
}  # fmt: skip

PER_KG = r"\s*(?:/\s*(?:kg|公斤|千克)|per (?:kilogram|kg)|a (?:kilogram|kg)|每(?:公斤|千克))"
PER_T = r"\s*(?:/\s*(?:t|吨|tonne)|per (?:tonne|ton|t)\b|a tonne|每吨)"

ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip
ORD = r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th))"
WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "seventeen": 17, "twenty": 20,
}  # fmt: skip
_NUMERATORS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
               "seven": 7, "eight": 8, "nine": 9}  # fmt: skip
_DENOMINATORS = {"third": 3, "quarter": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
                 "ninth": 9, "tenth": 10}  # fmt: skip
#: fractions written as words (三分之二, "two-thirds", 一半, "half of"), in per cent
FRACTION_WORDS = {
    "half": 50.0, "a third": 100 / 3, "one third": 100 / 3, "one-third": 100 / 3,
    "two-thirds": 200 / 3, "two thirds": 200 / 3, "a quarter": 25.0, "one quarter": 25.0,
    "one-quarter": 25.0, "three-quarters": 75.0, "three quarters": 75.0, "一半": 50.0,
    "半数": 50.0, "过半": 50.0, "近半": 50.0, "逾半": 50.0,
}  # fmt: skip
#: ranks written as words: 首位 and 居首 are first place, 居次 second
RANK_WORDS = {"首位": 1.0, "居首": 1.0, "榜首": 1.0, "第一位": 1.0, "居次": 2.0}
MULTIPLE_WORDS = {
    "翻两番": 4.0, "翻一番": 2.0, "翻番": 2.0, "翻倍": 2.0, "增加一倍": 2.0, "增长一倍": 2.0,
    "翻了两番": 4.0, "翻了一番": 2.0, "翻了一倍": 2.0, "倍增": 2.0, "增长了一倍": 2.0,
    "增加了一倍": 2.0,
    "double": 2.0, "doubles": 2.0, "doubled": 2.0, "doubling": 2.0, "triple": 3.0,
    "triples": 3.0, "tripled": 3.0, "tripling": 3.0, "quadruple": 4.0, "quadruples": 4.0,
    "quadrupled": 4.0, "quadrupling": 4.0,
}  # fmt: skip


@dataclass(frozen=True)
class Quantity:
    """A number found in text: where it is, its value range in base units, and its unit.

    ``low == high`` for a point value; a range (4.5万至5万吨, "20-30 %", 第四或第五) has both.
    ``exact`` is the part of the text that was read.
    """

    start: int
    end: int
    low: float
    high: float
    unit: str
    text: str

    @property
    def value(self) -> float:
        return self.low if self.low == self.high else (self.low + self.high) / 2


def to_number(token: str) -> float:
    """An Arabic (``270,000``, ``4.5``) or Chinese (``一千万``, ``两千六百``) numeral as a float."""
    token = token.strip()
    if token == "百":  # 百分之百
        return 100.0
    if re.fullmatch(AR_NUM, token):
        return float(token.replace(",", ""))
    if token.lower() in WORDS:
        return float(WORDS[token.lower()])
    if token in ORDINALS:
        return float(ORDINALS[token])
    if re.fullmatch(r"\d+(?:st|nd|rd|th)", token):
        return float(token[:-2])
    return float(cn2an.cn2an(token, "smart"))


def _mult(word: str | None) -> float:
    if not word:
        return 1.0
    return ZH_MULT.get(word) or EN_MULT.get(word.lower(), 1.0)


_ZH_MULT = "|".join(sorted(ZH_MULT, key=len, reverse=True))
_EN_MULT = r"trillion|billion|bn|million|mn|thousand|crore|lakh|[mM]\b|k\b|B\b"
_ZH_UNIT = "|".join(sorted(ZH_UNITS, key=len, reverse=True))
_EN_UNIT = "|".join(re.escape(u) for u in sorted(EN_UNITS, key=len, reverse=True))
_EN_WORDS = r"two|three|four|five|six|seven|eight|nine|ten"
_EN_COUNT_WORDS = rf"{_EN_WORDS}|eleven|twelve|fifteen|seventeen|twenty"
#: what a count counts: 七类, 6项, 五种, 300多个; "17 rare earth elements", "50 companies"
_ZH_COUNTER = r"种|类|项|家|座|个(?=国家|矿|项目|企业|公司|工厂|园区)"
_EN_COUNTED = (
    r"(?:(?:rare[- ]earth|critical|heavy|light|medium|strategic|new|Chinese|American|US|"
    r"foreign|processing|mining|more|other|further|additional|and|or)\s+)*"
    r"(?:elements|minerals|metals|companies|firms|mines|"
    r"plants|refineries|smelters|projects|items|products|countries|technologies|entities"
    r"|rare[- ]earths)\b"
)
_RANGE = r"\s*(?:-|–|—|~|～|至|到|to)\s*"
# "between 3 and 4 million": "and" joins a range only after "between" (else it joins a list:
# "9,000 tonnes by 2028 and 15,000 tonnes", "9% and 6% respectively")
_BETWEEN = r"(?P<btw>\bbetween\s+)?"
_RANGE_EN = r"\s*(?:-|–|—|~|～|至|到|(?(fr)(?!)|to)|(?(btw)and|(?!)))\s*"
# "from 75% to 48%" is a change from one figure to another, not a range
_FROM = r"(?P<fr>(?<=\bfrom\s))?+"

PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # 百分之六十
    ("pct_zh", re.compile(rf"百分之(?P<a>{NUM}|百)(?:(?:至|到|-)百分之(?P<b>{NUM}|百))?")),
    # 20-30%, 11.5%, 70 per cent
    (
        "pct",
        re.compile(
            rf"{_BETWEEN}{_FROM}(?P<a>{AR_NUM}|\b(?:{_EN_WORDS}))(?:\s*%?{_RANGE_EN}(?P<b>{AR_NUM}))?"
            r"\s*(?:%|％|per ?cent\b|pc\b)"
        ),
    ),
    # $110/kg, US$1.5 billion, Rub 100 bn
    (
        "cur_prefix",
        re.compile(
            rf"{_BETWEEN}{_FROM}(?P<cur>US\$|A\$|C\$|\$|€|¥|£|₹|\bUSD|\bRUB|\bRub|\bCNY|\bRMB|\bEUR"
            rf"|\bAUD|\bCAD|\bGBP|\bINR|\bRs\.?)\s?(?P<a>{AR_NUM})"
            rf"(?:\s?(?P<m>{_EN_MULT}))?(?:{_RANGE_EN}(?:US\$|\$|€)?(?P<b>{AR_NUM})"
            rf"(?:\s?(?P<m2>{_EN_MULT}))?)?(?P<per>{PER_KG}|{PER_T})?"
        ),
    ),
    # 每公斤55美元
    (
        "zh_per_kg",
        re.compile(
            rf"每(?P<per>公斤|千克|吨)\s*(?:约|约为|为)?\s*(?P<a>{NUM})\s*(?P<m>{_ZH_MULT})?"
            rf"\s*(?P<u>美元|元|人民币)"
        ),
    ),
    # 三分之二, 一半, two-thirds, half of
    (
        "fraction",
        re.compile(
            r"(?P<d>[二三四五六七八九十])分之(?P<n>[一二三四五六七八九])|一半|半数|过半|近半|逾半"
            r"|(?<![\w-])(?P<en>(?:a|an|one|two|three|four|five|six|seven|eight|nine)[- ]"
            r"(?:thirds?|quarters?|fifths?|sixths?|sevenths?|eighths?|ninths?|tenths?))\b"
            r"|(?<!first )(?<!second )\bhalf(?= of\b| the\b| its\b| their\b)"
            r"|(?<=\bby )half\b|(?<=\bby more than )half\b|(?<=\bby nearly )half\b"
            r"|(?<=\bby almost )half\b"
        ),
    ),
    # 七成, 九成以上
    ("tenths", re.compile(r"(?P<a>[一二两三四五六七八九]|\d)成(?!本|为|立|功|交|品)")),
    # 27万吨, 4.5万至5万吨, 1000亿卢布, 60美元/公斤
    (
        "zh",
        re.compile(
            rf"(?P<a>{NUM})\s*(?P<more>多|余)?(?P<m>{_ZH_MULT})?(?P<r>(?<=[万亿])\d{{1,4}}[千百]?)?"
            rf"(?:(?:{_ZH_UNIT})?{_RANGE}(?P<b>{NUM})\s*(?P<m2>{_ZH_MULT})?)?"
            rf"\s*(?:多|余)?(?P<u>{_ZH_UNIT})(?P<per>{PER_KG}|{PER_T})?"
        ),
    ),
    # 270,000 tonnes, 2.5 million tons, 50 kt, 100 billion roubles
    (
        "en",
        re.compile(
            rf"{_BETWEEN}{_FROM}(?<![\w.])"
            rf"(?P<a>{AR_NUM}|(?i:{_EN_WORDS})(?= (?:million|billion)\b))"
            rf"(?:\s?(?P<m>{_EN_MULT}))?(?:{_RANGE_EN}(?P<b>{AR_NUM})"
            rf"(?:\s?(?P<m2>{_EN_MULT}))?)?\s?(?:(?:metric )?(?:tonnes|tons) of |of )?"
            rf"(?P<u>{_EN_UNIT})(?![A-Za-z])(?P<per>{PER_KG}|{PER_T})?"
        ),
    ),
    # a 45-million-tonne ceiling
    (
        "en_hyphen",
        re.compile(
            rf"(?<![\w.])(?P<a>{AR_NUM})-(?P<m>million|billion|thousand)-(?P<u>tonne|ton)s?\b"
        ),
    ),
    # 4.2 million and 3.9 million tonnes, 3698、7634.4万吨: a number that shares the unit of
    # the next one in a list
    (
        "list",
        re.compile(
            rf"{_FROM}(?<![A-Za-z0-9_.])(?P<a>{AR_NUM})(?:\s?(?P<m>{_EN_MULT}|{_ZH_MULT}))?"
            # "5,000, 3,000 and 2,000 tonnes": numbers between it and the one with the unit
            rf"(?=(?:\s*(?:,|、|和|与|及)\s*(?:{AR_NUM})(?:\s?(?:{_EN_MULT}|{_ZH_MULT}))?(?=\s*(?:,|、|和|与|及|\band\b)))*"
            rf"\s*(?:,|、|和|与|及|\band\b|(?(fr)\bto\b|(?!)))\s*(?:{AR_NUM})\s?(?P<m2>{_EN_MULT}|{_ZH_MULT})?"
            rf"\s?(?:(?P<u>{_ZH_UNIT})|(?:metric )?(?P<ue>{_EN_UNIT})(?![A-Za-z])))"
        ),
    ),
    # 第四或第五, 世界第四大
    (
        "rank_zh",
        re.compile(
            rf"第(?P<a>{CN_NUM}|\d+)(?:(?:或|至|到|-)第?(?P<b>{CN_NUM}|\d+))?"
            r"(?=位|大|名|的|,|，|。|;|；|$)"
        ),
    ),
    (
        "rank_en",
        re.compile(
            rf"\b(?:the )?(?P<a>{ORD})(?:\s+or\s+(?P<b>{ORD}))?[- ](?:largest|biggest|"
            rf"greatest|highest)\b|\branks? (?P<c>{ORD})(?:\s+or\s+(?P<d>{ORD}))?\b"
        ),
    ),
    (
        "rank_place",
        re.compile(
            rf"\b(?P<a>{ORD})(?=(?:\s+(?:and|or)\s+{ORD})?\s+(?:place|position|spot)\b)"
            rf"|\b(?P<c>{ORD})(?=\s+(?:place|position|spot)\b)"
            rf"|(?<=\band )(?P<e>{ORD})(?=\s+(?:place|position|spot)\b)"
            rf"|\b(?:ranked|ranking|came|comes|placed|stood|stands)\s+(?P<f>{ORD})\b"
        ),
    ),
    # "the world's largest producer", 最大的生产国: a rank only where it ranks a producer,
    # holder, supplier or market (not "the biggest owner", 最大变数)
    (
        "rank_top",
        re.compile(
            r"\bthe (?:world's )?(?:largest|biggest)\b(?=(?:\s+[\w-]+){0,3}?\s+(?:producers?|"
            r"suppliers?|exporters?|importers?|consumers?|miners?|holders?|markets?|sources?|"
            r"refiners?|smelters?|makers?|deposits?|reserves|processors?)\b)"
            r"|最大(?=的?(?:[\u4e00-\u9fff]{0,4})(?:生产国|产国|供应国|出口国|进口国|消费国|产地|来源|"
            r"供应商|市场|生产商|矿|储量|资源国|冶炼国))"
        ),
    ),
    ("rank_word", re.compile("|".join(RANK_WORDS))),
    # "among the top five producers", 前五大: at worst that rank (an upper bound)
    (
        "rank_top_n",
        re.compile(
            rf"\btop (?P<a>\d+|{_EN_WORDS})\b(?! (?:per ?cent|%|tonnes|tons))"
            r"|前(?P<b>[二三四五六七八九十])(?:大|名|位)"
        ),
    ),
    # 七类, 300多个, "17 rare earth elements"
    (
        "count",
        re.compile(
            rf"(?P<a>\d+|[{_CN_DIGITS}]+)(?P<more>多)?\s*(?:{_ZH_COUNTER})(?![\u4e00-\u9fff]?年)"
            rf"|\b(?P<c>\d+|{_EN_COUNT_WORDS})\s+{_EN_COUNTED}"
        ),
    ),
    # 翻一番, doubling, 3倍, three-fold
    (
        "multiple",
        re.compile(
            r"翻了两番|翻了一番|翻了一倍|增长了一倍|增加了一倍|倍增|"
            r"翻两番|翻一番|翻番|翻倍|增加一倍|增长一倍|\b(?:double[sd]?|doubling|triple[sd]?|"
            r"tripling|quadruple[sd]?|quadrupling)\b"
            rf"|(?:(?P<b>{NUM})\s*(?:至|到|-)\s*)?(?P<a>{NUM})\s*倍"
            rf"|(?:\b(?P<d>{AR_NUM}|{_EN_WORDS})\s*(?:to|-|–)\s*)?"
            rf"\b(?P<c>{AR_NUM}|{_EN_WORDS})[- ]?(?:fold|times)\b"
        ),
    ),
    # 20年 as a duration (落后中国20年), not a calendar year
    (
        "years",
        re.compile(
            rf"(?<!\d)(?P<a>\d{{1,2}}|{CN_NUM})\s*(?:多)?年(?!代|底|初)|(?P<c>\d{{1,2}}) years\b"
        ),
    ),
]


def _base_unit(kind: str, match: re.Match[str]) -> tuple[str, float]:
    groups = match.groupdict()
    per = groups.get("per")
    if kind == "cur_prefix":
        unit = CURRENCY_PREFIX[groups["cur"]]
        factor = 1.0
    elif kind == "zh":
        unit, factor = ZH_UNITS[groups["u"]]
    else:
        unit, factor = EN_UNITS.get(groups["u"], EN_UNITS.get(groups["u"].lower(), ("t", 1.0)))
    if per and unit != "t":
        per_kg = re.match(PER_KG, per) is not None
        return (f"{unit}/kg", 1.0) if per_kg else (f"{unit}/kg", 1e-3)
    return unit, factor


def _ends_year(text: str, match: re.Match[str]) -> bool:
    """A four-digit year before 年 (2028年) or a bare year is a date, not a quantity."""
    token = match.group("a") or ""
    return bool(re.fullmatch(r"(19|20)\d\d", token))


#: a run of digits or Chinese numerals this long is no quantity (a serial number, a hash, a
#: pasted table cell); it is masked before matching so that no pattern backtracks through it
MAX_NUMBER_CHARS = 40
_LONG_NUMBER = re.compile(rf"[\d,.]{{{MAX_NUMBER_CHARS},}}|[{_CN_DIGITS}点]{{{MAX_NUMBER_CHARS},}}")


#: for each pattern, words of which every match holds at least one: a sentence without any
#: of them is not scanned by that pattern (same matches, far fewer scans)
_NEEDS: dict[str, tuple[str, ...]] = {
    "pct_zh": ("百分之",),
    "pct": ("%", "％", "per", "pc"),
    "cur_prefix": (
        "$",
        "€",
        "¥",
        "£",
        "₹",
        "USD",
        "RUB",
        "Rub",
        "CNY",
        "RMB",
        "EUR",
        "GBP",
        "INR",
        "Rs",
    ),
    "zh_per_kg": ("每",),
    "tenths": ("成",),
    "rank_zh": ("第",),
    "rank_en": ("largest", "biggest", "greatest", "highest", "rank"),
    "rank_top": ("the ", "最大"),
    "rank_place": ("place", "position", "spot", "rank", "came", "comes", "stood", "stands"),
    "rank_word": tuple(RANK_WORDS),
    "rank_top_n": ("top", "前"),
    "fraction": (
        "分之",
        "半",
        "third",
        "quarter",
        "half",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
    ),
    "multiple": ("翻", "倍", "doubl", "tripl", "quadrupl", "fold", "times"),
    "years": ("年", " years"),
}


def find_quantities(text: str) -> list[Quantity]:
    """Every quantity in ``text``, left to right, without overlaps (the first pattern wins).

    Taken spans are kept sorted, so each match is checked against its neighbours only and the
    time grows linearly with the number of matches.
    """
    masked = _LONG_NUMBER.sub(lambda m: "#" * len(m.group(0)), text)
    found: list[Quantity] = []
    starts: list[int] = []
    ends: list[int] = []
    for kind, pattern in PATTERNS:
        needed = _NEEDS.get(kind)
        if needed is not None and not any(word in masked for word in needed):
            continue  # the pattern cannot match: every alternative holds one of these words
        for match in pattern.finditer(masked):
            s, e = match.span()
            at = bisect.bisect_left(starts, e)  # spans starting before this one ends
            if at > 0 and ends[at - 1] > s:  # the latest of them reaches into it
                continue
            quantity = _read(kind, match, masked)
            if quantity is None:
                continue
            found.append(quantity)
            starts.insert(at, s)
            ends.insert(at, e)
    return _per_unit_lists(sorted(found, key=lambda q: q.start), masked)


#: what joins two numbers of one list or of a change (从每吨40万元上涨至60万元, "to")
_LIST_JOIN = re.compile(
    r"\s*(?:和|与|及|、|,|，|and|to|至|到|(?:上涨|下跌|上升|下降|回落|升|降|涨|跌|增|减)至)\s*"
)


def _per_unit_lists(found: list[Quantity], text: str) -> list[Quantity]:
    """每公斤230美元和850美元: a sum of money listed right after a price per kg or per tonne in
    the same currency is a price per kg or per tonne too."""
    out = list(found)
    for i in range(1, len(out)):
        before, q = out[i - 1], out[i]
        per = before.unit.partition("/")[2]
        if (
            per
            and q.unit == before.unit.partition("/")[0]
            and _LIST_JOIN.fullmatch(text[before.end : q.start])
        ):
            # a price per tonne is held per kg: the listed sum is scaled as its neighbour was
            scale = 1e-3 if re.search(PER_T, before.text) else 1.0
            out[i] = Quantity(
                q.start, q.end, q.low * scale, q.high * scale, f"{q.unit}/{per}", q.text
            )
    return out


def _quantity(match: re.Match[str], low: float, high: float, unit: str) -> Quantity:
    s, e = match.span()
    return Quantity(s, e, min(low, high), max(low, high), unit, match.group(0))


def _read_percent(kind: str, match: re.Match[str], text: str) -> Quantity | None:
    g = match.groupdict()
    low = to_number(g["a"])
    return _quantity(match, low, to_number(g["b"]) if g.get("b") else low, "%")


def _read_amount(kind: str, match: re.Match[str], text: str) -> Quantity | None:
    """Tonnes or money, with multipliers (万, million) and ranges (4.5至5万吨)."""
    g = match.groupdict()
    if kind in ("zh", "en") and _ends_year(text, match) and not g.get("m"):
        return None
    unit, factor = _base_unit(kind, match)
    m2 = g.get("m2") or g.get("m")
    low = (to_number(g["a"]) * _mult(g.get("m")) + _remainder(g)) * factor
    high = low
    if g.get("b"):
        # 4.5至5万吨: a bare first number takes the multiplier of the second
        first_mult = _mult(g.get("m")) if g.get("m") else _mult(m2)
        low = to_number(g["a"]) * first_mult * factor
        high = to_number(g["b"]) * _mult(m2) * factor
    return _quantity(match, low, high, unit)


def _remainder(g: dict[str, str | None]) -> float:
    """6万2585吨: the digits written after 万 or 亿."""
    r = g.get("r")
    if not r:
        return 0.0
    scale = {"千": 1e3, "百": 1e2}.get(r[-1], 1.0)  # 2万2千吨: 22,000 t
    digits = float(r.rstrip("千百")) * scale
    return digits * (_mult(g.get("m")) / 1e4 if g.get("m") == "亿" else 1.0)


def _read_listed(kind: str, match: re.Match[str], text: str) -> Quantity | None:
    """A number in a list that takes its unit (and, if it has none, its multiplier) from the
    next number: "4.2 million and 3.9 million tonnes", 3698、7634.4万吨."""
    g = match.groupdict()
    if _ends_year(text, match) and not g.get("m"):
        return None
    word = g.get("u") or g.get("ue") or ""
    unit, factor = (
        ZH_UNITS.get(word) or EN_UNITS.get(word) or EN_UNITS.get(word.lower(), ("t", 1.0))
    )
    value = to_number(g["a"]) * _mult(g.get("m") or g.get("m2")) * factor
    return _quantity(match, value, value, unit)


def _read_per_kg(kind: str, match: re.Match[str], text: str) -> Quantity | None:
    g = match.groupdict()
    value = to_number(g["a"]) * _mult(g.get("m"))
    value *= 1e-3 if g.get("per") == "吨" else 1.0  # held per kg
    return _quantity(match, value, value, f"{ZH_UNITS[g['u']][0]}/kg")


def _read_tenths(kind: str, match: re.Match[str], text: str) -> Quantity | None:
    value = 10 * to_number(match.groupdict()["a"])
    return _quantity(match, value, value, "%")


def _read_rank(kind: str, match: re.Match[str], text: str) -> Quantity | None:
    g = match.groupdict()
    a = g.get("a") or g.get("c") or g.get("e") or g.get("f")
    b = g.get("b") or g.get("d")
    low = to_number(str(a))
    if not 1 <= low <= 50:
        return None
    return _quantity(match, low, to_number(str(b)) if b else low, "rank")


def _read_rank_word(kind: str, match: re.Match[str], text: str) -> Quantity | None:
    if re.search(r"各[\u4e00-\u9fff]{1,3}$", text[max(0, match.start() - 4) : match.start()]):
        return None  # 居各季度首位: first among the quarters, not among countries
    value = RANK_WORDS[match.group(0)]
    return _quantity(match, value, value, "rank")


def _read_fraction(kind: str, match: re.Match[str], text: str) -> Quantity | None:
    g = match.groupdict()
    if g.get("d"):
        value = 100 * to_number(g["n"]) / to_number(g["d"])
    elif g.get("en"):  # "two-fifths", "an eighth": numerator and denominator in words
        top, bottom = re.split(r"[- ]", g["en"].lower(), maxsplit=1)
        value = 100 * _NUMERATORS[top] / _DENOMINATORS[bottom.rstrip("s")]
    else:
        value = FRACTION_WORDS[match.group(0).lower()]
    return _quantity(match, value, value, "%")


def _read_count(kind: str, match: re.Match[str], text: str) -> Quantity | None:
    """A number of things (七类, 300多个, "17 elements"): 2 or more, so 一个 is no count."""
    g = match.groupdict()
    value = to_number(str(g.get("a") or g.get("c")))
    if value < 2 or re.fullmatch(r"(19|20)\d\d", str(g.get("a") or g.get("c"))):
        return None
    return _quantity(match, value, value, "count")


def _read_top(kind: str, match: re.Match[str], text: str) -> Quantity | None:
    return _quantity(match, 1.0, 1.0, "rank")


def _read_top_n(kind: str, match: re.Match[str], text: str) -> Quantity | None:
    """ "the top five": ranks one to five, read as at most fifth (extract sets the bound)."""
    g = match.groupdict()
    worst = to_number(g.get("a") or g.get("b") or "")
    return _quantity(match, 1.0, worst, "rank")


def _read_multiple(kind: str, match: re.Match[str], text: str) -> Quantity | None:
    g = match.groupdict()
    word = match.group(0).strip()
    if word in MULTIPLE_WORDS or word.lower() in MULTIPLE_WORDS:
        value = MULTIPLE_WORDS.get(word, MULTIPLE_WORDS.get(word.lower(), 2.0))
    else:
        value = to_number(str(g.get("a") or g.get("c")))
    first = g.get("b") or g.get("d")  # 三到五倍, "three to five times"
    return _quantity(match, to_number(first) if first else value, value, "x")


def _read_years(kind: str, match: re.Match[str], text: str) -> Quantity | None:
    g = match.groupdict()
    value = to_number(str(g.get("a") or g.get("c")))
    return _quantity(match, value, value, "years") if 1 <= value <= 99 else None


_READERS: dict[str, Callable[[str, re.Match[str], str], Quantity | None]] = {
    "pct": _read_percent,
    "pct_zh": _read_percent,
    "cur_prefix": _read_amount,
    "zh": _read_amount,
    "en": _read_amount,
    "zh_per_kg": _read_per_kg,
    "tenths": _read_tenths,
    "rank_zh": _read_rank,
    "rank_en": _read_rank,
    "rank_top": _read_top,
    "list": _read_listed,
    "en_hyphen": _read_amount,
    "rank_place": _read_rank,
    "rank_word": _read_rank_word,
    "rank_top_n": _read_top_n,
    "fraction": _read_fraction,
    "count": _read_count,
    "multiple": _read_multiple,
    "years": _read_years,
}


def _read(kind: str, match: re.Match[str], text: str) -> Quantity | None:
    """The quantity a match of pattern ``kind`` stands for (None if it is not one)."""
    reader = _READERS.get(kind)
    if reader is None:
        return None
    try:
        return reader(kind, match, text)
    except (ValueError, TypeError, KeyError):
        return None
    return None
