"""Properties of the reading stages (hypothesis): they never crash, and their invariants hold.

* normaliser: any text → one ``SourceLine`` per physical line of the file, numbered 1…n,
  ``raw`` the line verbatim; footnotes inside the file; a normalised line has no line break;
* dates: a date written in any of the documents' styles parses back to itself, and a
  parsed date re-rendered (和暦, ISO) parses to the same date;
* amounts: the same number in every unit gives the same yen, written in the cell or
  given as the table's unit; 億/万 compose;
* structure: every section, block, table and row lies inside the file and inside its parent;
* provenance (on the real build, exhaustively): every ``jlis:quote`` stands at its
  ``jlis:sourceLine`` of its document's file.
"""
from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.namespace import PROV, RDF

from jlis_kg.namespaces import JLIS
from jlis_kg.normalise import normalise_document, normalise_text
from jlis_kg.structure import build_structure
from jlis_kg.values import ParsedDate, date_problems, find_dates, fiscal_year, parse_amount, parse_date, unit_scale

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like the documents: kana, kanji, digits (both widths), the markup and
# furniture the normaliser handles, table separators, and odd characters (form feed,
# NBSP, U+2028, superscripts, surrogates excluded).
_PIECES = st.sampled_from([
    "住民基本台帳", "ネットワーク", "システム", "LGWAN", "J - L I S", "令和 3 年 6 月 2 3 日", "平成28年度", "第 30 回",
    "１２３", "1,234", "△5", "(単位：千円)", "第1表", "# ", "## ", "- ・ ", "(1) ", "ア ", "一 ", "<sup>1</sup>", "¹²",
    "<table><tr><td>x</td></tr></table>", "| a | b |", "|--|--|", "\t", " ", "\u3000", "。", "、", "「", "」", "（", "）",
    "\x0c", "\xa0", "\u2028", "\x85", "- 4 -", "7/101", "①", "ｶﾀｶﾅ", "**", "---",
])
_LINE = st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=12).map("".join).map(
    lambda s: s.replace("\n", "").replace("\r", ""))
_DOCUMENT = st.lists(_LINE, max_size=40).map("\n".join)


