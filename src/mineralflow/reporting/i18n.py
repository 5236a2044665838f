"""Words of the report in English and Chinese (zh-CN).

Country names come from the ISO 3166 translations that ship with pycountry; stages, sectors,
headings and sentence templates are written here. Every key exists in both languages, and a
test checks that.
"""

from __future__ import annotations

import gettext
from functools import cache

import pycountry

from mineralflow.errors import MineralflowError

LANGUAGES = ("en", "zh")

AGGREGATES = {
    "en": {"ROW": "Rest of world", "World": "World", "EU": "European Union", "WLD": "World"},
    "zh": {"ROW": "世界其他地区", "World": "世界", "EU": "欧盟", "WLD": "世界"},
}

STAGES = {
    "en": {
        "Mining": "Mining",
        "Separation": "Separation",
        "Heavy Separation": "Heavy separation",
        "Metal": "Metal",
        "Magnet": "Magnets",
        "Bauxite": "Bauxite",
        "Alumina": "Alumina",
        "Primary": "Primary aluminium",
        "Secondary": "Secondary aluminium (old scrap)",
        "Recycling": "Recycling of magnet scrap",
        "Unreported": "Unreported output",
        "Consumption": "Consumption",
    },
    "zh": {
        "Mining": "开采",
        "Separation": "分离",
        "Heavy Separation": "重稀土分离",
        "Metal": "金属冶炼",
        "Magnet": "磁材",
        "Bauxite": "铝土矿",
        "Alumina": "氧化铝",
        "Primary": "原铝",
        "Secondary": "再生铝（旧废料）",
        "Recycling": "磁材废料回收",
        "Unreported": "统计外产量",
        "Consumption": "消费",
    },
}

COMMODITIES = {
    "en": {"Rare Earths": "rare earths", "Aluminium": "aluminium"},
    "zh": {"Rare Earths": "稀土", "Aluminium": "铝"},
}

#: element names in Chinese (氧化钕, not 氧化Nd); symbols stay symbols in English
ELEMENTS_ZH = {
    "La": "镧", "Ce": "铈", "Pr": "镨", "Nd": "钕", "Sm": "钐", "Eu": "铕", "Gd": "钆",
    "Tb": "铽", "Dy": "镝", "Ho": "钬", "Er": "铒", "Tm": "铥", "Yb": "镱", "Lu": "镥",
    "Y": "钇", "Sc": "钪", "NdPr": "镨钕",
}  # fmt: skip

SECTORS = {
    "en": {
        "Ev Traction": "EV traction motors",
        "Wind": "wind turbines",
        "Industrial Motors": "industrial motors",
        "Electronics": "electronics",
        "Defence": "defence",
        "Magnets Other": "other magnets",
        "Catalysts": "catalysts",
        "Glass Polishing": "glass and polishing",
        "Metallurgy": "metallurgy",
        "Batteries": "batteries",
        "Phosphors": "phosphors",
        "Ceramics": "ceramics",
        "Other": "other uses",
        "Transportation": "transportation",
        "Packaging": "packaging",
        "Building": "building",
        "Electrical": "electrical",
        "Consumer Durables": "consumer durables",
        "Machinery": "machinery",
        "All Uses": "all uses",
    },
    "zh": {
        "Ev Traction": "电动汽车驱动电机",
        "Wind": "风电",
        "Industrial Motors": "工业电机",
        "Electronics": "电子产品",
        "Defence": "国防",
        "Magnets Other": "其他磁材应用",
        "Catalysts": "催化剂",
        "Glass Polishing": "玻璃与抛光",
        "Metallurgy": "冶金",
        "Batteries": "电池",
        "Phosphors": "荧光粉",
        "Ceramics": "陶瓷",
        "Other": "其他用途",
        "Transportation": "交通运输",
        "Packaging": "包装",
        "Building": "建筑",
        "Electrical": "电力电气",
        "Consumer Durables": "耐用消费品",
        "Machinery": "机械",
        "All Uses": "全部用途",
    },
}

