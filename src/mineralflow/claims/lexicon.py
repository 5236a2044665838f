"""Words the claims reader looks for, in Chinese and English: places, metrics, stages, cues.

Everything the extractor recognises is listed here, so a reader can see why a sentence was read
the way it was and add a word where one is missing.  Patterns are plain regular expressions.
"""

from __future__ import annotations

import re
from functools import cache

import pycountry

WORLD = "WLD"

# Short Chinese names as the press writes them (pycountry's zh_CN names are the long official
# ones, e.g. 俄罗斯联邦), for the producers, refiners and consumers that rare-earth and
# aluminium news mentions.  Single characters (美, 俄) are left out: they appear in compounds
# such as 美俄合作 that name no quantity's region.
ZH_REGIONS: dict[str, str] = {
    "中国": "CHN", "中华人民共和国": "CHN", "我国": "CHN", "美国": "USA", "俄罗斯": "RUS",
    "俄联邦": "RUS", "澳大利亚": "AUS", "澳洲": "AUS", "缅甸": "MMR", "越南": "VNM",
    "巴西": "BRA", "印度": "IND", "马来西亚": "MYS", "日本": "JPN", "韩国": "KOR",
    "德国": "DEU", "法国": "FRA", "英国": "GBR", "加拿大": "CAN", "格陵兰": "GRL",
    "泰国": "THA", "尼日利亚": "NGA", "马达加斯加": "MDG", "老挝": "LAO", "南非": "ZAF",
    "坦桑尼亚": "TZA", "爱沙尼亚": "EST", "乌克兰": "UKR", "哈萨克斯坦": "KAZ", "蒙古": "MNG",
    "印度尼西亚": "IDN", "印尼": "IDN", "几内亚": "GIN", "沙特阿拉伯": "SAU", "沙特": "SAU",
    "阿联酋": "ARE", "巴林": "BHR", "挪威": "NOR", "冰岛": "ISL", "布隆迪": "BDI",
    "马拉维": "MWI", "安哥拉": "AGO", "瑞典": "SWE", "芬兰": "FIN", "意大利": "ITA",
    "西班牙": "ESP", "荷兰": "NLD", "比利时": "BEL", "奥地利": "AUT", "波兰": "POL",
    "捷克": "CZE", "斯洛文尼亚": "SVN", "台湾": "TWN", "牙买加": "JAM", "菲律宾": "PHL",
    "内蒙古": "CHN", "包头": "CHN", "江西": "CHN", "赣州": "CHN", "四川": "CHN",
    "克钦": "MMR", "乌德穆尔特": "RUS", "科拉半岛": "RUS",
    "欧盟": "EU", "全球": WORLD, "世界": WORLD, "全世界": WORLD, "国际": WORLD,
    "美方": "USA", "中方": "CHN", "俄方": "RUS", "日方": "JPN", "北京": "CHN", "华盛顿": "USA",
    "莫斯科": "RUS", "东京": "JPN", "山东": "CHN", "广西": "CHN", "云南": "CHN", "克钦邦": "MMR",
    "北方稀土": "CHN", "中国稀土集团": "CHN", "俄铝": "RUS", "莱纳斯": "AUS", "关丹": "MYS",
    "欧洲": "EU", "鹿特丹": "EU", "中国以外": "ROW", "海外": "ROW", "境外": "ROW",
    "第232条": "USA", "对华": "CHN", "输华": "CHN",
}  # fmt: skip
# A rank among an importer's sources: "the largest supplier", 最大供应国, 第一大来源国.
SUPPLIER_CUES = r"\bsuppliers?\b|\bsources? of (?:\w+ )?imports\b|供应国|供应方|来源国|进口来源"
# A share of a venture or a company's equity: a stake, not a market share.
STAKE_CUES = (
    r"\b(?:own|owns|keep|keeps|hold|holds|held|retain\w*)\b[^.]{0,50}?\b(?:venture|company)\b"
    r"|\bof the (?:joint )?venture\b|\bstakes?\b|\bequity\b|股权|持股|股份"
)
# Numbers of a list: joined only by these ("second and third", 增长5.9%和4.2%).
LIST_JOIN = r"^\s*(?:and|和|与|及|、)\s*$"
# Words of a share, which stop a duty or reliance from carrying on to the next rate.
SHARE_WORDS = r"占|份额|比重|\bshare\b|accounted for|\bsupplied\b"
# A share of imports that came from a place (逾四成来自俄罗斯), not a dependence on one.
CAME_FROM = r"(?:来自|自|从|\bfrom\b)\s*$"
IMPORT_WORDS = r"进口|\bimport"
# A company a plant was built or run with: a partner, not where the figure is.
BUILT_WITH = r"\bwith\s+$"
# A price free on board (离岸价, FOB China) is the export price: the world price in the packs.
FOB_CUES = r"离岸|\bFOB\b|free on board"
# A premium paid on top of an exchange price (the Midwest premium, 升水): not the price itself.
PREMIUM_CUES = r"升水|溢价|\bpremiums?\b"
# A place named as the origin of goods ("Japanese aluminium", "most Malaysian goods"): under a
# duty it is the partner, not the country that levies it.
ORIGIN_AFTER = (
    r"^\s+(?:aluminium|aluminum|goods|metal|ingots?|products|imports|exports|steel|magnets)\b"
)
# A duty's place after these is the country that levies it ("pays 50% on entry to the United
# States", 进入美国市场): the origin named beside it is the partner.
LEVIER_BEFORE = r"(?:\bentry (?:in)?to|\bimports? into|\bentering|进入|输入)\s*(?:the\s+)?$"
# Companies among the names: they stand for their home country only where no place is named
# beside them (Lynas's plant in Malaysia is Malaysia's).
COMPANIES = frozenset({
    "北方稀土", "中国稀土集团", "俄铝", "莱纳斯", "MP Materials", "MP's", "Lynas", "Iluka",
    "Rusal", "Serra Verde", "Alcoa", "Century Aluminum", "Maaden", "EGA",
    "Emirates Global Aluminium",
})  # fmt: skip
# Names that hold a place name but stand for a source or an agency, not a place: the US
# Geological Survey's figure for Myanmar is Myanmar's, not the United States'.
SOURCE_NAMES = (
    "美国地质调查局", "美国地质勘探局", "国际能源署", "国际能源机构", "US Geological Survey",
    "U.S. Geological Survey", "United States Geological Survey", "USGS",
    "International Energy Agency", "US International Development Finance Corporation",
)  # fmt: skip
# Words that stand for a place named before: 该国, "the country".  They take the subject of
# the sentence (its first place) or, if it names none before them, of the sentence before.
PRONOUNS = (
    r"该国|此国|the country(?:'s)?|its own|the nation(?:'s)?"
    # 其 ("its") before a noun of output or trade, not 其中, 其他, 尤其 and the like
    r"|(?<![尤极与及])其(?=产量|产能|储量|出口|进口|矿产量|原铝|稀土|年产|总产量)"
)
# A place named as the owner of a policy or a market ("the steepest US tariff", "US buyers"):
# not what "the country" in the next sentence stands for.
POLICY_OWNER_AFTER = (
    r"^\s+(?:tariffs?|dut(?:y|ies)|toll|sanctions|customs|border|market|buyers|government"
    r"|officials|administration|dollars?)\b"
)
# A tax rebate on exports (出口退税, "export tax rebate"): neither a duty nor a share.
REBATE_CUES = r"退税|\brebates?\b"
# A multiple of another level at the same time ("six times as much as", "three times the
# price inside China", 约为…的1.6倍), not a change over time (翻番, "three times the 2024 level").
LEVEL_MULTIPLE_AFTER = r"^\s*(?:as (?:much|many|large|big|high)\b|the price\b|that of\b)"
LEVEL_MULTIPLE_BEFORE = r"(?:是|为|约为|相当于)[^，。]{1,24}的$"
# The latter and the former of the last two places named before them.
LATTER_FORMER = r"后者|前者|\bthe latter\b|\bthe former\b"
# Words for the text's own country: "national output", "domestic prices" (the country the text
# is about); 国内, 全国 in the Chinese press are China.
HOME_WORDS = r"\bnational\b|\bdomestic\b|\bhome-grown\b"
HOME_WORDS_ZH = r"国内|全国"
# A place after these in its clause is what something is compared with (仅次于中国和印度,
# "after China") or passed through (透过美国、日本, "via Japan"), not the subject of a rank.
COMPARISON_CUES = (
    r"仅次于|次于|超过|超越|落后于|领先于|透过|通过|经由|"
    r"\bafter\b|\bbehind\b|\bthan\b|\bonly to\b|\bahead of\b|\btrailing\b|\bvia\b"
)
# Words that stand between a place and what it passes through: the place after them is never
# the subject of a figure (透过美国、欧洲与日本的材料间接使用，每年需求约1500吨).
VIA_CUES = r"透过|通过|经由|\bvia\b|\bthrough\b"
# A place after these is where a share of imports comes from (逾四成来自俄罗斯, 进口依赖中国,
# "dependence on China"): the share is that place's.
SOURCE_BEFORE = r"(?:自|从|来自|依赖|依赖于|\bfrom\b|\bon\b)\s*$"
# Words that make 向, 对, "to", "from" name a trade partner.
TRADE_CUES = (
    r"出口|进口|输往|运往|销往|供应|采购|购买|依赖|exports?|imports?|export\w*|import\w*|ship\w*"
    r"|sold|sells?|\bsen[dt]s?\b|bought|buys?|suppl\w*|purchas\w*|depend\w*|reli\w*|关税|加征|tariffs?"
    r"|dut(?:y|ies)"
)

