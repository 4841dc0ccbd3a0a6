"""Tests of jlis_kg.values, on values as the source files write them."""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jlis_kg.values import ParsedDate, find_dates, find_unit, fiscal_year, parse_amount, parse_date, unit_scale


@pytest.mark.parametrize(
    "text, iso, precision",
    [
        ("令和 3 年 6 月 2 3 日 (水) 1 5 : 0 0 ~ 1 7 : 0 0", "2021-06-23", "day"),  # 003 line 7
        ("平成 30 年 3 月 1 日 (木) 10:00 ~ 12:00", "2018-03-01", "day"),  # 000 line 7
        ("平成28年2月25日（木）10時00分", "2016-02-25", "day"),  # 001 line 7
        ("令和５年４月１日", "2023-04-01", "day"),  # 004 line 357, full-width digits
        ("令和元年11月", "2019-11", "month"),
        ("令和 3 年 6 月", "2021-06", "month"),  # 003 line 48
        ("平成26年", "2014", "year"),
        ("2021年6月23日", "2021-06-23", "day"),
        ("2021-06-23", "2021-06-23", "day"),
        ("2021/6/23", "2021-06-23", "day"),
        ("H30.3.1", "2018-03-01", "day"),
        ("昭和64年1月7日", "1989-01-07", "day"),
        ("平成31年4月30日", "2019-04-30", "day"),
        ("明治元年10月23日", "1868-10-23", "day"),
    ],
)
def test_parse_date(text, iso, precision):
    d = parse_date(text)
    assert d is not None
    assert d.iso() == iso
    assert d.precision == precision


@pytest.mark.parametrize("text", ["令和99年13月", "令和2年2月30日", "天保3年4月1日", "令和2年度", "第30回", "", "2021-13-01", "R2決算"])
def test_parse_date_rejects(text):
    assert parse_date(text) is None


def test_find_dates_ranges_and_relative_parts():
    # 003 line 443
    s = "令和2年10月16日、20日～22日"
    assert [(a, b, d.iso()) for a, b, d in find_dates(s)] == [
        (0, 10, "2020-10-16"),
        (11, 14, "2020-10-20"),
        (15, 18, "2020-10-22"),
    ]
    # 003 line 1209: a range over the new year
    assert [d.iso() for _, _, d in find_dates("令和2年12月18日～1月7日")] == ["2020-12-18", "2021-01-07"]
    # 001 line 602
    assert [d.iso() for _, _, d in find_dates("(平成28年4月1日から平成29年3月31日まで)")] == ["2016-04-01", "2017-03-31"]
    # 同年
    assert [d.iso() for _, _, d in find_dates("令和元年11月より通知を開始し、同年12月に完了した")] == ["2019-11", "2019-12"]
    # 003 line 513
    assert [d.iso() for _, _, d in find_dates("令和2年6月及び10月に地方公共団体連絡調整会議を開催")] == ["2020-06", "2020-10"]
    # offsets index the string as given, full-width digits included
    s = "第 47 回 令和５年４月１日 ・議長の互選"
    (a, b, d), = find_dates(s)
    assert s[a:b] == "令和５年４月１日" and d == ParsedDate(2023, 4, 1, "day")
    # a bare "20日" with no date before it is not a date
    assert find_dates("20日から受付") == []


def test_parsed_date_renders():
    assert ParsedDate(2021, 6, 23, "day").iso() == "2021-06-23"
    assert ParsedDate(2021, 6, None, "month").iso() == "2021-06"
    assert ParsedDate(2021, None, None, "year").iso() == "2021"
    assert ParsedDate(2019, 5, 1, "day").wareki() == "令和元年5月1日"
    assert ParsedDate(2019, 4, None, "month").wareki() == "平成31年4月"