UNITS = {
    "en": {},
    "zh": {"t REO": "吨（稀土氧化物）", "t magnet": "吨磁材", "t metal": "吨金属", "t Al": "吨铝",
           "t": "吨", "t alumina": "吨氧化铝", "t bauxite": "吨铝土矿"},
}  # fmt: skip

VERDICTS = {
    "en": {
        "no material effect": "no material effect",
        "short-term limited, long-term significant": "short-term limited, long-term significant",
        "short-term, fading": "a short-term effect that fades",
        "immediate and lasting": "immediate and lasting",
        "moderate": "a moderate effect",
    },
    "zh": {
        "no material effect": "无实质影响",
        "short-term limited, long-term significant": "短期有限，长期显著",
        "short-term, fading": "短期影响，随后减弱",
        "immediate and lasting": "立即且持久",
        "moderate": "影响中等",
    },
}

#: the claims checker's verdicts, as a reader sees them
CLAIM_VERDICTS = {
    "en": {"consistent": "consistent", "inconsistent": "inconsistent", "outdated": "outdated",
           "unverifiable": "unverifiable", "plan": "plan (not judged)"},
    "zh": {"consistent": "一致", "inconsistent": "不一致", "outdated": "已过时（与旧版数据一致）",
           "unverifiable": "无法核实", "plan": "计划（不作判定）"},
}  # fmt: skip