# English names the ISO list does not give as such: short forms, old names and adjectives
# ("Chinese output").  pycountry supplies the official and common names of every country.
EN_ALIASES: dict[str, str] = {
    "US": "USA", "U.S.": "USA", "USA": "USA", "United States": "USA", "America": "USA",
    "American": "USA", "China": "CHN", "Chinese": "CHN", "Beijing": "CHN", "Russia": "RUS",
    "Russian": "RUS", "Moscow": "RUS", "Australian": "AUS", "Burma": "MMR", "Myanmar": "MMR",
    "Burmese": "MMR", "Vietnam": "VNM", "Vietnamese": "VNM", "Brazilian": "BRA",
    "Indian": "IND", "Malaysian": "MYS", "Japanese": "JPN", "Tokyo": "JPN",
    "South Korea": "KOR", "Korea": "KOR", "Korean": "KOR", "German": "DEU", "French": "FRA",
    "UK": "GBR", "Britain": "GBR", "British": "GBR", "Canadian": "CAN", "Thai": "THA",
    "Nigerian": "NGA", "Laos": "LAO", "Estonian": "EST", "Ukrainian": "UKR",
    "Tanzania": "TZA", "Taiwan": "TWN", "Texas": "USA", "California": "USA",
    "Mountain Pass": "USA", "Inner Mongolia": "CHN", "Baotou": "CHN", "Jiangxi": "CHN",
    "Kachin": "MMR", "Lovozero": "RUS", "Kola Peninsula": "RUS", "La Rochelle": "FRA",
    "Kuantan": "MYS", "Mount Weld": "AUS", "Kalgoorlie": "AUS", "EU": "EU", "European Union": "EU",
    "world": WORLD, "World": WORLD, "global": WORLD, "Global": WORLD, "worldwide": WORLD,
    "international": WORLD, "Washington": "USA", "Oklahoma": "USA", "Kentucky": "USA",
    "South Carolina": "USA", "Louisiana": "USA", "Wyoming": "USA", "Quebec": "CAN",
    "Saskatchewan": "CAN", "Ontario": "CAN", "British Columbia": "CAN",
    "Western Australia": "AUS", "MP Materials": "USA", "Lynas": "AUS", "Iluka": "AUS",
    "Rusal": "RUS", "Serra Verde": "BRA", "Alcoa": "USA", "Century Aluminum": "USA",
    "outside China": "ROW", "ex-China": "ROW", "MP's": "USA", "Section 232": "USA",
    "Midwest": "USA", "Europe": "EU", "European": "EU", "Rotterdam": "EU",
    "UAE": "ARE", "Emirati": "ARE", "Abu Dhabi": "ARE", "Dubai": "ARE", "Saudi": "SAU",
    "Riyadh": "SAU", "Ras Al-Khair": "SAU", "Bahraini": "BHR", "Narva": "EST", "Sillamae": "EST",
    "Pentagon": "USA", "Maaden": "SAU", "EGA": "ARE", "Emirates Global Aluminium": "ARE",
}  # fmt: skip


