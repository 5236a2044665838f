"""One test per failure class of the reader, on sentences written for these tests (none is from
the corpus, so the corpus keeps measuring what the rules were not written against)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from mineralflow.claims import check_text, extract_claims
from mineralflow.claims.claim import Claim
from mineralflow.claims.normalise import normalise
from mineralflow.claims.numbers import find_quantities

TODAY = date(2025, 9, 1)


def _read(text: str, today: date = TODAY) -> list[Claim]:
    return extract_claims(text, today)[0]


def _checked(text: str, today: date = TODAY) -> Claim:
    """The one claim of ``text``, judged against the bundled packs."""
    (claim,) = check_text(text, today=today).claims
    return claim


def _one(text: str, number: str, today: date = TODAY) -> Claim:
    found = [c for c in _read(text, today) if number in c.number_text]
    assert len(found) == 1, [(c.number_text, c.metric) for c in _read(text, today)]
    return found[0]


# -- numbers not read ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "low", "unit"),
    [
        ("老撾去年出口稀土1萬2040噸。", 12040.0, "t"),
        ("该厂产能为9000多万吨。", 90_000_000.0, "t"),
        ("中国约占全球三分之二的分离产能。", 200 / 3, "%"),
        ("Brazil supplied two-thirds of the ore.", 200 / 3, "%"),
        ("Japan bought three-quarters of the magnets.", 75.0, "%"),
        ("Exports fell by a third.", 100 / 3, "%"),
        ("The fund put A$120M into the plant.", 120e6, "AUD"),
        ("Sales reached ten percent of the total.", 10.0, "%"),
        ("马来西亚稀土分离量居次。", 2.0, "rank"),
        ("越南储量位居世界首位。", 1.0, "rank"),
        ("清单共有八类产品。", 8.0, "count"),
    ],
)
def test_numbers_in_words_and_traditional_characters_are_read(text, low, unit):
    found = find_quantities(normalise(text))
    assert [(round(q.low, 3), q.unit) for q in found] == [(round(low, 3), unit)]


def test_traditional_text_is_quoted_as_written_but_read_as_simplified():
    text = "中國去年出口稀土5萬1200噸。"
    claim = _one(text, "噸")
    assert (claim.region, claim.metric, claim.value) == ("CHN", "exports", 51200.0)
    assert claim.number_text == "5萬1200噸"
    assert claim.quote == text


def test_curly_apostrophe_and_second_and_third_place():
    text = "Estonia and Malaysia took second and third place in the world’s separation ranking."
    ranks = [c for c in _read(text) if c.metric == "rank"]
    assert [(c.region, c.value) for c in ranks] == [("EST", 2.0), ("MYS", 3.0)]


def test_a_year_is_not_the_start_of_a_range():
    claims = _read("Output should reach 9,000 tonnes by 2028 and 15,000 tonnes by 2035.")
    assert [(c.low, c.high, c.year) for c in claims] == [
        (9000.0, 9000.0, 2028),
        (15000.0, 15000.0, 2035),
    ]


# -- respectively ----------------------------------------------------------------------------


def test_respectively_pairs_each_number_with_its_place():
    text = "Thailand and Laos mined 9% and 6% of the world's rare earths respectively in 2024."
    shares = [c for c in _read(text) if c.unit == "%"]
    assert [(c.region, c.value) for c in shares] == [("THA", 9.0), ("LAO", 6.0)]


def test_fen_bie_pairs_in_order():
    text = "2024年，泰国和老挝稀土矿产量分别为1.3万吨和1.2万吨。"
    claims = _read(text)
    assert [(c.region, c.value) for c in claims] == [("THA", 13000.0), ("LAO", 12000.0)]


# -- metric ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "metric"),
    [
        ("巴西的稀土储备为2100万吨。", "2100万吨", "reserves"),
        ("今年一季度，越南稀土出口量激增75%。", "75%", "growth"),
        ("The EU set a 30% duty on Chinese magnets.", "30%", "tariff"),
        ("The country relied on net imports for 45% of its needs.", "45%", "net_import_reliance"),
        ("The plant is able to make 3,000 tonnes a year.", "3,000 tonnes", "capacity"),
        ("Canada will spend C$90 million on a refinery.", "C$90 million", "investment"),
        ("美方为氧化镨钕设定每公斤95美元的价格底线。", "每公斤95美元", "price_floor"),
    ],
)
def test_each_metric_from_its_words(text, number, metric):
    assert _one(text, number).metric == metric


def test_a_fall_is_a_negative_rate():
    claim = _one("去年缅甸稀土进口量下降近四成。", "四成")
    assert (claim.metric, claim.value) == ("growth", -40.0)


def test_separation_share_keeps_the_stage_named_earlier_in_the_sentence():
    claim = _one("在冶炼分离环节，中国占全球约九成。", "九成")
    assert (claim.stage, claim.metric) == ("separation", "share")


# -- region ----------------------------------------------------------------------------------


def test_a_survey_named_after_a_country_is_no_place():
    claim = _one("据美国地质调查局数据，缅甸去年稀土矿产量为3.1万吨。", "3.1万吨")
    assert claim.region == "MMR"


def test_a_pronoun_takes_the_subject():
    text = "Vietnam holds large deposits. The country mined 300 tonnes in 2024."
    assert _one(text, "300 tonnes").region == "VNM"


def test_the_place_compared_with_is_not_the_subject_of_a_rank():
    claim = _one("该年印度原铝产量约420万吨，仅次于中国，位居全球第二。", "第二")
    assert claim.region == "IND"


def test_a_trade_partner_is_not_the_exporter():
    text = "海关数据显示，中国10月对韩国出口稀土永磁420吨。"
    claim = _one(text, "420吨")
    assert (claim.region, claim.other_region, claim.metric) == ("CHN", "KOR", "exports")


def test_a_yuan_price_is_china_s():
    assert _one("氧化镝均价为1650元/公斤。", "1650元/公斤").region == "CHN"


# -- plan or fact ----------------------------------------------------------------------------


def test_a_heading_does_not_turn_facts_into_plans():
    text = "目标与现实\n中国2024年稀土矿产量为27万吨。"
    assert _one(text, "27万吨").kind == "fact"


def test_the_first_months_of_a_year_are_not_before_it():
    claim = _one("2025年前三个月，中国稀土出口1.2万吨。", "1.2万吨", date(2025, 5, 1))
    assert claim.kind == "fact"
    assert claim.period == "part of the year"


# -- commodity -------------------------------------------------------------------------------

MIXED = (
    "Rare earths and aluminium\n"
    "China mined 270,000 tonnes of rare earths in 2024. "
    "Separately, China's primary aluminium output was 43 million tonnes in 2024."
)


def test_each_claim_is_judged_by_its_commodity_s_pack():
    checked = check_text(MIXED, today=date(2025, 6, 1))
    by_number = {c.number_text: c for c in checked.claims}
    ree, alu = by_number["270,000 tonnes"], by_number["43 million tonnes"]
    assert (ree.commodity, alu.commodity) == ("rare_earths", "aluminium")
    assert ree.verdict == "consistent"
    assert alu.verdict == "consistent"
    assert alu.stage == "primary"
    assert alu.reference is not None
    assert sorted(checked.packs) == ["aluminium", "rare_earths"]


def test_cli_checks_a_mixed_text_against_both_packs(tmp_path, run_cli):
    article = tmp_path / "mixed.txt"
    article.write_text(MIXED, encoding="utf-8")
    result = run_cli("claims", "check", str(article), "--json", "--date", "2025-06-01")
    assert result.code == 0, result.err
    rows = {r["number"]: r for r in json.loads(result.out)}
    assert rows["43 million tonnes"]["commodity"] == "aluminium"
    assert rows["43 million tonnes"]["verdict"] == "consistent"
    assert rows["270,000 tonnes"]["commodity"] == "rare_earths"


# -- year and verdicts -----------------------------------------------------------------------


def test_a_month_s_output_is_not_held_against_the_year():
    claim = check_text("China produced 3.7 million tonnes of aluminium in May.", today=TODAY)
    only = claim.claims[0]
    assert only.period == "part of the year"
    assert only.verdict == "unverifiable"
    assert only.conflicts == []


def test_a_tariff_is_held_against_the_dated_duties():
    text = "In June the US tariff on aluminium imports rose to 50% from 25%."
    claims = check_text(text, today=TODAY).claims
    assert [(c.value, c.verdict) for c in claims] == [(50.0, "consistent"), (25.0, "consistent")]
    assert all(c.reference is not None and c.reference.source_id for c in claims)
    assert all(not c.conflicts for c in claims)


def test_rare_earth_metal_production_names_no_metal_stage():
    claim = _one("China's rare earth metal production was 270,000 tonnes.", "270,000")
    assert claim.stage != "metal"


# -- added with the pack lookups and the change reader ---------------------------------------


def test_from_a_to_b_is_today_then_the_target():
    text = "By 2030 the country must bring its dependence on imports down from 70% to 40%."
    first, second = _read(text, date(2025, 3, 1))
    assert (first.value, first.kind, second.value, second.kind) == (70.0, "fact", 40.0, "plan")
    assert first.metric == second.metric == "net_import_reliance"


def test_respectively_pairs_commodities_too():
    text = (
        "Net import reliance for aluminium and for rare-earth compounds was 50% and 70% "
        "respectively in 2024."
    )
    claims = _read(text)
    assert [(c.commodity, c.value) for c in claims] == [("aluminium", 50.0), ("rare_earths", 70.0)]


def test_a_share_of_imports_is_held_against_the_import_sources():
    text = "Canada supplied 56% of US aluminium imports over 2021-2024."
    claim = check_text(text, today=date(2025, 6, 1)).claims[0]
    assert (claim.region, claim.basis) == ("CAN", "imports")
    assert claim.verdict == "consistent"
    assert "imports" in claim.note


def test_a_capacity_is_held_against_the_pack_s_capacities():
    text = "The United States has 1.31 million tonnes of primary aluminium smelting capacity."
    claim = check_text(text, today=date(2026, 3, 1)).claims[0]
    assert (claim.metric, claim.verdict) == ("capacity", "consistent")


def test_largest_ranks_only_a_producer():
    assert [q.unit for q in find_quantities("It became the biggest owner of the firm.")] == []
    assert [q.unit for q in find_quantities("China, the largest producer, ...")] == ["rank"]


# -- rules of the third round, on new sentences ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "low", "unit"),
    [
        ("Canada sent about two-fifths of the metal south.", 40.0, "%"),
        ("Bahrain supplied an eighth of the imports.", 12.5, "%"),
        ("老挝去年稀土产量为1万3千吨。", 13000.0, "t"),
        ("该国储量逾半来自离子型矿。", 50.0, "%"),
        ("出口回落两成。", 20.0, "%"),
        ("Kazakhstan wants to be among the top five producers.", 1.0, "rank"),
    ],
)
def test_more_numbers_in_words_are_read(text, low, unit):
    found = find_quantities(normalise(text))
    assert [(round(q.low, 3), q.unit) for q in found] == [(round(low, 3), unit)]


def test_a_place_beside_a_company_is_where_its_figure_is():
    claim = _one("Lynas's refinery in Malaysia turned out 11,000 tonnes of oxides.", "tonnes")
    assert (claim.region, claim.metric) == ("MYS", "production")
    claim = _one("Lynas reported revenue of A$500 million.", "A$")
    assert claim.region == "AUS"


def test_the_two_countries_together_are_the_last_two_places_named():
    text = (
        "Vietnam holds large reserves. India follows, and the two countries together hold a fifth."
    )
    claim = _one(text, "a fifth")
    assert claim.region == "IND+VNM"


def test_a_duty_is_levied_by_the_country_of_entry_on_the_origin_named():
    claim = _one("Thai aluminium pays 50% on entry to the United States.", "50%")
    assert (claim.metric, claim.region, claim.other_region) == ("tariff", "USA", "THA")


def test_a_stake_is_no_market_share_and_a_rate_follows_its_figure():
    assert _one("Mitsui will hold 30% of the joint venture.", "30%").metric == "other"
    claims = _read("2024年中国稀土出口5.5万吨，同比增长6%。")
    rate = next(c for c in claims if c.unit == "%")
    assert (rate.metric, rate.basis) == ("growth", "exports")


def test_a_fiscal_year_is_a_year_and_an_estimate_for_a_closed_year_a_fact():
    claim = _one("In the year to June 2025 the plant produced 9,000 tonnes.", "tonnes")
    assert claim.period == "year"
    claim = _one("公司预计2024年净利润为5亿元。", "5亿元", today=date(2025, 1, 20))
    assert claim.kind == "fact"


def test_a_price_takes_the_element_before_it_and_is_judged_in_its_market():
    text = (
        "Argus put last year's dysprosium oxide average, free on board, at $250/kg, "
        "and terbium at $900/kg."
    )
    dy, tb = (c for c in _read(text) if c.metric == "price")
    assert (dy.basis, tb.basis, dy.region) == ("Dy", "Tb", "WLD")
    checked = check_text("Traders in Rotterdam asked $1,000/kg for dysprosium oxide in 2024.")
    (price,) = [c for c in checked.claims if c.metric == "price"]
    assert (price.region, price.verdict) == ("EU", "unverifiable")


def test_a_month_that_opens_the_sentence_makes_a_flow_part_of_the_year():
    claim = _one("In March, Japan's imports of magnets from China fell to 310 tonnes.", "tonnes")
    assert claim.period == "part of the year"


def test_home_words_stand_for_the_texts_country_but_are_no_topic():
    claims = _read("国内氧化镝价格为每公斤1600元。缅甸2024年产量为3.1万吨，该国位居第三。")
    price = next(c for c in claims if c.metric == "price")
    rank = next(c for c in claims if c.metric == "rank")
    assert (price.region, rank.region) == ("CHN", "MMR")


def test_years_named_in_words_and_a_year_to_a_number_is_no_fiscal_year():
    claim = _one(
        "Smelters made 3.1 million tonnes in August, taking output for the first eight months "
        "of the year to 24.6 million tonnes.",
        "24.6",
    )
    assert (claim.period, claim.year) == ("part of the year", 2025)
    claim = _one("今年前三季度，中国原铝产量约3300万吨。", "3300万吨")
    assert (claim.period, claim.year) == ("part of the year", 2025)
    assert _one("前年缅甸的矿产量为4.3万吨。", "4.3万吨").year == 2023
    assert _one("Myanmar mined 31,000 tonnes last year.", "31,000").year == 2024


def test_a_plants_figure_is_not_its_countrys_total():
    text = "The smelter in Kentucky produced about 180,000 tonnes of primary aluminium last year."
    claim = _checked(text)
    assert claim.entity
    assert claim.verdict == "unverifiable"
    assert "one plant or company" in claim.note
    text = "Its smelters produced 676,000 tonnes of primary aluminium last year, the USGS says."
    assert not _one(text, "676,000").entity
    assert not _one("The country's plants made 44 million tonnes last year.", "44").entity
    assert _one("该公司旗下的铝厂去年产量约90万吨。", "90万吨").entity
    assert not _one("中国去年原铝产量约4400万吨。", "4400万吨").entity


def test_a_plants_capacity_is_held_against_the_projects_of_its_region():
    text = "MP Materials' first factory in Texas has a capacity of 1,000 tonnes of magnets a year."
    claim = _checked(text)
    assert (claim.entity, claim.verdict) == (True, "consistent")
    assert claim.reference is not None
    assert claim.reference.source_id == "PROJECT-NEWS"
    text = "The new plant in Texas is designed to make 7,000 tonnes of magnets a year."
    claim = _checked(text)
    assert claim.verdict == "unverifiable"
    assert "one plant or company" in claim.note


def test_places_listed_after_a_trade_partner_are_partners_of_the_exporter():
    text = "10月我国稀土永磁出口5200吨。当月对德国、韩国的出口分别为800吨和450吨。"
    germany, korea = (c for c in _read(text) if c.number_text in ("800吨", "450吨"))
    assert (germany.region, germany.other_region) == ("CHN", "DEU")
    assert (korea.region, korea.other_region) == ("CHN", "KOR")
    claim = _one("我国稀土永磁出口全年增长5%，其中对印度出口下降逾三成。", "三成")
    assert (claim.region, claim.other_region, claim.basis) == ("CHN", "IND", "exports")


def test_the_latter_is_the_second_of_two_places_named():
    claim = _one("铝土矿主要从几内亚和澳大利亚进口，后者是全球第二大铝土矿生产国。", "第二")
    assert claim.region == "AUS"
    text = "Refiners buy ore from Myanmar and Laos; the former is the third-largest miner."
    claim = _one(text, "third")
    assert claim.region == "MMR"


def test_a_stage_named_earlier_in_the_sentence_and_a_plant_still_being_built():
    claim = _one(
        "Output of oxides and metals climbed to 6,100 tonnes in 2024, the survey said.", "6,100"
    )
    assert claim.stage == "separation"
    text = "Its new plant is designed to make 3,000 t of magnets a year and should start in 2027."
    assert _one(text, "3,000").kind == "plan"
    text = "Its plant has a capacity of 3,000 tonnes of magnets a year and is due to ship in May."
    assert _one(text, "3,000").kind == "fact"


def test_a_cap_set_by_a_government_is_a_quota_not_a_bound():
    claim = _one("Output ran close to the 45-million-tonne capacity cap that Beijing set.", "45")
    assert (claim.metric, claim.region, claim.low, claim.high) == (
        "quota",
        "CHN",
        45_000_000.0,
        45_000_000.0,
    )
    claim = _one("中国电解铝产量已逼近4500万吨的产能上限。", "4500万吨")
    assert (claim.metric, claim.low) == ("quota", 45_000_000.0)


def test_rates_of_change_in_traditional_words_and_uses_as_consumption():
    claim = _one("10月對德國出口的稀土磁鐵年減近兩成。", "兩成")
    assert (claim.metric, claim.value) == ("growth", -20.0)
    claim = _one("氧化铝报价到4月中旬累计跌去近半。", "近半")
    assert (claim.metric, claim.value) == ("growth", -50.0)
    claim = _one("Japan uses about 9,000 tonnes of magnet alloys a year.", "9,000")
    assert claim.metric == "consumption"


def test_a_change_of_price_is_checked_on_the_packs_price_series():
    text = "Dysprosium oxide averaged $260/kg in 2024, free on board China, down 26% on 2023."
    rate = next(c for c in check_text(text, today=TODAY).claims if c.metric == "growth")
    assert (rate.product, rate.region, rate.year) == ("Dy", "WLD", 2024)
    assert rate.verdict in ("consistent", "inconsistent")
    assert rate.reference is not None
    assert "change of the Dy price" in rate.note
    text = "The Midwest premium, paid on top of the exchange price, hit $1,300 a tonne in 2025."
    (premium,) = check_text(text, today=TODAY).claims
    assert premium.product is None
    assert premium.verdict == "unverifiable"


def test_a_place_owning_a_policy_is_not_what_the_country_refers_to():
    text = (
        "Brazil opened a new separation line last week, though its ore still faces a US tariff. "
        "The country holds some 21 million tonnes of rare-earth reserves."
    )
    assert _one(text, "21 million").region == "BRA"
    claim = _one("The Saudi company will keep no less than 51% of the venture.", "51%")
    assert (claim.low, claim.high) == (51.0, None)


def test_a_multiple_of_another_regions_output_is_checked_on_both():
    text = "Australia mined 13,000 tonnes in 2024. Chinese mines produced 270,000 tonnes, "
    text += "about 20 times as much."
    multiple = next(c for c in check_text(text, today=TODAY).claims if c.unit == "x")
    assert (multiple.metric, multiple.region, multiple.other_region) == ("production", "CHN", "AUS")
    assert multiple.reference is not None
    assert multiple.verdict in ("consistent", "inconsistent")
    claim = _one("鹿特丹的氧化镝报价约为中国境内价格的三倍。", "三倍")
    assert (claim.metric, claim.region, claim.other_region) == ("price", "EU", "CHN")
    assert (
        _one("Exports reached 9,000 tonnes, three times the 2023 level.", "three").metric
        == "growth"
    )


def test_a_count_of_controlled_elements_is_checked_on_the_licensing_events():
    text = "中国商务部此前已对七种中重稀土实施出口许可管理。"
    claim = _checked(text, date(2025, 11, 1))
    assert (claim.metric, claim.basis, claim.verdict) == ("count", "elements", "consistent")
    assert claim.reference is not None
    assert claim.reference.source_id == "MOFCOM-2025-18"
    text = "In October Beijing added five more elements to its export-control list."
    claim = _checked(text, date(2025, 11, 1))
    assert (claim.value, claim.verdict) == (5.0, "consistent")
    text = "The controls cover 17 rare earth elements, Beijing said."
    claim = _checked(text, date(2025, 11, 1))
    assert claim.verdict == "unverifiable"
    claim = _one("Licences cut shipments to Europe by more than half in May.", "half")
    assert claim.metric == "growth"


def test_in_chinese_the_country_is_the_last_named_of_equally_named_places():
    text = "2025年我国进口铝土矿约2亿吨，其中约七成来自几内亚。该国2024年铝土矿产量约1.3亿吨。"
    assert _one(text, "1.3亿吨").region == "GIN"


def test_the_stakes_of_an_agreed_venture_are_its_terms_not_a_plan():
    claim = _one("Under the deal the Saudi partner will own 51% of the venture.", "51%")
    assert (claim.metric, claim.basis, claim.kind) == ("other", "stake", "fact")
    claim = _one("The company plans to hold 30% of the new venture by 2028.", "30%")
    assert claim.kind == "plan"


def test_a_duty_paid_at_a_border_and_a_month_after_an_earlier_year():
    text = (
        "Gulf smelters supplied a tenth of US imports between 2021 and 2024, and since June "
        "their metal has paid a 50% duty at the US border."
    )
    claim = _one(text, "50%")
    assert (claim.metric, claim.region, claim.year) == ("tariff", "USA", 2025)
    claim = _one("Since March that metal has paid 25%, the importers say.", "25%")
    assert claim.metric == "tariff"


def test_a_rebate_and_a_bill_for_duties_are_neither_duties_nor_shares():
    claim = _one("Beijing scrapped a 13% export tax rebate on most aluminium goods.", "13%")
    assert (claim.metric, claim.basis) == ("other", "rebate")
    assert _one("北京取消铝材13%的出口退税。", "13%").metric == "other"
    claim = _one("Rio Tinto said the duties cost it about $300 million in the first half.", "300")
    assert claim.metric == "other"
    assert _one("KIA同意在每吨征收3.5万元税费。", "3.5万元").metric == "tariff"
    claim = _one("该价格底线约为2025年国际市场均价的1.6倍。", "1.6倍")
    assert claim.metric == "price"


def test_respectively_pairs_years_and_elements_and_a_list_keeps_its_price_unit():
    text = "In 2023 and 2024 China mined 255,000 and 270,000 tonnes respectively."
    first, second = _read(text)
    assert (first.year, second.year) == (2023, 2024)
    dy, tb = _read("镝、铽氧化物均价分别为每公斤230美元和850美元。")
    assert (dy.basis, tb.basis, tb.unit, tb.value) == ("Dy", "Tb", "USD/kg", 850.0)
    text = "Midwest prices were $3,500 a tonne and $3,900 in May and June respectively."
    assert [q.low for q in find_quantities(text)] == [3.5, 3.9]


def test_a_list_of_numbers_separated_by_commas_and_shares_of_one_denominator():
    text = "The US, Japan and Germany imported 5,000, 3,000 and 2,000 tonnes respectively."
    claims = _read(text)
    assert [(c.region, c.value) for c in claims] == [
        ("USA", 5000.0),
        ("JPN", 3000.0),
        ("DEU", 2000.0),
    ]
    claims = _read("日本、韩国和美国分别占中国磁体出口的12%、9%和8%。")
    assert [(c.region, c.other_region, c.basis) for c in claims] == [
        ("JPN", "CHN", "exports"),
        ("KOR", "CHN", "exports"),
        ("USA", "CHN", "exports"),
    ]


def test_next_year_and_this_year_in_the_clause_outweigh_a_year_stated_before():
    text = "The mine produced 2,000 tonnes in 2024, and it will double output next year."
    rate = _one(text, "double")
    assert (rate.year, rate.kind) == (2026, "plan")
    claim = _one("中国去年出口磁体5.8万吨，今年有望突破6万吨。", "6万吨")
    assert (claim.year, claim.kind) == (2025, "plan")


def test_a_rank_outside_china_and_a_dependence_for_a_share():
    claim = _one("Australia's Lynas, the largest producer outside China, made 10,900 t.", "largest")
    assert claim.region == "AUS"
    claim = _one("Japan relies on China for 60% of its rare earths.", "60%")
    assert (claim.region, claim.other_region, claim.basis) == ("CHN", "JPN", "imports")


def test_a_share_after_a_tonnage_of_its_sentence_is_a_share_of_that():
    claim = _one("China holds 44 million tonnes of reserves, about 48% of the world total.", "48%")
    assert (claim.metric, claim.basis) == ("share", "reserves")
    claim = _one("中国稀土储量4400万吨，约占全球的48%。", "48%")
    assert claim.basis == "reserves"
    claim = _one("China mined 270,000 tonnes in 2024, 69% of the world's output.", "69%")
    assert claim.basis == "production"


@pytest.mark.parametrize(
    ("text", "low", "unit"),
    [
        ("Rs 7,280 crore", 72_800_000_000.0, "INR"),
        ("£200 million", 200_000_000.0, "GBP"),
        ("每吨3970美元", 3.97, "USD/kg"),
        ("two million tonnes", 2_000_000.0, "t"),
    ],
)
def test_rupees_in_crore_pounds_prices_per_tonne_and_millions_in_words(text, low, unit):
    (q,) = find_quantities(text)
    assert (q.low, q.unit) == (pytest.approx(low), unit)


def test_a_rate_takes_what_grows_from_a_trade_word_earlier_in_its_sentence():
    claim = _one("Aluminium exports, by contrast, rose 5% to 5.5 million tonnes.", "5%")
    assert (claim.metric, claim.basis) == ("growth", "exports")


def test_its_and_the_latter_in_a_sentence_of_trade():
    claim = _one("越南稀土储量达2200万吨，仅次于中国，但其产量仅300吨。", "300吨")
    assert claim.region == "VNM"
    text = "印度尼西亚禁止铝土矿出口后，中国转向几内亚，后者去年对华出口铝土矿1.4亿吨。"
    claim = _one(text, "1.4亿吨")
    assert (claim.region, claim.other_region) == ("GIN", "CHN")
    assert _one("其中约三分之二来自几内亚。", "三分之二").region == "GIN"


def test_as_much_as_is_an_upper_bound_and_topped_a_lower_one():
    claim = _one("Output could reach as much as 60,000 tonnes.", "60,000")
    assert (claim.low, claim.high) == (None, 60000.0)
    claim = _one("Exports topped 5,000 tonnes in May.", "5,000")
    assert (claim.low, claim.high) == (5000.0, None)


def test_a_rank_by_separation_ranks_every_country_the_pack_has_for_that_year():
    text = "Malaysia is the world's second-largest producer of separated rare earths."
    claim = _checked(text, date(2025, 6, 1))
    assert (claim.region, claim.stage, claim.verdict) == ("MYS", "separation", "consistent")


def test_groups_of_sources_and_of_reserves_and_recycled_output_are_checked():
    text = "Canada and the UAE together supplied about two-thirds of US aluminium imports."
    claim = _checked(text)
    assert set(str(claim.region).split("+")) == {"ARE", "CAN"}
    assert claim.verdict != "unverifiable"
    text = "Brazil and China together hold about three-quarters of the world's reserves."
    claim = _checked(text)
    assert claim.verdict in ("consistent", "outdated", "inconsistent")
    text = "2024年国内从钕铁硼废料中回收的稀土氧化物约3.4万吨。"
    claim = _checked(text)
    assert (claim.stage, claim.verdict) == ("recycling", "consistent")


def test_a_partner_after_to_the_a_duty_named_before_and_gains():
    text = "Canada, the biggest supplier of the metal to the US, shipped 3.2 million tonnes."
    claim = _one(text, "3.2 million")
    assert (claim.region, claim.other_region) == ("CAN", "USA")
    claim = _one("Section 232 tariffs on steel and aluminum rose to 50% in June.", "50%")
    assert (claim.metric, claim.region) == ("tariff", "USA")
    claim = _one("Copper prices rose 10% while aluminium gained 4%.", "4%")
    assert claim.metric == "growth"
    claim = _one("Alumina prices hit $700 a tonne in 2024.", "700")
    assert claim.product == "alumina"


def test_a_price_per_tonne_in_ten_thousands_and_the_figure_it_changes_to():
    quantities = find_quantities("国内氧化镨钕价格从年初的每吨40万元上涨至60万元。")
    assert [(q.low, q.unit) for q in quantities] == [(400.0, "CNY/kg"), (600.0, "CNY/kg")]


def test_global_at_the_start_of_a_sentence_and_the_midwest_price_is_aluminiums():
    claim = _one("Global primary aluminium production was 72 million tonnes in 2024.", "72")
    assert claim.region == "WLD"
    claim = _checked("The Midwest price averaged $3,968 a tonne in 2025.")
    assert (claim.commodity, claim.region, claim.product) == ("aluminium", "USA", "aluminium")