TEXT = {
    "en": {
        "title": "mineralflow report: {scenario}",
        "subtitle": "Scenario {scenario}{versus}. Generated {date} by mineralflow {version}.",
        "versus": ", compared with {base}",
        "findings": "Headline findings",
        "charts": "Charts",
        "tables": "Data tables",
        "sources": "Sources and assumptions",
        "description": "Scenario description",
        "share": "{country} holds {value} of world {stage} in {year}.",
        "share_change": (
            "{country}'s share of world {stage} is {value} in {year}, against {base} "
            "in {base_name} ({change})."
        ),
        "hhi": (
            "World {stage} is {level}: its Herfindahl-Hirschman index is {value} "
            "in {year} (above 2,500 counts as highly concentrated)."
        ),
        "concentrated": "highly concentrated",
        "unconcentrated": "not highly concentrated",
        "price": "The world {product} price is {value} USD/kg in {year}{versus}.",
        "price_versus": ", {factor} times the {base_name} price of {base} USD/kg",
        "price_split": (
            "The {product} market is split in {year}: {inside} USD/kg in {country} and "
            "{outside} USD/kg outside it (the median of {markets} markets), {factor} times as "
            "much."
        ),
        "shortage": (
            "The largest shortfall, {against}, is in {country}, {sector}, in {year}: {value} "
            "{unit} less ({share}), {how}."
        ),
        "how_priced": "given up at the higher price, none of it rationed",
        "how_rationed": "{value} {unit} of it rationed at the buyers' price cap",
        "against_base": "against {base_name}",
        "against_prices": "against what buyers would take at {first} prices",
        "no_shortage": "No region goes short in any year.",
        "dependence": (
            "Of what {country} consumes, {value} was separated and {magnet} made into magnets "
            "in {origin} in {year} (origin tracing along the flows)."
        ),
        "supply_risk": (
            "EU supply risk (JRC method) of {material}: {value} in {year}, {verdict} "
            "(published 2023 assessment: {reference}; critical above 1)."
        ),
        "supply_risk_rising": "up from {start} in {first}",
        "supply_risk_falling": "down from {start} in {first}",
        "horizon": ("{stage}: China's share {cells}. Verdict: {verdict}."),
        "horizon_cell": "{base} → {value} in {year} ({change})",
        "horizon_intro": (
            "Short term against long term: China's share of each stage in {scenario} against "
            "{base_name}. Short term is 2025, long term 2035-2040; a change under {limited} "
            "percentage points is limited, from {significant} significant."
        ),
        "pp": "{value:+.1f} pp",
        "this_scenario": "this scenario",
        "named_scenario": "'{name}'",
        "sankey": "Flows of {commodity} by country and stage, {year} (t in each stage's unit)",
        "map": "Share of world {stage} by country, {year} (%)",
        "china_share": "{country}'s share of world output by stage (%)",
        "fan_shares": (
            "{country}'s share of world output by stage: median, 25-75 % and 5-95 % of {n} "
            "members (%)"
        ),
        "fan_prices": "Prices: median, 25-75 % and 5-95 % of {n} members, USD/kg",
        "range_intro": (
            "Ranges over the packs' uncertain estimates ({n} members, {method}): the median "
            "and, in brackets, 5-95 % of the members, in {year}."
        ),
        "range_share": "{country}'s {stage} share in {year}: {median} % ({low}-{high} %).",
        "range_price": "{product} in {country} in {year}: {median} USD/kg ({low}-{high}).",
        "prices": "World prices, USD/kg",
        "dependence_chart": "Where each stage of consumption took place, {stage}, {year} (%)",
        "supply_risk_chart": "EU supply-risk index (JRC method)",
        "year": "Year",
        "share_axis": "Share (%)",
        "price_axis": "USD/kg",
        "index_axis": "Index",
        "origin": "Origin",
        "scenario_label": "{name}",
        "base_label": "{name} (base)",
        "table_horizon": "China's share by stage: scenario against base (%)",
        "table_prices": "World prices (USD/kg)",
        "table_source": (
            "Source: mineralflow {version}, the run of scenario '{scenario}' on the packs "
            "{packs}; the publications behind the packs are listed under Sources."
        ),
        "table_shortages": "Largest shortfalls, {year}",
        "table_risk": "EU supply-risk index",
        "col_stage": "Stage",
        "col_year": "Year",
        "col_base": "Base",
        "col_scenario": "Scenario",
        "col_change": "Change (pp)",
        "col_verdict": "Verdict",
        "col_product": "Product",
        "col_region": "Region",
        "col_sector": "Sector",
        "col_value": "Value",
        "col_rationed": "Rationed",
        "col_unit": "Unit",
        "col_material": "Material",
        "col_publisher": "Publisher",
        "col_title": "Title",
        "col_edition": "Edition",
        "col_table": "Table or page",
        "col_method": "Estimate method",
        "assumptions": (
            "Figures come from a yearly spatial price equilibrium of the supply chain, "
            "calibrated to 2024 and stepped forward with demand growth, announced projects and "
            "price-driven investment. Shares are of the model's world (the sum over regions). "
            "Origin tracing shares every pool of a product in proportion to its sources, as in "
            "input-output analysis. The EU supply-risk index follows the JRC method with the "
            "trade-restriction factor set to 1. Publication titles are given in their original "
            "language. Every figure of the data packs names its source below; rows marked as "
            "estimates are explained in the project's docs/data.md."
        ),
        "sources_intro": "Publications behind the data packs of this run ({count}).",
        "none": "none",
    },
    "zh": {
        "title": "mineralflow 报告：{scenario}",
        "subtitle": "情景 {scenario}{versus}。由 mineralflow {version} 于 {date} 生成。",
        "versus": "，对比 {base}",
        "findings": "主要结论",
        "charts": "图表",
        "tables": "数据表",
        "sources": "资料来源与假设",
        "description": "情景说明",
        "share": "{year}年，{country}占世界{stage}的{value}。",
        "share_change": (
            "{year}年，{country}占世界{stage}的{value}，{base_name}情景为{base}（{change}）。"
        ),
        "hhi": (
            "{year}年，世界{stage}{level}：赫芬达尔-赫希曼指数为{value}（高于2,500即为高度集中）。"
        ),
        "concentrated": "高度集中",
        "unconcentrated": "并非高度集中",
        "price": "{year}年，{product}的世界价格为每公斤{value}美元{versus}。",
        "price_versus": "，是{base_name}情景价格（每公斤{base}美元）的{factor}倍",
        "price_split": (
            "{year}年{product}市场分割：{country}每公斤{inside}美元，{country}以外每公斤"
            "{outside}美元（{markets}个市场的中位数），是其{factor}倍。"
        ),
        "shortage": (
            "与{against}相比，缺口最大的是{country}的{sector}（{year}年）：少用{value}{unit}"
            "（{share}），{how}。"
        ),
        "how_priced": "均因价格上涨而放弃，无配给",
        "how_rationed": "其中{value}{unit}在买方价格上限处被配给",
        "against_base": "{base_name}情景",
        "against_prices": "按{first}年价格的需求",
        "no_shortage": "任何年份均无地区出现短缺。",
        "dependence": (
            "{year}年，{country}所消费的稀土中，{value}在{origin}分离，{magnet}在{origin}制成磁材"
            "（沿物流的来源追溯）。"
        ),
        "supply_risk": (
            "欧盟{material}供应风险（JRC方法）：{year}年为{value}，{verdict}"
            "（2023年官方评估：{reference}；高于1即为关键原材料）。"
        ),
        "supply_risk_rising": "高于{first}年的{start}",
        "supply_risk_falling": "低于{first}年的{start}",
        "horizon": "{stage}：中国份额{cells}。结论：{verdict}。",
        "horizon_cell": "{year}年由{base}变为{value}（{change}）",
        "horizon_intro": (
            "短期与长期：{scenario}中中国在各环节的份额与{base_name}情景对比。短期指2025年，"
            "长期指2035至2040年；变化小于{limited}个百分点为有限，达到{significant}个百分点为显著。"
        ),
        "pp": "{value:+.1f}个百分点",
        "this_scenario": "本情景",
        "named_scenario": "“{name}”情景",
        "sankey": "{year}年{commodity}按国家和环节的流向（吨，按各环节单位计）",
        "map": "{year}年各国占世界{stage}的份额（%）",
        "china_share": "{country}在各环节占世界产量的份额（%）",
        "fan_shares": (
            "{country}在各环节占世界产量的份额：{n}个成员的中位数、25-75%和5-95%区间（%）"
        ),
        "fan_prices": "价格：{n}个成员的中位数、25-75%和5-95%区间（美元/公斤）",
        "range_intro": (
            "数据包中不确定估计值带来的区间（{n}个成员，{method}方法）：{year}年的中位数，"
            "括号内为成员的5-95%区间。"
        ),
        "range_share": "{year}年{country}{stage}份额：{median}%（{low}-{high}%）。",
        "range_price": "{year}年{country}{product}：{median}美元/公斤（{low}-{high}）。",
        "prices": "世界价格（美元/公斤）",
        "dependence_chart": "{year}年消费中{stage}环节的发生地（%）",
        "supply_risk_chart": "欧盟供应风险指数（JRC方法）",
        "year": "年份",
        "share_axis": "份额（%）",
        "price_axis": "美元/公斤",
        "index_axis": "指数",
        "origin": "来源地",
        "scenario_label": "{name}",
        "base_label": "{name}（基准）",
        "table_horizon": "中国在各环节的份额：情景与基准对比（%）",
        "table_prices": "世界价格（美元/公斤）",
        "table_source": (
            "来源：mineralflow {version}，“{scenario}”情景在数据包{packs}上的运行结果；"
            "数据包所依据的出版物见“资料来源与假设”。"
        ),
        "table_shortages": "{year}年最大缺口",
        "table_risk": "欧盟供应风险指数",
        "col_stage": "环节",
        "col_year": "年份",
        "col_base": "基准",
        "col_scenario": "情景",
        "col_change": "变化（百分点）",
        "col_verdict": "结论",
        "col_product": "产品",
        "col_region": "地区",
        "col_sector": "领域",
        "col_value": "数值",
        "col_rationed": "配给量",
        "col_unit": "单位",
        "col_material": "材料",
        "col_publisher": "发布机构",
        "col_title": "标题",
        "col_edition": "版次",
        "col_table": "表格或页码",
        "col_method": "估算方法",
        "assumptions": (
            "本报告数据来自供应链的逐年空间价格均衡模型：以2024年为基年校准，并按需求增长、"
            "已公布项目和价格驱动的投资逐年推演。份额以模型中的世界总量（各地区之和）为分母。"
            "来源追溯按投入产出分析的方法，把每种产品的库存池按其来源比例分摊。"
            "欧盟供应风险指数采用JRC方法，贸易限制系数取1。出版物标题保留原文。"
            "数据包中的每个数字都在下文注明出处；标为估算的数据，其方法见项目文档 docs/data.md。"
        ),
        "sources_intro": "本次运行所用数据包引用的出版物（{count}种）。",
        "none": "无",
    },
}


