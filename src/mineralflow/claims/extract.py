"""Read the quantitative claims in a Chinese or English text, sentence by sentence.

The rules, in order, for each number found by :mod:`mineralflow.claims.numbers`:

1. The **clause** around it: the sentence cut at commas, semicolons, colons and brackets (and,
   in English, at "and", "while", "but", "whereas"), and within the clause the **segment**
   between the neighbouring numbers.
2. The **region**: the nearest place name before the number in its segment (the first one
   after a comparison word such as 落后 or "behind"); else the first after it in the clause;
   else the nearest earlier one in the sentence.  "World"/全球 is the region only of totals,
   never of a share.  With 分别 or "respectively", regions and numbers pair up in order.
3. The **metric** and **stage**: the cue words nearest the number (lexicon), with defaults by
   unit (t -> production, % -> share of production, x -> growth of production).
4. The **year**: a year stated next to the number, else in the sentence, else the latest full
   year before the article's date (the latest year with published data when it was written).
5. **Plan or fact**: a plan cue (计划, 目标, 将, "will", "plans") before the number in the
   sentence or in its segment, or a year after the article's date.
6. **Bounds**: 约/about make it approximate, 超过/以上/"more than" a lower bound,
   不到/以下/"less than" an upper bound; a range keeps both ends.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from dataclasses import dataclass, field
from datetime import date

from mineralflow.claims import lexicon as lx
from mineralflow.claims.claim import Claim
from mineralflow.claims.normalise import normalise
from mineralflow.claims.numbers import Quantity, find_quantities

_DIGIT_COMMA = re.compile(r"(?<=\d),(?=\d{3})")
# where a company and a place stop sharing a clause (commas, semicolons, brackets)
_CLAUSE_BREAK = re.compile(r"[，;；:：()（）]|,(?!\d{3}(?!\d))")
_ZH_BOUNDARY = re.compile(r"[，;；:：()（）、]|(?<!\d),|,(?!\d{3}(?!\d))")
_EN_BOUNDARY = re.compile(
    r"(?<!\d),|,(?!\d{3}(?!\d))|[;:()]|(?<!\d)\s(?:and|while|but|whereas|compared with)\s(?!\d)"
)
_SENTENCE_END = re.compile(
    r"(?<=[。！？!?])(?![”\"])|(?<=[。！？!?][”\"])|\n+"
    r"|(?<=[.;])\s+(?=[A-Z\"“(\u4e00-\u9fff]|\d{4}年)|(?<=[.!?][\"”'])\s+(?=[A-Z\"“(])"
)
_YEAR = re.compile(
    r"(?<!\d)(?<!\d[.,])(?P<y>19[5-9]\d|20\d\d)(?!\d|[.,]\d)"
    r"(?!\s*(?:吨|万|亿|t\b|tonnes|tons|%|美元|卢布))"
)
_DATE_PATTERNS = [
    re.compile(r"(?P<y>20\d\d)年(?P<m>\d{1,2})月(?P<d>\d{1,2})日"),
    re.compile(r"(?P<y>20\d\d)-(?P<m>\d\d)-(?P<d>\d\d)"),
    re.compile(
        r"(?P<mn>January|February|March|April|May|June|July|August|September|October|November"
        r"|December) (?P<d>\d{1,2}), (?P<y>20\d\d)"
    ),
    re.compile(
        r"(?P<d>\d{1,2}) (?P<mn>January|February|March|April|May|June|July|August|September"
        r"|October|November|December) (?P<y>20\d\d)"
    ),
]
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def language(text: str) -> str:
    """``zh`` when CJK characters make up a fifth of the letters, else ``en``."""
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return "zh" if cjk and cjk * 5 >= latin else "en"


def _as_date(match: re.Match[str]) -> date | None:
    g = match.groupdict()
    month = int(g["m"]) if g.get("m") else _MONTHS.index(g["mn"]) + 1
    try:
        return date(int(g["y"]), month, int(g["d"]))
    except ValueError:
        return None


def article_date(text: str) -> date | None:
    """The first full date in the opening of the text (a dateline), if any."""
    head = text[:400]
    best: tuple[int, date] | None = None
    for pattern in _DATE_PATTERNS:
        match = pattern.search(head)
        found = _as_date(match) if match is not None else None
        if match is not None and found is not None and (best is None or match.start() < best[0]):
            best = (match.start(), found)
    return best[1] if best else None


def sentences(text: str) -> list[tuple[int, str]]:
    """Sentences with their start offsets; "U.S." does not end one."""
    protected = re.sub(r"\bU\.S\.", "U.S\u2024", text)
    out: list[tuple[int, str]] = []
    pos = 0
    for piece in _SENTENCE_END.split(protected):
        if piece is None:
            continue
        start = protected.find(piece, pos)
        pos = start + len(piece)
        stripped = piece.strip()
        if stripped:
            offset = start + piece.find(stripped[0])
            out += [(offset + at, chunk.replace("\u2024", ".")) for at, chunk in _chunks(stripped)]
    return out


#: a "sentence" longer than this (no full stop in 1,200 characters: a table or a list pasted
#: as one line) is read in pieces cut at a comma or space, so reading stays linear in length
MAX_SENTENCE = 1200
_CUT = re.compile(r"[,，;；、\s]")


def _chunks(sentence: str) -> list[tuple[int, str]]:
    """``sentence`` in pieces of at most :data:`MAX_SENTENCE` characters, with offsets."""
    pieces: list[tuple[int, str]] = []
    at = 0
    while len(sentence) - at > MAX_SENTENCE:
        window = sentence[at + MAX_SENTENCE // 2 : at + MAX_SENTENCE]
        cuts = [m.end() for m in _CUT.finditer(window)]
        end = at + MAX_SENTENCE // 2 + cuts[-1] if cuts else at + MAX_SENTENCE
        pieces.append((at, sentence[at:end]))
        at = end
    pieces.append((at, sentence[at:]))
    return [(offset, piece.strip()) for offset, piece in pieces if piece.strip()]


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    code: str
    company: bool = False  # a company standing for its home country (Lynas: AUS)
    home: bool = False  # a word for the text's own country (国内, "national"): no topic of its own


def _regions(sentence: str, subject: str | None = None, home: str | None = None) -> list[_Mention]:
    """Places named in ``sentence`` (sources such as the USGS left out); a pronoun (该国, "the
    country") stands for the place named most before it in the sentence, else for ``subject``."""
    pattern, names = lx.region_pattern()
    found = [
        _Mention(m.start(), m.end(), names[m.group(0)], m.group(0) in lx.COMPANIES)
        for m in pattern.finditer(sentence)
    ]
    found = [m for m in found if m.code]
    # a place named beside a company, in its clause, is where its figure is (Lynas's plant in
    # Malaysia, 莱纳斯的关丹厂): the company does not stand for its home country there
    cuts = [0, *(b.end() for b in _CLAUSE_BREAK.finditer(sentence)), len(sentence) + 1]
    clause = [bisect.bisect_right(cuts, m.start) for m in found]
    placed = {c for m, c in zip(found, clause, strict=True)
              if not m.company and m.code not in _AGGREGATES}  # fmt: skip
    found = [m for m, c in zip(found, clause, strict=True) if not (m.company and c in placed)]
    # a company a plant was built or run with is a partner, not where its figure is
    found = [m for m in found if not (m.company and _has(lx.BUILT_WITH, sentence[: m.start]))]
    if home is not None:  # "national output": the country the text is about
        found += [_Mention(h.start(), h.end(), home, home=True)
                  for h in _compiled(lx.HOME_WORDS).finditer(sentence)]  # fmt: skip
    found += [_Mention(h.start(), h.end(), "CHN", home=True)  # 国内价格: China's
              for h in _compiled(lx.HOME_WORDS_ZH).finditer(sentence)]  # fmt: skip
    for p in _compiled(lx.PRONOUNS).finditer(sentence):
        earlier = [
            m.code for m in found if m.end <= p.start() and m.code not in _AGGREGATES and not m.home
        ]
        code = _topic(earlier) or subject
        if code is not None:
            found.append(_Mention(p.start(), p.end(), code))
    for p in _compiled(lx.LATTER_FORMER).finditer(sentence):
        # 从几内亚和澳大利亚进口，后者是全球最大的: "the latter" is the second place named
        earlier = list(dict.fromkeys(
            m.code for m in sorted(found, key=lambda m: m.start)
            if m.end <= p.start() and m.code not in _AGGREGATES and not m.home
        ))  # fmt: skip
        if len(earlier) >= 2:
            latter = p.group(0).lower() in ("后者", "the latter")
            found.append(_Mention(p.start(), p.end(), earlier[-1] if latter else earlier[-2]))
    return sorted(found, key=lambda m: m.start)


_AGGREGATES = (lx.WORLD, "ROW")


def _topic(codes: list[str], last: bool = False) -> str | None:
    """The place named most often (the first of them on a tie, or the last with ``last``):
    what 该国 refers to."""
    if not codes:
        return None
    order = list(dict.fromkeys(reversed(codes) if last else codes))
    return max(order, key=codes.count)


def _clauses(sentence: str, lang: str) -> list[tuple[int, int]]:
    boundary = _ZH_BOUNDARY if lang == "zh" else _EN_BOUNDARY
    cuts = [0]
    for match in boundary.finditer(sentence):
        cuts += [match.start(), match.end()]
    cuts.append(len(sentence))
    return [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]


def _nearest_cue(
    cues: dict[str, str], text: str, lo: int, hi: int, q: Quantity
) -> tuple[str | None, int]:
    """The cue category whose match in ``text[lo:hi]`` lies nearest the quantity (on a tie, the
    longer match: "oxide in concentrate" is mining, though "oxide" alone is separation)."""
    best: tuple[int, int, str] | None = None
    for name, start, end in _cue_spans(tuple(cues.items()), text[lo:hi]):
        s, e = start + lo, end + lo
        if s < q.end and q.start < e:
            continue
        distance = q.start - e if e <= q.start else s - q.end
        if best is None or (distance, s - e) < best[:2]:
            best = (distance, s - e, name)
    return (best[2], best[0]) if best else (None, -1)


@functools.lru_cache(maxsize=4096)
def _cue_spans(cues: tuple[tuple[str, str], ...], segment: str) -> list[tuple[str, int, int]]:
    """Every cue match in ``segment``: the numbers of one clause or sentence look up the same
    cues, so each segment is searched once, not once per number."""
    return [
        (name, match.start(), match.end())
        for name, pattern in cues
        for match in _compiled(pattern).finditer(segment)
    ]


def _has(pattern: str, text: str) -> bool:
    return _compiled(pattern).search(text) is not None


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """A cue pattern compiled once (case-insensitive), not looked up on every use."""
    return re.compile(pattern, flags=re.IGNORECASE)


class _Reader:
    """Reads one sentence; keeps what neighbouring numbers share (metric, region)."""

    def __init__(
        self, sentence: str, index: int, lang: str, today: date | None, context: _Context
    ) -> None:
        self.s = sentence
        self.index = index
        self.lang = lang
        self.today = today
        self.context = context
        self.quantities = find_quantities(sentence)
        self.regions = _regions(sentence, context.topic, context.region)
        self.clauses = _clauses(sentence, lang)
        self.years = [
            (m.start(), m.end(), int(m.group("y")))
            for m in _YEAR.finditer(sentence)
            if not any(q.start <= m.start() < q.end for q in self.quantities)
            and not self._dateline(m.start())
        ]

    def _dateline(self, start: int) -> bool:
        """The article's own date (its dateline) states no year for the claims after it."""
        if self.today is None:
            return False
        return any(
            (m := pattern.match(self.s, start)) is not None and _as_date(m) == self.today
            for pattern in _DATE_PATTERNS[:2]
        )

    def clause_of(self, q: Quantity) -> tuple[int, int]:
        for lo, hi in self.clauses:
            if lo <= q.start < hi:
                return lo, hi
        return 0, len(self.s)

    def segment_of(self, i: int) -> tuple[int, int]:
        q = self.quantities[i]
        lo, hi = self.clause_of(q)
        before = [p.end for p in self.quantities[:i] if p.end > lo]
        after = [p.start for p in self.quantities[i + 1 :] if p.start < hi]
        return (max(before) if before else lo), (min(after) if after else hi)

    def read(self) -> list[Claim]:
        claims: list[Claim] = []
        previous: Claim | None = None
        for i, q in enumerate(self.quantities):
            claim = self._claim(i, q, previous)
            if claim is not None:
                claims.append(claim)
                previous = claim
        self._respectively(claims)
        used = {c.year for c in claims if c.year_basis == "stated"}
        return claims + [p for p in self._dated_plans() if p.year not in used]

    def _dated_plans(self) -> list[Claim]:
        """A plant or mine planned for a year with no tonnage (计划于2028年开设一家磁铁厂)."""
        if self.today is None or not _has(lx.PLAN_CUES, self.s):
            return []
        found: list[Claim] = []
        for start, end, year in self.years:
            if year < self.today.year:
                continue
            # between the neighbouring numbers (or the ends of the sentence)
            hi = min([q.start for q in self.quantities if q.start > start] + [len(self.s)])
            lo = max([q.end for q in self.quantities if q.end <= start] + [0])
            if any(q.start < start < q.end for q in self.quantities):
                continue
            if not _has(lx.FACILITY_CUES, self.s[lo:hi]):
                continue
            marker = Quantity(start, end, float(year), float(year), "year", str(year))
            stage, _ = _nearest_cue(lx.STAGE_CUES, self.s, lo, hi, marker)
            subjects = [m.code for m in self.regions if m.code != lx.WORLD]
            region = subjects[0] if subjects else None
            found.append(
                Claim(
                    quote=self.s,
                    number_text=self.s[start:end],
                    sentence=self.index,
                    lang=self.lang,
                    region=region,
                    metric="capacity",
                    unit="",
                    value=None,
                    low=None,
                    high=None,
                    qualifier="=",
                    kind="plan",
                    year=year,
                    year_basis="stated",
                    stage=stage,
                    start=start,
                )
            )
        return found

    def _claim(self, i: int, q: Quantity, previous: Claim | None) -> Claim | None:
        s = self.s
        lo, hi = self.segment_of(i)
        c_lo, c_hi = self.clause_of(q)
        metric, basis = self._metric(q, lo, hi, c_lo, c_hi, previous)
        if metric is None:
            return None
        commodity = self._commodity(q, lo, hi, c_lo, c_hi, previous)
        if commodity == "aluminium":
            stage = self._aluminium_stage(q, metric, lo, hi, c_lo, c_hi, previous)
        else:
            stage = self._stage(q, metric, basis, lo, hi, c_lo, c_hi, previous)
        region, other, basis = self._who(q, (lo, hi, c_lo, c_hi), metric, basis, previous)
        entity = metric in lx.ENTITY_METRICS and self._entity(q)
        year, year_basis, plan = self._kind(q, lo, hi, metric, basis, entity)
        qualifier, low, high = self._bounds(q, lo, hi)
        period = "part of the year" if self._part_of_year(q, c_lo, c_hi, year_basis) else "year"
        value = q.value
        if metric == "growth" and q.unit == "%" and self._declines(q, lo, hi):
            value, low, high = -value, _neg(high), _neg(low)
        product = self._product(q, metric, basis, commodity, previous)
        if metric in ("price", "price_floor") and basis is None:
            basis = product  # aluminium's price is aluminium's
        return Claim(
            quote=s,
            number_text=q.text,
            sentence=self.index,
            lang=self.lang,
            region=region,
            metric=metric,
            unit=q.unit if q.unit != "years" else "years",
            value=value,
            low=low,
            high=high,
            qualifier=qualifier,
            kind="plan" if plan else "fact",
            year=year,
            year_basis=year_basis,
            stage=stage,
            basis=basis,
            other_region=other,
            start=q.start,
            commodity=commodity,
            period=period,
            entity=entity,
            product=product,
        )

    def _who(
        self,
        q: Quantity,
        spans: tuple[int, int, int, int],
        metric: str,
        basis: str | None,
        previous: Claim | None,
    ) -> tuple[str | None, str | None, str | None]:
        """The claim's region, its partner or the place compared, and the basis (a share that
        came from a place is a share of imports)."""
        lo, hi, c_lo, c_hi = spans
        around = self.s[lo:hi]
        comparison = _has(lx.GAP_CUES, around) or _has(r"比|than", around)
        # 对美国出口下降逾两成: a change of trade is the exporter's, with its partner
        traded = basis if metric == "growth" and basis in ("exports", "imports") else metric
        if q.unit == "x" and metric != "growth":
            region, other = self._multiple_regions(q, c_hi)
        else:
            region, other = self._region(q, lo, hi, c_lo, c_hi, traded, comparison)
        if metric == "share" and basis != "imports" and self._imported_from(q):
            basis = "imports"  # 进口的原铝中逾四成来自俄罗斯: a share of imports, by source
        if metric == "share" and _has(lx.RELIES_FOR, self.s[: q.start]):
            basis = "imports"  # "Japan relies on China for 60% of its rare earths"
        grown = previous is not None and metric == "growth" and basis == previous.metric
        if region is None and grown and previous is not None:
            region = previous.region  # 价格为68.5万元/吨，比一年前上涨62.71%: that price's
        region = self._fallback_region(q, region, metric, basis)
        if metric == "share" and other is None and basis == self.context.share_basis:
            other = self.context.share_partner
        return region, other, basis

    def _kind(
        self, q: Quantity, lo: int, hi: int, metric: str, basis: str | None, entity: bool
    ) -> tuple[int | None, str, bool]:
        """The claim's year, how it was found and whether it is a plan (:meth:`_when`), with
        the terms of an agreed venture as facts and a plant still being built as planned."""
        year, year_basis, plan = self._when(q, lo, hi, metric)
        if plan and basis == "stake" and not self._plan_beyond_will(q):
            # "will own 60% of the venture": the terms of an agreed deal, not a plan
            plan = False
            if year_basis != "stated" and self.today is not None:
                year = self.today.year
                year_basis = f"the terms agreed by the article's date ({self.today})"
        if metric == "capacity" and not plan and entity and _has(lx.WORKS_UNDER_WAY, self.s):
            plan = True
            if year_basis != "stated":
                year, year_basis = None, "not stated"
        return year, year_basis, plan

    def _product(
        self, q: Quantity, metric: str, basis: str | None, commodity: str, previous: Claim | None
    ) -> str | None:
        """What a price or a change of price is of: the element read with the price, the
        previous price's for its change (价格为…，比上年上涨三成), else the element named in the
        sentence; aluminium's is aluminium."""
        priced = metric in ("price", "price_floor")
        if not (priced or (metric == "growth" and basis == "price")):
            return None
        if _has(lx.PREMIUM_CUES, self.s[: q.start]):
            return None  # a premium on top of the exchange price is not the price
        if commodity == "aluminium":  # alumina's and bauxite's prices are not the metal's
            stage, _ = _nearest_cue(lx.ALUMINIUM_STAGE_CUES, self.s, 0, len(self.s), q)
            return stage if stage in ("alumina", "bauxite") else "aluminium"
        if priced:
            return basis
        if previous is not None and previous.metric == "price" and previous.product:
            return previous.product
        element, _ = _nearest_cue(lx.ELEMENT_CUES, self.s, 0, len(self.s), q)
        return element

    def _entity(self, q: Quantity) -> bool:
        """Whether a plant or a company holds the figure (:data:`lexicon.ENTITY_EN`): named
        shortly before the number in its sentence, and not as its country's plants."""
        reach, cue = (40, lx.ENTITY_ZH) if self.lang == "zh" else (90, lx.ENTITY_EN)
        before = self.s[max(0, q.start - reach) : q.start]
        found = list(_compiled(cue).finditer(before))
        if not found:
            return False
        last = found[-1]
        return not _has(lx.NATIONAL_HOLDER, before[max(0, last.start() - 12) : last.end()])

    def _fallback_region(
        self, q: Quantity, region: str | None, metric: str, basis: str | None
    ) -> str | None:
        """Yuan prices are China's, prices outside China the world's; with no place named, the
        text's country for policy metrics, else the subject carried over."""
        if region in (None, lx.WORLD) and q.unit.startswith("CNY/"):
            return "CHN"  # a price in yuan is China's domestic price
        priced = metric in ("price", "price_floor") or (metric == "growth" and basis == "price")
        if region == "ROW" and priced:
            return lx.WORLD  # the price outside China is the world (FOB) price
        if priced and _has(lx.FOB_CUES, self.s):
            return lx.WORLD  # free on board in China: the export price, the world's
        if region is None and metric == "growth" and basis == "price":
            return lx.WORLD  # a price's change with no place named: the quoted (world) price
        if region is None and metric in lx.POLICY_METRICS:
            return self.context.region  # a duty, floor or reliance is the text's country's
        if region is None and metric not in ("price", "price_floor"):
            return self.context.subject or self.context.region
        return region

    def _when(self, q: Quantity, lo: int, hi: int, metric: str) -> tuple[int | None, str, bool]:
        """The claim's year, how it was found, and whether it is a plan."""
        around = self.s[lo:hi]
        year, year_basis, future = self._year(q, lo, hi)
        today_year = self.today.year if self.today is not None else None
        if year_basis.startswith("latest full year") and metric in (
            "tariff",
            "price_floor",
            "count",
        ):
            year, year_basis = today_year, "in force at the article's date"
        if metric == "growth" and year is not None and self._base_year(q) == year:
            year = year + 1  # "down 26% on 2023", 比2023年增长: the year after the base
        plan = future or self._plan(q, lo, hi)
        if year_basis != "stated" and _has(lx.PRESENT_CUES, around):
            plan = False
        stated = year_basis == "stated" and year is not None and today_year is not None
        if stated and not future and plan and year < today_year:  # type: ignore[operator]
            plan = _has(lx.FIGURE_PLAN_CUES, _compiled(lx.ESTIMATE_CUES).sub(" ", around))
        if plan and self._change_from(q):
            plan, year, year_basis = False, today_year, "now (the start of a stated change)"
        if plan and year_basis != "stated":
            year, year_basis = None, "not stated"
        return year, year_basis, plan

    def _plan_beyond_will(self, q: Quantity) -> bool:
        """A plan cue before the number other than "will" or 将 (plans, targets, aims)."""
        before = _compiled(r"\bwill\b|将").sub(" ", self.s[: q.start])
        return _has(lx.PLAN_CUES, before)

    def _base_year(self, q: Quantity) -> int | None:
        """The year a change is measured from, named beside its rate ("up 26% on 2023",
        较2023年增长26%)."""
        after = _compiled(lx.BASE_YEAR_AFTER).match(self.s[q.end : q.end + 30])
        before = _compiled(lx.BASE_YEAR_BEFORE).search(self.s[max(0, q.start - 16) : q.start])
        found = after or before
        return int(found.group("y")) if found else None

    def _commodity(
        self, q: Quantity, lo: int, hi: int, c_lo: int, c_hi: int, previous: Claim | None
    ) -> str:
        """The commodity named nearest (segment, clause, sentence), else the text's."""
        for a, b in ((lo, hi), (c_lo, c_hi)):
            cue, _ = _nearest_cue(lx.COMMODITY_CUES, self.s, a, b, q)
            if cue is not None:
                return cue
        if previous is not None:
            return previous.commodity
        cue, _ = _nearest_cue(lx.COMMODITY_CUES, self.s, 0, len(self.s), q)
        return cue or self.context.last_commodity or self.context.commodity

    def _sentence_stage(self, q: Quantity) -> str | None:
        cue, _ = _nearest_cue(lx.STAGE_CUES, self.s, 0, len(self.s), q)
        return cue

    def _aluminium_stage(
        self,
        q: Quantity,
        metric: str,
        lo: int,
        hi: int,
        c_lo: int,
        c_hi: int,
        previous: Claim | None,
    ) -> str | None:
        """Bauxite, alumina, primary or secondary: the stage named nearest, else primary."""
        if metric in ("tariff", "price", "price_floor", "investment", "value"):
            return None
        for a, b in ((lo, hi), (c_lo, c_hi), (0, len(self.s))):
            cue, _ = _nearest_cue(lx.ALUMINIUM_STAGE_CUES, self.s, a, b, q)
            if cue is not None:
                return cue
        if metric == "reserves":
            return "bauxite"
        if previous is not None and previous.commodity == "aluminium" and previous.stage:
            return previous.stage
        return "primary"

    def _metric(
        self, q: Quantity, lo: int, hi: int, c_lo: int, c_hi: int, previous: Claim | None
    ) -> tuple[str | None, str | None]:
        s = self.s
        cue, _ = _nearest_cue(lx.METRIC_CUES, s, lo, hi, q)
        clause_cue, _ = _nearest_cue(lx.METRIC_CUES, s, c_lo, c_hi, q)
        sentence_cue, _ = _nearest_cue(lx.METRIC_CUES, s, 0, len(s), q)
        if cue == "net_import_reliance":
            return "net_import_reliance", None
        if q.unit == "%":
            return self._rate_metric(q, (lo, hi), (cue, clause_cue, sentence_cue), previous)
        if q.unit == "rank":
            return "rank", self._rank_basis(q, c_lo, c_hi, cue or clause_cue or sentence_cue)
        if q.unit == "x":
            level = self._level_multiple(q, (cue, clause_cue), previous)
            return level or ("growth", cue or clause_cue or sentence_cue or "production")
        if q.unit == "count":
            # 七种中重稀土, "five more elements": a count of elements, which the packs' policy
            # events list
            counted = self.s[q.start : q.end + 8]
            elements = _has(r"elements\b|rare[- ]earths\b|元素|(?:种|类)[中重轻]*稀土", counted)
            return "count", ("elements" if elements else None)
        if q.unit == "years":
            return ("technology_gap", None) if _has(lx.GAP_CUES, s[lo:hi]) else (None, None)
        if q.unit.endswith("/kg") or q.unit.endswith("/t"):
            # the element named before the price since the number before it ("dysprosium
            # oxide ... at $260/kg, and for terbium at $950/kg"), else the nearest
            since = max((p.end for p in self.quantities if p.end <= q.start), default=0)
            element, _ = _nearest_cue(lx.ELEMENT_CUES, s, since, q.start, q)
            if element is None:
                element, _ = _nearest_cue(lx.ELEMENT_CUES, s, 0, len(s), q)
            floor = "price_floor" in (cue, clause_cue)
            return ("price_floor" if floor else "price"), element
        if q.unit == "t":
            # with no cue in its clause, a tonnage's metric is named before it in the sentence
            # ("apparent consumption of compounds and metals reached 27,000 t, and imports ...")
            earlier, _ = _nearest_cue(lx.METRIC_CUES, s, 0, q.start, q)
            sentence_cue = earlier or sentence_cue
            return self._tonnage_metric(q, lo, hi, cue, clause_cue, sentence_cue, previous)
        return self._money_metric(q, cue or clause_cue or sentence_cue)

    def _multiple_regions(self, q: Quantity, c_hi: int) -> tuple[str | None, str | None]:
        """Whose level a multiple states and of whose: "ten times as much as India" compares
        the subject before it with the place after it; "about six times as much" with the
        subject of the sentence before."""
        places = [m for m in self.regions if m.code not in _AGGREGATES]
        compared = next((m.code for m in places if q.end <= m.start < c_hi), None)
        window = _compiled(lx.LEVEL_MULTIPLE_BEFORE).search(self.s[max(0, q.start - 30) : q.start])
        if compared is None and window is not None:  # 约为中国境内价格的三倍: of China's
            start = max(0, q.start - 30) + window.start()
            inside = [m.code for m in places if start <= m.start < q.start]
            compared = inside[-1] if inside else None
        before = [m.code for m in places if m.end <= q.start and m.code != compared]
        region = before[-1] if before else self.context.subject
        if compared is None and self.context.subject != region:
            compared = self.context.subject
        return region, compared

    def _level_multiple(
        self, q: Quantity, cues: tuple[str | None, str | None], previous: Claim | None
    ) -> tuple[str, str | None] | None:
        """A multiple of another level at the same time ("about six times as much", 约为国际
        均价的1.6倍): the metric of what is compared, a price or the tonnage before it."""
        after = _has(lx.LEVEL_MULTIPLE_AFTER, self.s[q.end : q.end + 16])
        before = _has(lx.LEVEL_MULTIPLE_BEFORE, self.s[max(0, q.start - 30) : q.start])
        if not (after or before):
            return None
        if "price" in cues or _has(r"the price\b|价格|均价|报价", self.s[q.end : q.end + 16]):
            element, _ = _nearest_cue(lx.ELEMENT_CUES, self.s, 0, len(self.s), q)
            return "price", element
        if previous is not None and previous.unit == "t":
            return previous.metric, previous.basis
        tonnage = next((c for c in cues if c in lx.TONNAGE_METRICS), None)
        return tonnage or "production", None

    def _rate_metric(
        self,
        q: Quantity,
        segment: tuple[int, int],
        cues: tuple[str | None, str | None, str | None],
        previous: Claim | None,
    ) -> tuple[str, str | None]:
        """A percentage: import reliance, a duty, a rate carried along a list, a stake, a
        growth rate or a share (the cues nearest it in its segment, clause and sentence)."""
        lo, hi = segment
        cue, clause_cue, sentence_cue = cues
        if clause_cue == "net_import_reliance":
            return "net_import_reliance", None
        if "tariff" in (cue, clause_cue) or _has(lx.METRIC_CUES["tariff"], self.s[lo:hi]):
            return "tariff", None
        earlier, _ = _nearest_cue(lx.METRIC_CUES, self.s, 0, q.start, q)
        if cue is None and clause_cue is None and earlier == "tariff":
            return "tariff", None  # "tariffs on steel and aluminum rose to 50%"
        carried = self._carried_rate(q, lo, hi, cue, previous)
        if carried is not None:
            return carried
        if clause_cue is None and sentence_cue == "net_import_reliance":
            return "net_import_reliance", None
        after = re.split(r"[，,。;；]", self.s[q.end : q.end + 20])[0]
        if _has(lx.REBATE_CUES, after):
            return (
                "other",
                "rebate",
            )  # a 13% export tax rebate, 13%的出口退税: neither duty nor share
        if _has(lx.STAKE_CUES, self.s):
            return "other", "stake"  # will own 60% of the venture: a stake, not a market share
        return self._percent_metric(q, lo, cue or clause_cue, previous)

    @staticmethod
    def _grown(previous: Claim | None) -> str | None:
        """What a rate after a figure of the sentence is the change of: that figure's metric."""
        if previous is None:
            return None
        if previous.unit == "t" or previous.metric in ("price", "quota"):
            return previous.metric
        return None

    def _rank_basis(self, q: Quantity, c_lo: int, c_hi: int, cue: str | None) -> str:
        """What a rank orders: sources of imports ("the largest supplier"), reserves,
        capacity, else output; in Chinese what is ranked comes before the rank
        (巴西储量2100万吨，位居第二)."""
        if _has(lx.SUPPLIER_CUES, self.s[c_lo:c_hi]):
            return "imports"
        if self.lang == "zh":
            cue = _nearest_cue(lx.METRIC_CUES, self.s, 0, q.start, q)[0] or cue
        return cue if cue in ("reserves", "capacity", "production") else "production"

    def _carried_rate(
        self, q: Quantity, lo: int, hi: int, cue: str | None, previous: Claim | None
    ) -> tuple[str, str | None] | None:
        """A rate with no cue of its own after a rate of the sentence: a duty or reliance
        carries on (unless a share is spoken of), a growth rate does along a list."""
        if q.unit != "%" or previous is None or previous.unit != "%" or cue is not None:
            return None
        shared = _has(lx.SHARE_WORDS, self.s[lo:hi])
        if not shared and previous.metric in ("tariff", "net_import_reliance"):
            return previous.metric, None
        if previous.metric == "growth" and self._listed_after(previous, q):
            return "growth", previous.basis
        return None

    def _percent_metric(
        self, q: Quantity, lo: int, cue: str | None, previous: Claim | None
    ) -> tuple[str, str | None]:
        """A percentage: a growth rate where a growth word is next to it, else a share."""
        s = self.s
        just_before = s[max(lo, q.start - 16) : q.start]
        hedged = (
            rf"(?:(?:{lx.GROWTH_CUES}|(?<!make )(?<!makes )(?<!made )(?<!making )\bup\b"
            rf"|\bdown\b){lx.RATE_HEDGES}"
            rf"|\bby\s+{lx.RATE_HEDGES})$"
        )
        if (
            _has(hedged, just_before)
            or _has(lx.RATE_NOUN, just_before)
            or _has(
                r"^\s*(?:增长|增加|下降|上涨|下跌|increase|rise|growth|decline|jump|drop|cut|"
                r"less|more|below|above|lower|higher|up\b|down\b)",
                s[q.end : q.end + 12],
            )
        ):
            # what grows: the word beside the rate, else the figure just before it ("exports
            # reached 62,585 t, up 12.9%"), else nothing known
            grows = cue or self._grown(previous)
            if grows is None:  # "Aluminium exports, by contrast, rose 5%": named before it
                earlier, _ = _nearest_cue(lx.METRIC_CUES, s, 0, q.start, q)
                # (not output: "mining" names a stage as often as what grows)
                traded = ("exports", "imports", "consumption", "capacity", "price")
                grows = earlier if earlier in traded else None
            return "growth", grows
        after = s[q.end : q.end + 60]
        # "13% and 5% respectively of US imports": the list shares what its shares are of
        listed = r"(?:\s*(?:,|and)\s*[\d.]+\s*%)*\s*(?:respectively\s+)?"
        for basis, words in lx.SHARE_OF.items():
            if _has(rf"^{listed}of\s+(?:[\w'-]+\s+){{0,6}}?(?:{words})\b", after):
                return "share", basis  # "70% of those imports", "half of their capacity"
        bases = ("reserves", "capacity", "exports", "imports", "production", "consumption")
        tonnage = previous is not None and previous.unit == "t" and previous.sentence == self.index
        if cue not in bases and tonnage and previous is not None and previous.metric in bases:
            return "share", previous.metric  # "44 Mt of reserves, about 48% of the world"
        if cue not in bases:
            cue = self.context.share_basis or "production"  # a table's caption, else output
        return "share", cue

    def _tonnage_metric(
        self,
        q: Quantity,
        lo: int,
        hi: int,
        cue: str | None,
        clause_cue: str | None,
        sentence_cue: str | None,
        previous: Claim | None,
    ) -> tuple[str | None, str | None]:
        """A tonnage: the metric named nearest, else the previous tonnage's, else output."""
        if _has(lx.CAP_AFTER, self.s[q.end : q.end + 24]):
            return "quota", None
        if cue is None and previous is not None and self._listed_after(previous, q):
            return previous.metric, previous.basis  # 年产60万吨和55万吨: one metric for a list
        chosen = cue or clause_cue
        if chosen in (None, "investment", "value", "price", "tariff", "price_floor"):
            if previous is not None and previous.unit == "t" and cue is None:
                return previous.metric, previous.basis
            # else the sentence's, else the sentence before's ("...reserves. It holds 22 Mt")
            carried = self.context.tonnage_metric or "production"
            chosen = sentence_cue if sentence_cue in lx.TONNAGE_METRICS else carried
        c_lo, c_hi = self.clause_of(q)
        built = _has(lx.FACILITY_CUES, self.s[lo:hi]) and _has(lx.BUILD_CUES, self.s[c_lo:c_hi])
        yearly = _has(r"(?:年产|年处理|年产能)\s*$", self.s[max(lo, q.start - 4) : q.start])
        if chosen == "production" and (
            built or (yearly and _has(lx.FACILITY_CUES, self.s[c_lo:c_hi]))
        ):
            chosen = "capacity"  # a plant being built, or 年产60万吨的项目: its capacity
        return chosen, None

    def _money_metric(self, q: Quantity, chosen: str | None) -> tuple[str, str | None]:
        """A sum of money: a price (with its element), an investment, a value or trade."""
        if chosen in ("price", "price_floor"):
            element, _ = _nearest_cue(lx.ELEMENT_CUES, self.s, 0, len(self.s), q)
            return chosen, element
        if chosen == "tariff" and _has(r"\bcost\b|\bbill\b|成本|损失", self.s):
            return "other", None  # "the duties cost it about $300 million": a bill, not a rate
        if chosen in ("investment", "value", "exports", "imports", "tariff"):
            return chosen, None
        return "value", None

    def _stage(
        self,
        q: Quantity,
        metric: str,
        basis: str | None,
        lo: int,
        hi: int,
        c_lo: int,
        c_hi: int,
        previous: Claim | None,
    ) -> str | None:
        if metric in ("technology_gap", "investment", "value", "net_import_reliance"):
            cue, _ = _nearest_cue(lx.STAGE_CUES, self.s, c_lo, c_hi, q)
            return cue or (self._sentence_stage(q) if metric == "net_import_reliance" else None)
        cue, _ = _nearest_cue(lx.STAGE_CUES, self.s, lo, hi, q)
        if cue is None:
            cue, _ = _nearest_cue(lx.STAGE_CUES, self.s, c_lo, c_hi, q)
        # 在冶炼分离环节，中国占全球九成; "production of compounds and metals reached 8,900 t"
        if cue is None and metric in ("share", "capacity", *lx.TONNAGE_METRICS):
            cue, _ = _nearest_cue(lx.STAGE_CUES, self.s, 0, q.start, q)
        if cue is None and metric == "price":
            return "separation"
        if metric == "reserves" or basis == "reserves":
            return "mining"
        if metric == "quota" and _has(lx.EXPORT_QUOTA, self.s):
            return "separation"
        if cue is None and previous is not None and previous.stage is not None:
            return previous.stage
        return cue or "mining"

    def _clause_before(self, m: _Mention) -> str:
        lo = next((a for a, b in self.clauses if a <= m.start < b), 0)
        return self.s[lo : m.start]

    def _compared(self, m: _Mention) -> bool:
        """A place named after 仅次于, 超过, "after" or "behind" in its clause."""
        return _has(lx.COMPARISON_CUES, self._clause_before(m))

    def _via(self, m: _Mention) -> bool:
        """A place named after 透过, "via", "through" in its clause."""
        return _has(lx.VIA_CUES, self._clause_before(m))

    def _partner(self, m: _Mention) -> bool:
        """A place named after 向, 从, 输往, "to", "from" in a sentence about trade: a trade
        partner, not a subject ("turned to Malaysia, whose smelters produced" names none)."""
        relative = _has(r"^\s*,?\s*(?:whose|which|where)\b", self.s[m.end : m.end + 8])
        if self.s[m.start : m.end] in ("对华", "输华"):  # 对华供应: to China
            return True
        if relative or not _has(lx.TRADE_CUES, self.s):
            return False
        if _has(lx.PARTNER_BEFORE, self.s[max(0, m.start - 10) : m.start]):
            return True
        # 对美国、日本的出口: a place listed after a partner is a partner too
        listed = [p for p in self.regions if p.end <= m.start and p is not m]
        return (
            bool(listed)
            and bool(_compiled(lx.LIST_JOIN).match(self.s[listed[-1].end : m.start]))
            and self._partner(listed[-1])
        )

    def _source(self, q: Quantity, named: list[_Mention]) -> _Mention | None:
        """逾四成来自俄罗斯, 进口依赖中国: the place a share of imports comes from."""
        found = [
            m for m in named
            if (_has(lx.SOURCE_BEFORE, self.s[max(0, m.start - 6) : m.start])
                or _has(r"^的?依赖|^\s*dependence", self.s[m.end : m.end + 12]))
            and _has(lx.TRADE_CUES, self.s)
        ]  # fmt: skip
        return min(found, key=lambda m: abs(m.start - q.start)) if found else None

    def _imported_from(self, q: Quantity) -> bool:
        """A share of imports that came from a place (逾四成来自俄罗斯, "from Canada"), not a
        dependence on one (全球90%的精炼依赖中国)."""
        source = self._source(q, self.regions)
        return (
            source is not None
            and _has(lx.CAME_FROM, self.s[max(0, source.start - 6) : source.start])
            and _has(lx.IMPORT_WORDS, self.s)
        )

    def _candidates(self, metric: str, allow_world: bool) -> list[_Mention]:
        """The places that may be a figure's subject: not the world for a share or a rank, not
        a place compared with for a rank, not a trade partner but for trade."""
        named = [m for m in self.regions if allow_world or m.code != lx.WORLD]
        named = [m for m in named if not self._via(m)] or named
        if metric == "rank":
            named = [m for m in named if not self._compared(m)] or named
            # "the largest producer outside China": the scope of the rank, not its subject
            named = [m for m in named if m.code != "ROW"] or named
        if metric not in ("exports", "imports"):
            named = [m for m in named if not self._partner(m)] or named
        return named

    def _region(
        self, q: Quantity, lo: int, hi: int, c_lo: int, c_hi: int, metric: str, comparison: bool
    ) -> tuple[str | None, str | None]:
        allow_world = metric not in ("share", "rank", "technology_gap", "quota")
        named = self._candidates(metric, allow_world)
        traded = self._traded(q, named, metric, lo, c_lo, c_hi)
        if traded is not None:
            return traded
        if metric == "tariff":
            levied = self._tariff_region(named)
            if levied is not None:
                return levied
        denominator = self._denominator(q, named) if metric == "share" else None
        if denominator is not None:
            named = [m for m in named if m.code != denominator.code]
        together = _has(lx.TOGETHER_CUES, self.s[c_lo:c_hi]) or _has(
            lx.TOGETHER_CUES, self.s[max(0, q.start - 120) : q.start]
        )
        if together and (group := self._group(q, named)):
            return group, None
        before = [m for m in named if lo <= m.start and m.end <= q.start]
        after = [m for m in named if q.end <= m.start and m.end <= c_hi]
        if denominator is not None:
            earlier = [m for m in named if m.end <= q.start] or named
            return earlier[-1].code, denominator.code
        if comparison and before:
            others = [m.code for m in before[1:] + after if m.code != before[0].code]
            return before[0].code, others[0] if others else None
        if before:
            return before[-1].code, None
        in_clause = [m for m in named if c_lo <= m.start and m.end <= q.start]
        if in_clause:
            return in_clause[-1].code, None
        if after:
            return after[0].code, None
        earlier = [m for m in named if m.end <= q.start and m.code != lx.WORLD]
        if earlier:
            return earlier[-1].code, None
        if (allow_world and any(m.code == lx.WORLD for m in self.regions)) or metric == "price":
            return lx.WORLD, None
        return None, None

    def _tariff_region(self, named: list[_Mention]) -> tuple[str | None, str | None] | None:
        """The country a duty is paid to and the origin it is paid on: the place after
        "entry to" or 进入 levies it; a place of origin ("Japanese aluminium") is the partner,
        and with no other place the duty is the text's country's."""
        levier = self._levier(named)
        origins = [m.code for m in named if _has(lx.ORIGIN_AFTER, self.s[m.end : m.end + 16])]
        if levier is not None:
            others = [m.code for m in named if m.code not in (levier, lx.WORLD)]
            return levier, others[0] if others else None
        if not origins:
            return None
        rest = [m.code for m in named if m.code not in origins and m.code != lx.WORLD]
        return (rest[0] if rest else self.context.region), origins[0]

    def _levier(self, named: list[_Mention]) -> str | None:
        """The country a duty is paid to: the place after "entry to" or 进入, or before
        "border" ("a 50% duty at the US border")."""
        found = [
            m for m in named
            if _has(lx.LEVIER_BEFORE, self.s[max(0, m.start - 16) : m.start])
            or _has(r"^\s+border\b|^边境", self.s[m.end : m.end + 8])
        ]  # fmt: skip
        return found[0].code if found else None

    def _group(self, q: Quantity, named: list[_Mention]) -> str | None:
        """Several places with one figure ("together", 合计): those named before it, or, for
        "the two countries" / 上述三国, the last two or three named (sentences before too)."""
        here = [m.code for m in named if m.code != lx.WORLD and m.end <= q.start]
        size = _group_size(self.s[: q.start])
        if size is not None:
            recent = list(dict.fromkeys(reversed([*self.context.named, *here])))
            if len(recent) >= size:
                return "+".join(sorted(recent[:size]))
        group = list(dict.fromkeys(here))
        return "+".join(group) if len(group) > 1 else None

    def _traded(
        self, q: Quantity, named: list[_Mention], metric: str, lo: int, c_lo: int, c_hi: int
    ) -> tuple[str | None, str | None] | None:
        """A share of imports is its source's; exports and imports are the exporter's or the
        importer's, with the partner beside them. None when neither applies."""
        if metric == "share" and (source := self._source(q, self.regions)) is not None:
            others = [m.code for m in self.regions if m.code not in (source.code, lx.WORLD)]
            return source.code, others[0] if others else None
        partners = (
            [m for m in named if self._partner(m)] if metric in ("exports", "imports") else []
        )
        if not partners:
            return None
        # the partner of the number's clause (后者去年对华出口: China, not the place turned to
        # in the clause before), and the places that are no partner of it
        in_clause = [m for m in partners if c_lo <= m.start < c_hi]
        partner = (in_clause or partners)[0].code
        rest = [m for m in named if m not in partners and m.code != partner]
        return self._region_of(rest, q, lo, c_lo, c_hi, self.context.subject), partner

    def _denominator(self, q: Quantity, named: list[_Mention]) -> _Mention | None:
        """不到中国的1%, "1% of China's": the region named is what a share is of."""
        found = None
        for m in named:
            near_before = m.end <= q.start and _has(r"^的?\s*$", self.s[m.end : q.start])
            # "1% of China's", "1.5% of the 44 million tonnes that China made"
            near_after = q.end <= m.start and _has(
                r"^\s*of\s+(?:all\s+)?(?:the\s+)?(?:(?:[\w,.-]+\s+){0,5}?(?:that|which)\s+)?$",
                self.s[q.end : m.start],
            )
            if (near_before or near_after) and any(o.code != m.code for o in named):
                found = m
        return found

    def _region_of(
        self,
        named: list[_Mention],
        q: Quantity,
        lo: int,
        c_lo: int,
        c_hi: int,
        subject: str | None,
    ) -> str | None:
        """The exporter or importer: a place in the clause, else earlier in the sentence,
        else the subject carried over."""
        before = [m for m in named if c_lo <= m.start and m.end <= q.start]
        if before:
            return before[-1].code
        # earlier in the sentence, not across a semicolon (德国依旧领先；对美国出口656吨)
        start = max((m.end() for m in re.finditer(r"[;；]", self.s[: q.start])), default=0)
        earlier = [m for m in named if start <= m.start and m.end <= q.start]
        if earlier:
            return earlier[-1].code
        if subject is not None:
            return subject
        earlier = [m for m in named if m.end <= q.start]
        return earlier[-1].code if earlier else (named[0].code if named else None)

    def _year(self, q: Quantity, lo: int, hi: int) -> tuple[int | None, str, bool]:
        """Stated year (nearest in the segment, else in the sentence) or the article's date."""
        in_segment = [y for y in self.years if lo <= y[0] and y[1] <= hi]
        after = [y for y in in_segment if y[0] >= q.end]
        if after and lo > self.clause_of(q)[0]:
            # "9,000 t by 2028 and 15,000 t by 2035": a year before the number, after an
            # earlier number of the clause, is that number's
            in_segment = after
        # a year elsewhere in the sentence counts when it comes first ("In 2024 ..., ...");
        # a later one belongs to a later clause ("..., and Russia plans ... by 2030")
        pool = in_segment or [y for y in self.years if y[1] <= q.start]
        if not in_segment and _has(lx.PRESENT_CUES, self.s[lo:hi]):
            pool = []
        # "between 2021 and 2024, and since June ... has paid 50%": this year's
        last = max((y[1] for y in pool if y[1] <= q.start), default=None)
        c_lo, c_hi = self.clause_of(q)
        month = _has(lx.MONTH_NO_YEAR, self.s[c_lo:c_hi]) or (
            last is not None and _has(lx.MONTH_NO_YEAR, self.s[last : q.start])
        )
        if not in_segment and month:
            pool = []
        named = self._named_year(q, c_lo, c_hi) if not in_segment else None
        if named is not None:
            return named
        future = False
        if pool:
            # the nearest by the gap between them; on a tie the year before (2024年的53%)
            start, end, year = min(
                pool, key=lambda y: q.start - y[1] if y[1] <= q.start else y[0] - q.end + 0.5
            )
            prefix = self.s[max(0, start - 4) : start]
            future_words = _has(r"(?:到|至|by(?: the end of)?)\s*$", prefix) or _has(
                r"^年?(?:前|之前)(?![一二三四五六七八九十两\d]+个?(?:月|季度))",
                self.s[end : end + 8],
            )
            later = self.today is not None and year > self.today.year
            if later or (future_words and (self.today is None or year >= self.today.year)):
                future = True
            return year, "stated", future
        if self.today is None:
            return None, "not stated", False
        return (*self._relative_year(q), False)

    def _named_year(self, q: Quantity, c_lo: int, c_hi: int) -> tuple[int, str, bool] | None:
        """A year named in words in the number's clause, before any year stated earlier in
        the sentence: 明年 or "next year" (ahead: a plan), 今年 or "this year"."""
        if self.today is None:
            return None
        clause = self.s[c_lo:c_hi]
        if _has(lx.NEXT_YEAR, clause):
            return self.today.year + 1, "stated", True
        if _has(r"今年|本年|\bthis year\b", clause):
            return self.today.year, "stated", False
        return None

    def _relative_year(self, q: Quantity) -> tuple[int, str]:
        """A year named by words, in the number's clause: a month or part of the article's
        year, 今年 or "this year", 前年; else the latest full year before the article."""
        assert self.today is not None
        c_lo, c_hi = self.clause_of(q)
        clause = self.s[c_lo:c_hi]
        if _has(lx.MONTH_NO_YEAR, clause):
            return self.today.year, f"a month of the article's year ({self.today})"
        # 今年前三季度，产量约3300万吨: the words may open the sentence, a clause before
        near = self.s[max(0, q.start - 40) : q.start] + " " + clause
        if _has(lx.THIS_YEAR, near) or (
            _has(lx.PART_OF_YEAR, near) and not _has(lx.FISCAL_YEAR, near)
        ):
            return self.today.year, f"the article's year ({self.today})"
        if _has(lx.YEAR_BEFORE_LAST, clause):
            return self.today.year - 2, f"the year before last ({self.today})"
        return self.today.year - 1, f"latest full year before the article's date {self.today}"

    def _plan(self, q: Quantity, lo: int, hi: int) -> bool:
        prefix = self.s[: q.start]
        cues = lx.FIGURE_PLAN_CUES
        return _has(cues, prefix) or _has(cues, self.s[q.end : hi])

    def _change_from(self, q: Quantity) -> bool:
        """从75%降至48%, "from 75% to 48%": the first figure is today's, not the plan's."""
        return _has(lx.CHANGE_FROM, self.s[max(0, q.start - 6) : q.start]) and _has(
            lx.CHANGE_TO, self.s[q.end : q.end + 8]
        )

    def _part_of_year(self, q: Quantity, c_lo: int, c_hi: int, year_basis: str) -> bool:
        """A flow for a month, a quarter or some months (10月产量380万吨, "in October"); with no
        year stated, a month that opens the sentence counts too ("In May, imports ... fell to
        268,000 tonnes")."""
        if q.unit != "t" and not q.unit.endswith("/kg"):
            return False
        if _has(lx.FISCAL_YEAR, self.s[c_lo:c_hi]) or _has(lx.FISCAL_YEAR, self.s[: q.start][-40:]):
            return False  # 截至2024年6月的财年, "the year to June": a year, not a month
        reach = 40 if year_basis == "stated" else 100
        return _has(lx.PART_OF_YEAR, self.s[c_lo:c_hi]) or _has(
            lx.PART_OF_YEAR, self.s[: q.start][-reach:]
        )

    def _declines(self, q: Quantity, lo: int, hi: int) -> bool:
        """A rate of decline (下降8%, "fell by a third", "down 8%"): the words just around it."""
        before = self.s[max(lo, q.start - 24) : q.start]
        after = self.s[q.end : min(hi, q.end + 6)]
        after_rate = self.s[q.end : min(hi, q.end + 12)]
        return (
            _has(rf"(?:{lx.DECLINE_CUES}){lx.RATE_HEDGES}$", before)
            or _has(rf"^\s*(?:{lx.DECLINE_CUES})", after)
            or _has(rf"^\s*(?:{lx.RATE_AFTER_DECLINE})\s*(?:than|比)", after_rate)
        )

    def _bounds(self, q: Quantity, lo: int, hi: int) -> tuple[str, float | None, float | None]:
        before = self.s[max(lo, q.start - 16) : q.start]
        after = self.s[q.end : min(hi, q.end + 9)]
        if q.unit == "rank" and q.low == 1.0 and q.high > 1.0 and _has(r"^(?:top|前)", q.text):
            return "<", None, q.high  # among the top five: at worst fifth
        if q.low != q.high:
            return "range", q.low, q.high
        if "多" in q.text or "余" in q.text or q.text.startswith("逾"):
            return ">", q.low, None
        if _has(lx.UPPER_BEFORE, before) or _has(lx.UPPER_AFTER, after):
            return "<", None, q.high
        if _has(lx.LOWER_BEFORE, before) or _has(lx.LOWER_AFTER, after):
            return ">", q.low, None
        if _has(lx.APPROX_BEFORE, before) or _has(lx.APPROX_AFTER, after):
            return "~", q.low, q.high
        return "=", q.low, q.high

    def _joined(self, previous: Claim, start: int) -> bool:
        """A number at ``start`` follows ``previous`` joined only by "and" or 和."""
        end = previous.start + len(previous.number_text)
        return end <= start and _has(lx.LIST_JOIN, self.s[end:start])

    def _listed_after(self, previous: Claim, q: Quantity) -> bool:
        """``q`` follows ``previous`` in a list (增长5.9%和4.2%)."""
        return self._joined(previous, q.start)

    def _listed(self, claims: list[Claim]) -> bool:
        """Two numbers of one unit joined only by "and" or 和 ("second and third place")."""
        return any(
            a.unit == b.unit and self._joined(a, b.start) for a, b in itertools.pairwise(claims)
        )

    def _respectively(self, claims: list[Claim]) -> None:
        """分别 / respectively: the n-th region named goes with the n-th number of a unit."""
        stated = _has(r"分别|respectively", self.s)
        if not stated and not self._listed(claims):
            return
        codes = list(dict.fromkeys(m.code for m in self.regions if m.code != lx.WORLD))
        by_unit: dict[str, list[Claim]] = {}
        for claim in claims:
            by_unit.setdefault(claim.unit, []).append(claim)
        for group in by_unit.values():
            before = list(dict.fromkeys(
                m.code for m in self.regions
                if m.code != lx.WORLD and m.end <= group[0].start and not self._partner(m)
                and not _has(r"占$|\bof\s+$", self.s[max(0, m.start - 4) : m.start])
            ))  # fmt: skip
            partners = list(dict.fromkeys(
                m.code for m in self.regions if m.end <= group[0].start and self._partner(m)
            ))  # fmt: skip
            if stated and len(before) != len(group) and len(partners) == len(group) > 1:
                for claim, code in zip(group, partners, strict=True):
                    claim.other_region = code  # 对美国、日本的出口分别为582吨和305吨
                codes = []
            elif not stated or len(before) == len(group):
                codes = before  # a list, or "A and B took 13% and 5% respectively of C's"
            if len(group) == len(codes) and len(group) > 1:
                for claim, code in zip(group, codes, strict=True):
                    claim.region = code
            self._pair_words(group, lx.COMMODITY_CUES, "commodity")
            if stated:
                self._pair_years(group)
                self._share_of_list(group)
            if all(c.metric in ("price", "price_floor") for c in group):
                self._pair_words(group, lx.ELEMENT_CUES, "basis")  # 镝、铽氧化物均价分别为
                for claim in group:
                    claim.product = claim.basis if claim.commodity != "aluminium" else claim.product
            aluminium = all(c.commodity == "aluminium" for c in group)
            self._pair_words(
                group, lx.ALUMINIUM_STAGE_CUES if aluminium else lx.STAGE_CUES, "stage"
            )

    def _share_of_list(self, group: list[Claim]) -> None:
        """日本、韩国和美国分别占中国磁体出口的12%、9%和8%: the shares of a list are all of what
        the first is of, and of the place after 占."""
        if len(group) < 2 or any(c.metric != "share" for c in group):
            return
        of = next(
            (m.code for m in self.regions if m.end <= group[0].start
             and _has(r"占$", self.s[max(0, m.start - 2) : m.start])),
            None,
        )  # fmt: skip
        for claim in group[1:]:
            if claim.basis == "production" and group[0].basis != "production":
                claim.basis = group[0].basis
        for claim in group:
            claim.other_region = claim.other_region or of

    def _pair_years(self, group: list[Claim]) -> None:
        """ "In 2023 and 2024 China mined 255,000 and 270,000 tonnes respectively": as many
        years before the numbers as numbers pair with them in order."""
        years = list(dict.fromkeys(y for start, _, y in self.years if start < group[0].start))
        if len(group) < 2 or len(years) != len(group) or any(c.kind != "fact" for c in group):
            return
        for claim, year in zip(group, years, strict=True):
            claim.year, claim.year_basis = year, "stated"

    def _pair_words(self, group: list[Claim], cues: dict[str, str], name: str) -> None:
        """开采、冶炼分离指标分别为13.5万吨和12.7万吨, "for aluminium and for rare earths ... 60%
        and 67% respectively": distinct cue words before the numbers pair with them in order."""
        if len(group) < 2:
            return
        spans = _cue_spans(tuple(cues.items()), self.s[: group[0].start])
        words = list(dict.fromkeys(word for word, _, _ in sorted(spans, key=lambda w: w[1])))
        if len(words) == len(group):
            for claim, word in zip(group, words, strict=True):
                setattr(claim, name, word)


def _group_size(text: str) -> int | None:
    """How many places "the two countries", 上述三国 or "both" speak of (the last such words)."""
    found = list(_compiled(lx.GROUP_OF).finditer(text))
    if not found:
        return None
    word = next(g for g in found[-1].groups() if g)
    return lx.GROUP_SIZES.get(word.lower())


def _neg(bound: float | None) -> float | None:
    return None if bound is None else -bound


def extract_claims(text: str, today: date | None = None) -> tuple[list[Claim], date | None]:
    """Every quantitative claim in ``text``, and the date the claims are read against.

    ``today`` is the article's date; when not given it is read from the dateline.
    """
    original = text
    text = _DIGIT_COMMA.sub(",", normalise(text))
    when = today or article_date(text)
    lang = language(text)
    context = _Context(commodity=main_commodity(text), region=main_region(text))
    claims: list[Claim] = []
    for index, (start, sentence) in enumerate(sentences(text)):
        sentence_lang = language(sentence) if lang == "zh" else "en"
        reader = _Reader(sentence, index, sentence_lang, when, context)
        read = reader.read()
        for claim in read:
            claim.quote = original[start : start + len(sentence)]
            claim.number_text = original[
                start + claim.start : start + claim.start + len(claim.number_text)
            ]
            claim.start += start
        claims += read
        context.follow(reader, read)
    return claims, when


@dataclass
class _Context:
    """What a sentence takes from those before it: the subject region and the commodity."""

    commodity: str
    region: str | None = None
    subject: str | None = None
    last_commodity: str | None = None
    topic: str | None = None
    tonnage_metric: str | None = None
    named: list[str] = field(default_factory=list)  # places named so far, in order
    # what the shares of a table are of, from its caption ("share of US imports"), and whose
    share_basis: str | None = None
    share_partner: str | None = None

    def follow(self, reader: _Reader, read: list[Claim]) -> None:
        """What the next sentences take from the one ``reader`` read: its first region (or its
        claims'), its most-named place, its last tonnage metric and last commodity named."""
        sentence = reader.s
        named = [m.code for m in reader.regions if m.code not in _AGGREGATES and not m.home]
        owners = _compiled(lx.POLICY_OWNER_AFTER)
        topical = [
            m.code for m in reader.regions
            if m.code not in _AGGREGATES and not m.home and not owners.match(sentence[m.end :])
        ]  # fmt: skip
        self.topic = _topic(topical, last=reader.lang == "zh") or self.topic
        self.named = [*self.named, *named][-12:]
        self._caption(reader, read)
        tonnages = [c.metric for c in read if c.unit == "t"]
        # a share of reserves or of exports leaves its basis to the tonnages after it
        tonnages = tonnages or [
            c.basis for c in read if c.metric == "share" and c.basis in lx.TONNAGE_METRICS
        ]
        self.tonnage_metric = tonnages[-1] if tonnages else None
        regions = [c.region for c in read if c.region and c.region not in _AGGREGATES]
        cues = [
            (at, name) for name, at, _ in _cue_spans(tuple(lx.COMMODITY_CUES.items()), sentence)
        ]
        if cues:
            self.last_commodity = max(cues)[1]
        if named:
            self.subject = named[0]
        elif regions:
            self.subject = regions[0]

    def _caption(self, reader: _Reader, read: list[Claim]) -> None:
        """A line without figures that says what shares are of (a table's caption) sets the
        basis of the shares below it, until a line with figures that are not shares."""
        if read:
            if any(c.metric != "share" for c in read):
                self.share_basis = self.share_partner = None
            return
        for basis, words in lx.SHARE_OF.items():
            found = _compiled(rf"(?:share|份额|占比)\s*(?:of\s+)?(.{{0,30}}?)(?:{words})\b")
            match = found.search(reader.s)
            if match is not None:
                places = [m.code for m in reader.regions if m.code not in _AGGREGATES]
                self.share_basis, self.share_partner = basis, (places[0] if places else None)
                return


def main_region(text: str) -> str | None:
    """The place a text names most (world totals aside): the region of a claim that names
    none in its sentence or the sentences before."""
    return _topic([m.code for m in _regions(text) if m.code not in _AGGREGATES])


def main_commodity(text: str) -> str:
    """The commodity a text speaks of most (by cue words), rare earths on a tie."""
    counts = {name: len(_compiled(pattern).findall(text))
              for name, pattern in lx.COMMODITY_CUES.items() if name != "other"}  # fmt: skip
    return max(counts, key=lambda name: (counts[name], name == "rare_earths"))