@cache
def region_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """One alternation of every place name (longest first) and the code each stands for."""
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name"):
            value = getattr(country, attr, None)
            if value and "," not in value:
                names[value] = country.alpha_3
    names.update(EN_ALIASES)
    names.update(ZH_REGIONS)
    names.update(dict.fromkeys(SOURCE_NAMES, ""))  # found, then left out: no place
    ordered = sorted(names, key=len, reverse=True)
    # English names must stand as words; Chinese names have no word boundaries.  The word
    # checks stand outside one group of English names (not on each name), which lets the regex
    # engine skip positions fast: about fifteen times quicker, the same matches, because a
    # name starting with an ASCII letter and one starting otherwise never match at one place.
    english = "|".join(re.escape(n) for n in ordered if n[0].isascii())
    other = "|".join(re.escape(n) for n in ordered if not n[0].isascii())
    return re.compile(rf"(?<![A-Za-z])(?:{english})(?![A-Za-z])|(?:{other})"), names


# Metrics, tried in this order on the words around a number (first match wins).
METRIC_CUES: dict[str, str] = {
    "net_import_reliance": r"净进口依赖|进口依存度|对外依存度|依赖进口|仰赖进口|进口依赖度"
    r"|net import reliance"
    r"|依赖度|import reliance|reli(?:es|ed|ant|y) on (?:net )?imports|dependen(?:ce|t) on imports"
    r"|import dependen\w*|net imports (?:met|supplied|covered|accounted for)",
    "tariff": r"关税|税率|税费|加征|征收|tariffs?\b|dut(?:y|ies)\b|levy|levies|\bon entry\b"
    r"|\bcharg(?:e|es|ed|ing)\b(?= (?:about |around |nearly )?\d)"
    r"|\bpa(?:ys|id|ying)\b(?= (?:a |about |around |nearly )?\d[\d.]*\s?%)",
    "price_floor": r"底价|保底价|最低价|价格下限|价格底线|price floor|floor price|\bfloor\b"
    r"|\bguarantee[sd]?\b",
    "stocks": r"战略储备|国家储备|收储|库存|储备库|stockpil\w*|inventor(?:y|ies)|\bstocks\b",
    "reserves": r"储量|储备|reserves?\b|resources? base",
    "capacity": r"产能|能力|可年产|设计年产|capacity|capacities|nameplate|"
    r"can (?:produce|separate|process|make|treat)|able to (?:make|produce|treat|process|separate"
    r"|turn out)|designed (?:to|for)",
    # a quota of one stage (开采指标, "mining quota") is a quota, not that stage's output
    "quota": r"(?:开采|冶炼分离|分离|出口|mining |separation |export )?(?:配额|指标|quotas?\b)",
    "exports": r"出口|输往|运往|销往|对华供应|exports?|exported|shipments? abroad|shipped to"
    r"|supplied to|\bshipped\b|\bshipments\b|\bsent\b",
    "imports": r"进口|imports?|imported",
    "investment": r"投资|投入|资金|融资|注资|出资|拨款|贷款|补贴|invest\w*|fund\w*|financ\w*"
    r"|loans?\b"
    r"|subsid\w*|grants?\b|placement|equity|stake\b|preferred stock|capital rais\w*"
    r"|\bspend\w*|\bspent\b|\bsupport\b|\b(?:has|have|had) put\b|capital spending",
    "value": r"价值|估值|(?<!support )worth|valued|value",
    "other": r"销量|销售量",  # what a company sold: neither its output nor a country's trade
    "price": r"价格|均价|报价|prices?\b|(?<!was )priced\b"
    r"|\baveraged?\b(?= (?:about |near |around )?\$)|\baverage at\b",
    "consumption": r"消费量|消费|需求|用量|\bdemand\b|consum\w*|\bneeds\b"
    r"|\bus(?:es|ed)\b(?= (?:about |around |roughly |some |nearly )?[\d.,]+)",
    "production": r"产量|生产|开采|产出|出产|开采量|出矿量|分离出|提炼出|冶炼出|年产|\boutput"
    r"|\bproduc(?:e|es|ed|er|ers|ing|tion)\b"
    r"|\bmined\b|\bmining\b"
    r"|\bmine\b|\bsuppl(?:y|ied|ies)\b|\bextract\w*"
    r"|\b(?:made|turned out)\b(?= (?:about |roughly |nearly |some |around )?[\d.,]+)",
}