def physical_lines(text: str) -> list[str]:
    """The file's lines as a reader (and ``jlis:sourceLine``) counts them: split at \\n only."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


# ───────────────────────── normaliser ─────────────────────────

@SETTINGS
@given(_LINE)
def test_normalise_text_never_crashes_and_stays_one_line(line):
    out = normalise_text(line)
    assert isinstance(out, str) and "\n" not in out


@SETTINGS
@given(st.one_of(_DOCUMENT, st.text(max_size=300)))
def test_normalised_document_keeps_every_physical_line(text):
    text = text.replace("\r", "")  # sources.decode has made every line end \n
    doc = normalise_document("x", "x.txt", text)
    lines = physical_lines(text)
    assert [line.number for line in doc.lines] == list(range(1, len(lines) + 1))
    assert [line.raw for line in doc.lines] == lines
    for line in doc.lines:
        assert "\n" not in line.text
        assert line.role in ("content", "blank", "page-number", "running-header", "footnote")
        if line.role != "content":
            assert line.text == ""
    for note in doc.footnotes:
        assert 1 <= note.line <= note.end_line <= len(lines)
        assert note.anchor_line == 0 or 1 <= note.anchor_line <= len(lines)


# ───────────────────────── dates ─────────────────────────

# 西暦 with separators (2021-06, 2021/6/23) is read for 1800–2099 only, so as not to take other numbers for dates
_DAYS = st.dates(min_value=datetime.date(1868, 1, 1), max_value=datetime.date(2099, 12, 31))
_WIDE = str.maketrans("0123456789", "０１２３４５６７８９")


def _written(day: datetime.date, style: str, wareki: str) -> str:
    if style == "wareki":
        return wareki
    if style == "wareki-wide":
        return wareki.translate(_WIDE)
    if style == "wareki-spaced":  # the PDF extraction's letter-spacing: 令和 3 年 6 月 2 3 日
        out = ""
        for ch in wareki:
            out += f" {ch}" if ch.isdigit() and out and out[-1].isdigit() else (f" {ch} " if ch in "年月" else ch)
        return out
    if style == "seireki":
        return f"{day.year}年{day.month}月{day.day}日"
    if style == "iso":
        return day.isoformat()
    return f"{day.year}/{day.month}/{day.day}"


@SETTINGS
@given(_DAYS, st.sampled_from(["wareki", "wareki-wide", "wareki-spaced", "seireki", "iso", "slash"]),
       st.sampled_from(["", "（木）", "から", "に開催した。"]), st.sampled_from(["", "平成", "第3回 ", "会議は"]))
def test_a_written_date_parses_to_itself(day, style, after, before):
    date = ParsedDate(day.year, day.month, day.day, "day")
    text = before + _written(day, style, date.wareki()) + after
    found = find_dates(text)
    assert found, text
    start, end, parsed = found[0]
    assert parsed == date, text
    assert 0 <= start < end <= len(text)
    assert date_problems(text) == []


@SETTINGS
@given(_DAYS, st.sampled_from(["year", "month", "day"]))
def test_a_parsed_date_re_renders_to_itself(day, precision):
    date = ParsedDate(day.year, day.month if precision != "year" else None, day.day if precision == "day" else None,
                      precision)
    for rendering in (date.wareki(), date.iso() if precision != "year" else f"{date.year}年"):
        parsed = parse_date(rendering)
        assert parsed == date, rendering
        assert parse_date(parsed.wareki()) == parsed and parsed.iso() == date.iso()


@SETTINGS
@given(st.sampled_from(["令和", "平成", "昭和"]), st.integers(1, 99), st.integers(13, 99))
def test_an_impossible_month_is_no_date_and_is_named(era, year, month):
    text = f"{era}{year}年{month}月"
    assert parse_date(text) is None
    assert [p for p in date_problems(text) if f"no month {month}" in p]


@SETTINGS
@given(st.integers(1, 99), st.integers(1, 12))
def test_a_fiscal_year_and_its_first_day_agree(year, month):
    assert fiscal_year(f"令和{year}年度") == 2018 + year
    assert parse_date(f"令和{year}年{month}月").year == 2018 + year


# ───────────────────────── amounts ─────────────────────────

_UNITS = ["円", "千円", "万円", "百万円", "千万円", "億円"]


@SETTINGS
@given(st.integers(0, 10**13), st.sampled_from(_UNITS), st.booleans(), st.sampled_from(["△", "▲", "-", "()"]),
       st.booleans())
def test_amounts_in_every_unit_agree(n, unit, negative, sign, wide):
    scale = unit_scale(unit)
    number = f"{n:,}"
    if negative:
        number = f"({number})" if sign == "()" else sign + number
    if wide:
        number = number.translate(_WIDE)
    expected = Decimal(-n if negative else n) * scale
    assert parse_amount(number, unit) == expected  # the table's unit
    assert parse_amount(number + unit, "円") == expected  # the unit written in the cell wins
    assert parse_amount(number + unit, "千円") == expected
    if unit != "円":
        assert parse_amount(number, "円") * scale == expected


@SETTINGS
@given(st.integers(1, 9999), st.integers(0, 9999))
def test_oku_and_man_compose(oku, man):
    text = f"{oku}億{man:,}万円" if man else f"{oku}億円"
    assert parse_amount(text) == Decimal(oku * 10**8 + man * 10**4)


@SETTINGS
@given(st.text(max_size=80))
def test_value_parsers_never_raise(text):
    parse_date(text), find_dates(text), fiscal_year(text), date_problems(text)
    parse_amount(text), parse_amount(text, "千円")


# ───────────────────────── structure ─────────────────────────

_STRUCTURED = st.lists(st.one_of(st.sampled_from([
    "", "# 第1章 法人の概要", "## 一 基本情報", "### 1 名称", "1 名称", "(1) 事務局", "ア 定款の変更", "・機構の業務",
    "科 目\t金額", "現金及び預金\t17,496,370", "\t\t続き", "第3表 令和2年度の代表者会議の開催状況", "(単位：千円)",
    "区分\t予算額\t決算額", "一般事業\t1,000\t900", "本人確認情報処理事業\t2,000", "現金及び預金 758,147,162,546",
    "|--|---|", "| a | b |", "<table><tr><td>x</td></tr></table>", "- 4 -", "<sup>1</sup> 注記。", "\x0c",
    "また、代表者会議は、理事長及び監事の任命を行う。", "うち、LGWAN は", "地方公共団体に提供する。",
]), _LINE), max_size=50)


@SETTINGS
@given(_STRUCTURED)
def test_every_structure_node_lies_inside_the_file(lines):
    text = "\n".join(lines)
    doc = normalise_document("x", "x.txt", text)
    structure = build_structure(doc)
    n = len(doc.lines)
    assert n == len(physical_lines(text))

    def inside(section, parent):
        assert 0 <= section.line <= n and section.end_line <= n
        if parent is not None:
            assert parent.line <= section.line and section.end_line <= parent.end_line
        for block in section.blocks:
            lines_of = [number for _, number in block.spans]
            assert lines_of == sorted(lines_of) and all(1 <= k <= n for k in lines_of)
            assert all(doc.line(k).role == "content" for k in lines_of)
        for table in section.tables:
            assert 1 <= table.line <= table.end_line <= n
            for row in table.rows:
                assert table.line <= row.line <= max(row.line, row.end_line) <= table.end_line
        for child in section.children:
            inside(child, section)

    inside(structure.root, None)


# ───────────────────────── provenance, on the real build ─────────────────────────

def test_every_quote_stands_at_its_source_line(dataset):
    files = {}
    for document, _, name, _ in dataset.quads((None, JLIS.fileName, None, None)):
        text = (ROOT / "data" / str(name)).read_text(encoding="utf-8")
        files[document] = physical_lines(text)
    checked = 0
    for statement, _, _, _ in dataset.quads((None, RDF.type, RDF.Statement, None)):
        document = next(dataset.objects(statement, PROV.wasDerivedFrom))
        line = int(next(dataset.objects(statement, JLIS.sourceLine)))
        quote = str(next(dataset.objects(statement, JLIS.quote)))
        lines = files[document]
        assert 1 <= line <= len(lines), (statement, line)
        assert quote and quote in lines[line - 1], (statement, line, quote, lines[line - 1])
        end = next(dataset.objects(statement, JLIS.sourceLineEnd), None)
        assert end is None or line < int(end) <= len(lines)
        checked += 1
    assert checked > 5000