@pytest.mark.parametrize(
    "text, year",
    [("令和2年度", 2020), ("平成28年度", 2016), ("2020年度", 2020), ("R2年度", 2020), ("令和元年度", 2019),
     ("平成 30 年度事業計画（案）", 2018), ("H26決算", 2014), ("FY2023", 2023), ("令和５年度", 2023)],
)
def test_fiscal_year(text, year):
    assert fiscal_year(text) == year


def test_fiscal_year_without_era():
    # 001 line 832: the column "28年度" leaves the era to the reader
    assert fiscal_year("28年度") is None
    assert fiscal_year("28年度", default_era="平成") == 2016
    assert fiscal_year("事業報告書") is None


@pytest.mark.parametrize(
    "text, unit, expected",
    [
        ("1億3,400万円", "", 134_000_000),  # 003 line 121
        ("１億 3,400 万円 ", "", 134_000_000),  # 004 line 106
        ("17,496,370", "千円", 17_496_370_000),  # 000 line 645
        ("1,234", "千円", 1_234_000),
        ("△1,234", "", -1234),
        ("▲1,234", "千円", -1_234_000),
        ("(1,234)", "", -1234),
        ("(△47,636)", "百万円", -47_636_000_000),  # 003 line 2616
        ("-", "円", 0),  # 003 line 1767: nil
        ("―", "千円", 0),
        ("0", "千円", 0),
        ("12.3", "億円", 1_230_000_000),
        ("30.8", "億円", 3_080_000_000),  # 003 line 2538
        ("2兆", "", 2_000_000_000_000),
        ("217,929,881,822", "円", 217_929_881_822),
        ("1,234千円", "円", 1_234_000),
    ],
)
def test_parse_amount(text, unit, expected):
    assert parse_amount(text, unit) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "72%増", "3万2億", "令和2年", "1,2,3x"])
def test_parse_amount_rejects(text):
    assert parse_amount(text) is None


def test_unit_scale_and_find_unit():
    assert [unit_scale(u) for u in ("円", "千円", "百万円", "億円", "")] == [1, 1000, 10**6, 10**8, 1]
    assert unit_scale("(単位：千円)") == 1000
    with pytest.raises(ValueError):
        unit_scale("ドル")
    assert find_unit("(単位：千円)") == "千円"  # 000 line 640
    assert find_unit("（単位:百万円）") == "百万円"
    assert find_unit("単位：億円") == "億円"
    assert find_unit("( 単位：千円 )") == "千円"  # 001 line 787
    assert find_unit("平成30年度 予定貸借対照表") is None


# ───────────────────────── properties ─────────────────────────


@settings(max_examples=300)
@given(st.text())
def test_parsers_never_raise(s):
    parse_date(s)
    find_dates(s)
    fiscal_year(s)
    parse_amount(s)
    parse_amount(s, "千円")
    find_unit(s)


@settings(max_examples=300)
@given(st.text(alphabet="令和平成昭和元年月日度 0123456789０１２３４５６７８９、～~同から及び/-.", max_size=30))
def test_date_parsers_never_raise_on_date_like_text(s):
    for a, b, d in find_dates(s):
        assert 0 <= a < b <= len(s)
        assert d.precision in ("year", "month", "day")
    parse_date(s)


@given(st.dates(min_value=datetime.date(1868, 1, 1), max_value=datetime.date(2117, 12, 31)), st.sampled_from(["year", "month", "day"]))
def test_wareki_round_trip(day, precision):
    d = ParsedDate(day.year, day.month if precision != "year" else None, day.day if precision == "day" else None, precision)
    back = parse_date(d.wareki())
    assert back == d


@given(st.integers(min_value=0, max_value=10**12), st.booleans())
def test_amount_in_thousands_is_thousand_yen(n, negative):
    text = f"{'△' if negative else ''}{n:,}"
    in_yen = parse_amount(text, "円")
    assert parse_amount(text, "千円") == in_yen * 1000
    assert parse_amount(text, "百万円") == in_yen * 1_000_000
    assert in_yen == (-n if negative else n)