# Supply-chain stages; the first that matches wins.  "稀土金属" alone is the press's loose word
# for rare earths and names no stage.
STAGE_CUES: dict[str, str] = {
    # (回收的稀土氧化物: the longer cue wins over 氧化物 at the same distance)
    "recycling": r"回收[的了]?(?:稀土)?(?:氧化物)?|再生稀土|\brecycl\w*|\brecovered from\b",
    "magnet": r"磁铁|磁体|永磁|磁材|magnets?\b",
    "metal": r"金属冶炼|金属生产|金属产能|镨钕金属|金属镨钕|\b(?:NdPr|neodymium|Nd-Pr) metal\b"
    r"|(?<!earth )(?<!earth-)metal(?:s)? (?:making|production|output|capacity)"
    r"|metallisation|metallization",
    "separation": r"精炼|冶炼分离|冶炼|分离|提炼|加工|氧化物|化合物|氧化[镨钕镝铽镧铈钐铕钆钇]|"
    r"\bNdPr\b|\bcompounds\b|refin\w*|separat\w*|processing|processed"
    r"|(?<!earth )(?<!earth-)oxides?\b",
    "mining": r"开采|采矿|矿山|矿产量|矿石|精矿|\bmin(?:ing|ed|es?)\b|\bores?\b|\bconcentrates?\b"
    r"|oxide[\w ]{0,12}? in (?:a )?(?:mixed )?concentrate",
}