#: other names of the languages (BCP 47 tags, as browsers send them)
ALIASES = {"zh-cn": "zh", "zh_cn": "zh", "zh-hans": "zh", "zh-hans-cn": "zh",
           "en-us": "en", "en-gb": "en", "en_us": "en", "en_gb": "en"}  # fmt: skip


def check_language(lang: str) -> str:
    """The report language ``lang`` names ('en', 'zh' or another name of one: 'zh-CN')."""
    lang = ALIASES.get(lang.strip().lower(), lang.strip().lower())
    if lang not in LANGUAGES:
        raise MineralflowError(
            f"unknown report language '{lang}'; languages: en, zh (also zh-CN, zh-Hans, en-US, "
            "en-GB)"
        )
    return lang


@cache
def _iso_zh() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])


@cache
def country(code: str, lang: str) -> str:
    """The name of a region code (ISO alpha-3 or an aggregate) in ``lang``."""
    if code in AGGREGATES[lang]:
        return AGGREGATES[lang][code]
    entry = pycountry.countries.get(alpha_3=code)
    if entry is None:
        return code
    name = getattr(entry, "common_name", None) or entry.name
    if lang == "en":
        return str(name)
    translated = _iso_zh().gettext(name)
    if translated == name:  # no translation of the common name: use the official one
        translated = _iso_zh().gettext(entry.name)
    return str(translated)