# Metrics of a country's policy or position: with no place in the sentence they are the
# country the text is about, not the last place named (a list of suppliers, say).
POLICY_METRICS = ("tariff", "price_floor", "net_import_reliance")

# Metrics counted in tonnes, which a bare tonnage may take from elsewhere in its sentence.
TONNAGE_METRICS = (
    "reserves", "capacity", "quota", "exports", "imports", "production", "consumption", "stocks"
)  # fmt: skip

# What a figure is about; the cue nearest the number wins, else the text's main commodity.
COMMODITY_CUES: dict[str, str] = {
    "aluminium": r"铝|alumin(?:i)?um|bauxite|alumina|smelters?\b|Rusal|Alcoa|Century Aluminum"
    r"|\bMidwest (?:premium|price)|中西部",
    "rare_earths": r"稀土|镨钕|钕|镝|铽|磁体|磁材|永磁|rare[- ]earths?|NdPr|neodymium|"
    r"dysprosium|terbium|magnets?\b|MP Materials|Lynas",
    "other": r"锂|钴|镍|镓|锗|锑|钨|石墨|铜|钢铁|钢材|商品|\bgoods\b|lithium|cobalt|nickel|gallium|"
    r"germanium|"
    r"antimony|tungsten|graphite|copper|steel|uranium|铀",
}
# Aluminium's stages; news that names none means primary aluminium (smelter output).
ALUMINIUM_STAGE_CUES: dict[str, str] = {
    "bauxite": r"铝土矿|铝矿石|bauxite",
    "alumina": r"氧化铝|alumina\b|\brefiner(?:y|ies)\b",
    "secondary": r"再生铝|废铝|secondary alumin\w*|recycled alumin\w*|scrap",
    "primary": r"原铝|电解铝|primary (?:alumin\w*|metal)|smelt\w*|冶炼",
}

GROWTH_CUES = (
    r"增长|增加|提高|提升|下降|减少|上涨|下跌|降低|激增|暴增|大增|飙升|骤降|锐减|暴跌|大跌|下滑|涨|跌|"
    r"增幅|增速|涨幅|降幅|跌幅|减产|增产|低了|高了|多出|高出|多了|少了|削减|缩减|回落|回升|多找|"
    r"年增|年减|月增|月减|跌去|减去|"
    r"\blift\w*|\bboost\w*|"
    r"\braise\w*|\bgain(?:s|ed|ing)?\b|"
    r"surg\w*|soar\w*|plung\w*|slump\w*|tumbl\w*|climb\w*|"
    r"grow\w*|grew|ris(?:e|es|ing)|rose|"
    r"increas\w*|fell|fall\w*|declin\w*|drop\w*|jump\w*|surg\w*|up by|down by|higher|lower|cut"
)
# Words just after a rate that make it a change against a year before ("10% less than").
RATE_AFTER_DECLINE = r"less\b|lower\b|below\b|smaller\b|fewer\b"
# A growth word that makes a rate negative: 下降8%, "fell by a third".
DECLINE_CUES = (
    r"下降|减少|下跌|降低|骤降|锐减|暴跌|大跌|下滑|跌|萎缩|回落|缩减|削减|减产|低了|降幅|跌幅|"
    r"年减|月减|减去|跌去|"
    r"\bfell\b|\bfall\w*|declin\w*|\bdrop\w*|plung\w*|slump\w*|tumbl\w*|\bdown\b|\bcut\b|"
    r"shr[ai]nk\w*|\blower\b|\bslid\w*"
)
GAP_CUES = r"落后|差距|领先|behind|lag\w*|ahead"

PLAN_CUES = (
    r"计划|目标|规划|拟|(?<![已曾并])将(?!近)|预计|力争|争取|打算|有望|预期|愿景|"
    r"\bplans?\b|\bplanned\b|\bplanning\b|\btargets?\b|\btargeted\b|\baims?\b|\baiming\b|"
    r"\bwill\b|\bwould\b|\bintends?\b|\bexpects?\b|\bexpected to\b|\bgoal\b|\bforecasts?\b|"
    r"\bprojected\b|\bprojects to\b|\bseeks? to\b|\bto reach\b|\bpledged?\b|希望|"
    r"\bwants? to\b|\bwants? a\b|威胁|扬言|\bthreaten\w*"
)
# Words that make a figure beside them a plan, though a plant's year alone is no plan of theirs
# (a dated plan needs one of PLAN_CUES): offers, proposals, works under way, starts due.
PLAN_MORE = (
    r"\bshould (?:start|begin|open|reach|come)\b|\b(?:is|are) due to\b|\bproposed\b"
    r"|\bfloated\b|\boffered\b|\bexpect(?:s|ed)? [\w' -]{0,30}?\bto\b"
    r"|\b(?:is|are) (?:restarting|reopening|building|constructing)\b"
    r"|启动|开工|动工|拟建|在建|宣布减产|宣布增产"
    r"|\bcould\b|\bmight\b|(?-i:\bmay\b)|\bagreed to\b|\bwould\b|可能|或将"
)
FIGURE_PLAN_CUES = f"{PLAN_CUES}|{PLAN_MORE}"
# A plant still being built or due to start: anywhere in its sentence, its capacity is planned
# ("is designed to treat 5,000 tonnes a year and should start in 2026", 支持其興建分離線，設計產能).
WORKS_UNDER_WAY = (
    r"\bshould (?:start|begin|open)\b|\b(?:being|to be) built\b|\bunder construction\b"
    r"|\b(?:is|are) (?:building|constructing)\b"
    r"|兴建|在建|拟建|建设中|正在建设|开工|动工"
)
# Plan words that only estimate: about a year already over they give an estimate, a fact
# (预计2025年净利翻一番 in January 2026).
ESTIMATE_CUES = r"预计|预期|有望|\bexpects?\b|\bexpected\b|\bforecasts?\b|\bprojected\b"
# Words that put a figure in the present even when a future year is in the sentence.
PRESENT_CUES = r"目前|现在|如今|当前|现有|\btoday\b|\bnow\b|\bcurrently\b|\bat present\b"
# A build verb with a plant: the tonnage is the plant's capacity, not its output.
BUILD_CUES = r"建设|新建|兴建|建成|建造|\bbuild\w*|\bbuilt\b|\bconstruct\w*"
# A year that the text places in the future: 到2030年, by 2030.
FUTURE_YEAR = (
    r"(?:到|至|在|于)?(?P<y>20\d\d)年(?:前|之前|底|末)?|\bby (?:the end of )?(?P<y2>20\d\d)\b"
)

# Words that may stand between a growth word and its rate: 下滑近六成, "by almost 10%".
RATE_HEDGES = (
    r"\s*(?:了|为|达|by|of)?\s*(?:约|近|至少|超过|逾|将近|接近|大约|about|almost|nearly|some|roughly"
    r"|around|more than|at least|over)?\s*"
)
# What a share is of, when the text says it after the number ("70% of those imports").
SHARE_OF = {
    "imports": r"imports?|purchases|brought in|bought abroad", "exports": r"exports?|shipments",
    "reserves": r"reserves",
    "capacity": r"capacity", "consumption": r"consumption|demand|needs|use",
    "production": r"output|production|supply|mining",
}  # fmt: skip