def stage(name: str, lang: str) -> str:
    return STAGES[lang].get(name, name)


def sector(name: str, lang: str) -> str:
    return SECTORS[lang].get(name, name)


#: stages whose name already says the commodity
SELF_NAMED = ("Bauxite", "Alumina", "Primary")


def stage_label(commodity_name: str, stage_name: str, lang: str) -> str:
    """``rare-earth mining`` / ``稀土开采``; ``primary aluminium`` / ``原铝``."""
    name = stage(stage_name, lang)
    if stage_name in SELF_NAMED:
        return name.lower() if lang == "en" else name
    if lang == "en":
        word = {"Rare Earths": "rare-earth"}.get(commodity_name, commodity(commodity_name, lang))
        return f"{word} {name.lower()}"
    return f"{commodity(commodity_name, lang)}{name}"


def unit(name: str, lang: str) -> str:
    return UNITS[lang].get(name, name)


def commodity(name: str, lang: str) -> str:
    return COMMODITIES[lang].get(name, name)


def element(symbol: str, lang: str) -> str:
    """An element's name: its symbol in English, its character(s) in Chinese."""
    return ELEMENTS_ZH.get(symbol, symbol) if lang == "zh" else symbol


def product(label: str, name: str, lang: str) -> str:
    """A product without an element of its own (aluminium, alumina, bauxite): its name in
    English, the commodity's or stage's Chinese name where there is one."""
    if lang != "zh":
        return name
    return COMMODITIES["zh"].get(label) or STAGES["zh"].get(label) or name


def text(key: str, lang: str, **values: object) -> str:
    return TEXT[lang][key].format(**values)


def labels(lang: str, regions: list[str]) -> dict[str, dict[str, str]]:
    """Every name a results view shows, in ``lang``: stages (as in variable names),
    commodities, elements, the ``regions`` given, units and claim verdicts."""
    return {
        "stages": dict(STAGES[lang]),
        "commodities": {name: commodity(name, lang) for name in COMMODITIES["en"]},
        "elements": {symbol: element(symbol, lang) for symbol in ELEMENTS_ZH},
        "regions": {code: country(code, lang) for code in sorted(regions)},
        "units": dict(UNITS[lang]),
        "verdicts": dict(CLAIM_VERDICTS[lang]),
    }