# The year a change is measured from: "up 26% on 2023", "from 2023", 较2023年增长, 比2023年.
BASE_YEAR_AFTER = (
    r"^\s*(?:percent\s+)?(?:on|from|over|against|compared with|versus|vs\.?)\s+(?:the\s+)?"
    r"(?:(?:year|level|average) (?:of |in )?)?(?P<y>20\d\d)\b"
)
BASE_YEAR_BEFORE = r"(?:比|较|与|同)(?P<y>20\d\d)年(?:相比|同期)?[^，。\d]{0,6}$"
# A figure for part of a year: a month, a quarter, the first ten months.  The pack holds
# years, so such a figure is read but not held against a yearly one.
PART_OF_YEAR = (
    r"(?<!\d)(?:1[0-2]|[1-9])月(?!\d{1,2}日)(?![^，。]{0,3}(?:发布|公布|宣布|印发|出台|表示))"
    r"|单月|(?:当月|同月|本月|上月)(?![^，。]{0,3}(?:发布|公布|宣布|印发|出台|表示))"
    r"|前[一二三四五六七八九十\d]+个?月|第[一二三四]批|首批"
    r"|\bfirst batch\b"
    r"|[一二三四]季度|上半年|下半年|前三季度|"
    r"\b(?:in|for|during) (?:January|February|March|April|May|June|July|August|September"
    r"|October|November|December)\b|\bfirst (?:two|three|four|five|six|seven|eight|nine|ten"
    r"|eleven) months\b|\bfirst (?:half|quarter)\b|\bquarter\b|\bmonthly\b|\ba month\b"
)
# A year that ends in some month: a fiscal year, still a year.
FISCAL_YEAR = (
    r"财年|财政年度|会计年度|fiscal (?:year|20\d\d)|financial year"
    r"|\byear (?:to|ended|ending) (?:the end of )?(?:January|February|March|April|May|June|July"
    r"|August|September|October|November|December)\b"
)
# The article's own year named without its number (今年, "so far this year"), and the year
# before last; "last year" (去年) is the default, the latest full year.
THIS_YEAR = r"今年|本年|年内|年初至今|\bthis year\b|\byear to date\b|\bof the year\b"
YEAR_BEFORE_LAST = r"前年|\bthe year before last\b|\btwo years ago\b"
NEXT_YEAR = r"明年|来年|\bnext year\b"
# A dependence on a source for a share of supply: a share of imports from that source.
RELIES_FOR = (
    r"\b(?:reli(?:es|ed|ant)|depend(?:s|ed|ent)?) on [\w' -]{2,40}? for "
    r"(?:about |around |nearly |almost |some )?$"
)
# A month named without a year (6月, "since March 12", "in June"): the article's own year.
MONTH_NO_YEAR = (
    r"(?<![\d年])(?:1[0-2]|[1-9])月|\b(?:January|February|March|April|May|June|July|August"
    r"|September|October|November|December)\b(?!,? 20\d\d)"
)
# The first figure of a change (从75%降至48%, "from 75% to 48%") is where things stand now.
CHANGE_FROM = r"(?:\bfrom|从|由)\s*$"
CHANGE_TO = r"^\s*(?:\bto\b|降至|升至|增至|减至|降到|升到|提高到|提高至|下降到|下降至|至|到)"
# A growth noun and its rate a few characters on (增幅将收窄至1%, "growth of 5%").
RATE_NOUN = (
    r"(?:增幅|增速|涨幅|降幅|跌幅|growth rate|growth)[^，。,;；\d]{0,6}(?:至|到|为|达|of|at)\s*$"
)
APPROX_BEFORE = (
    r"(?:约|大约|大概|近|接近|将近|估计约?|差不多|"
    r"\babout|\baround|\broughly|\bapproximately|\bnearly|\balmost|\bsome|\bcirca|"
    r"\ban estimated|~|\bclose to|\baround)\s*$"
)
APPROX_AFTER = r"^\s*(?:左右|上下|余)"
LOWER_BEFORE = (
    r"(?:超过|逾|多于|至少|不少于|高于|大于|站上|突破|"
    r"\bmore than|\bover|\babove|\bat least|\bupwards of|\bin excess of|\bexceed\w*|>|≥"
    r"|\bno (?:less|fewer) than|\bnot (?:less|fewer) than|\btop(?:s|ped)\b|\bsurpass\w*)"
    r"\s*(?:全球|世界|全国)?的?\s*$"
)
LOWER_AFTER = r"^\s*(?:以上|之多|多)"
UPPER_BEFORE = (
    r"(?:不到|不足|少于|低于|小于|不超过|至多|"
    r"(?<!\bno )(?<!\bnot )\bless than|\bunder|\bbelow|(?<!\bno )(?<!\bnot )\bfewer than"
    r"|\bup to|\bat most|\bno more than|\bas (?:much|many|high) as|<|≤)\s*$"
)
# (a cap a government set is a quota's value, not a bound: CAP_AFTER)
UPPER_AFTER = r"^\s*(?:以下|以内|之内)"
# A cap a government set ("the 45-million-tonne capacity ceiling", 4500万吨的产能上限): the
# figure is the cap itself, a quota, not a bound on another figure.
CAP_AFTER = (
    r"^(?:[-\s]a[-\s]year)?\s*(?:的)?(?:产能|capacity\s)?[“\"]?"
    r"(?:上限|天花板|红线|ceiling|cap\b|limit\b)"
)

# Oxides whose prices the packs hold; NdPr before Nd and Pr.
ELEMENT_CUES: dict[str, str] = {
    "NdPr": r"镨钕|NdPr|Nd-Pr|PrNd|Pr-Nd",
    "Nd": r"钕|neodymium|\bNd\b",
    "Pr": r"镨|praseodymium|\bPr\b",
    "Dy": r"镝|dysprosium|\bDy\b",
    "Tb": r"铽|terbium|\bTb\b",
    "La": r"镧|lanthanum|\bLa\b",
    "Ce": r"铈|cerium|\bCe\b",
    "Sm": r"钐|samarium|\bSm\b",
    "Eu": r"铕|europium|\bEu\b",
    "Gd": r"钆|gadolinium|\bGd\b",
    "Y": r"钇|yttrium",
}
# 向中国出口, "exports to Japan", 从缅甸进口: the place after these is the trade partner.
PARTNER_BEFORE = (
    r"(?:向|对|从|自|来自|输往|运往|销往|出口到|出口至|\bto\b|\bfrom\b|\binto\b"
    r"|\b(?:sent|sends|shipped|ships|sold|sells|supplied|supplies)\b)\s*(?:the\s+)?$"
)
# "Madagascar and Thailand together": one figure for several regions.
TOGETHER_CUES = r"合计|共计|一共|总共|加起来|\btogether\b|\bcombined\b|\bbetween them\b"
# "the two countries", 上述三国, "both": a group of the last places named, and its size.
GROUP_OF = (
    r"(?:上述|这|此|该)?([两二三四五])(?:个)?(?:国|国家|地区)|\bthe (two|three|four|five) "
    r"(?:countries|nations|producers|suppliers)\b|\b(both)\b(?! (?:in|at|to|for)\b)"
)
GROUP_SIZES = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "two": 2, "three": 3, "four": 4,
               "five": 5, "both": 2}  # fmt: skip
EXPORT_QUOTA = r"出口配额|出口指标|export quota"
# A plant, mine or project: a plan that names one but no tonnage is still a dated plan.
FACILITY_CUES = r"厂|工厂|项目|矿山|生产线|基地|plant|factory|facility|project|mine\b|refinery"
# One plant or one company named as the figure's holder ("the smelter produced", "its first
# factory ... has a capacity of", 该公司旗下的铝厂年产): its figure is not its country's total.
# A country's plants ("the country's plants", "its own smelters") are the country's.
_PLANT_NOUNS = (
    r"(?:smelter|plant|refinery|factory|facility|mine|mill|circuit|potline|project|phase)"
)
ENTITY_EN = (
    rf"\b(?:the|this|that|a|one|first|new)\s+(?:[\w-]+\s+){{0,3}}?{_PLANT_NOUNS}s?\b(?!-)"
    rf"|\b(?:its|their)\s+(?!own\b)(?:[\w-]+\s+){{0,3}}?{_PLANT_NOUNS}\b(?![s-])"
    rf"|\b{_PLANT_NOUNS}'s\b|\b(?:designed|built) (?:to|for)\b"
)
ENTITY_ZH = (
    r"设计(?:年)?产能|该公司|该厂|该企业|该集团|该项目|该矿|旗下|(?:这座|一座|首座|这家|一家|该座)"
    r"[^，。；]{0,8}(?:公司|企业|厂|项目|矿山|生产线|产线|基地)"
)
NATIONAL_HOLDER = r"country's|nation's|national|\bUS\b|\bUS's\b"
#: metrics a plant's or a company's figure is never its country's for
ENTITY_METRICS = ("capacity", "production", "share", "exports", "imports")
