"""Indicators: the dated counts the documents state → ``qb:Observation``.

One job: find the counts listed in ``data/reference/indicators.yaml`` (LGWAN-ASP
services, municipalities taking part in コンビニ交付 and the population they
cover, certified private verifiers, Individual Number Cards issued, 本人確認情報
provided, staff, training participants, …) in the sentences, headed sections
and tables of a document, and make each one an observation of the indicator
(``indicator/{slug}``, a ``jlis:Indicator``) with ``jlis:value``, ``jlis:unit``, the
fiscal year it falls in, ``jlis:figureKind`` (count, or forecast when the text
says 見込み) and, where the text dates it, ``dcterms:date`` as precise as the
text (令和2年度末 → 2021-03-31, 平成29年7月 → 2017-07).

The phrases are data: each cue is a regular expression over a sentence (white
space removed) with the placeholders ``{value}``, ``{when}`` and ``{fy}``.  The
same figure stated twice in a document (the summary and the detailed report)
is one observation with two pieces of evidence.  A figure dated after the end
of the document's fiscal year that is not a forecast is a slip of the text:
it is reported (file, line) and not loaded.
"""
from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from ..catalogue import match_form, read_reference_yaml
from ..model import Block, DocumentStructure, Evidence, Extraction, Fact, InputError, NormalisedDocument
from ..values import find_dates, fiscal_year as parse_fiscal_year, parse_amount, parse_date
from .mentions import split_sentences

__all__ = ["extract_indicators", "load_indicators", "INDICATOR_DSD", "INDICATOR_DATASET"]

INDICATORS_FILE = "indicators.yaml"
INDICATOR_DSD = "dsd/indicators"
INDICATOR_DATASET = "dataset/indicators"

_ERA = r"(?:令和|平成)(?:元|\d{1,2})"
MACROS = {
    "{value}": r"(?P<value>約?\d[\d,]*(?:\.\d+)?(?:億(?:\d[\d,]*)?)?万?)",
    "{when}": r"(?P<when>" + _ERA + r"年(?:度末|\d{1,2}月(?:\d{1,2}日)?末?))",
    "{fy}": r"(?P<fy>" + _ERA + r"年度)",
}
_VALUE = re.compile(MACROS["{value}"])
_DIFFERENCE = ("増減", "差", "比較", "比")


@dataclass(frozen=True)
class Cue:
    pattern: re.Pattern
    near: tuple[str, ...] = ()


@dataclass(frozen=True)
class SectionRule:
    title: str
    pattern: re.Pattern


@dataclass(frozen=True)
class TableRule:
    has_rows: tuple[str, ...]
    row: str


@dataclass(frozen=True)
class Indicator:
    id: str
    ja: str
    en: str
    unit: str
    stock: bool
    cues: tuple[Cue, ...] = ()
    sections: tuple[SectionRule, ...] = ()
    tables: tuple[TableRule, ...] = ()

    @property
    def entity(self) -> str:
        return f"indicator/{self.id}"


def _compile(pattern: str, where: str) -> re.Pattern:
    text = pattern
    for macro, regex in MACROS.items():
        text = text.replace(macro, regex)
    try:
        return re.compile(text)
    except re.error as exc:
        raise InputError(f"{where}: bad pattern {pattern!r} ({exc})") from None


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> tuple[Indicator, ...]:
    raw = read_reference_yaml(Path(path), "indicators", "indicators")
    out = []
    for n, item in enumerate(raw["indicators"], 1):
        where = f"{path}: indicator #{n}"
        if not isinstance(item, dict) or not all(k in item for k in ("id", "ja", "en", "unit")):
            raise InputError(f"{where}: needs id, ja, en and unit")
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", str(item["id"])):
            raise InputError(f"{where}: id '{item['id']}' must be lower-case ASCII, digits and -")
        out.append(Indicator(
            id=str(item["id"]), ja=str(item["ja"]), en=str(item["en"]), unit=str(item["unit"]),
            stock=bool(item.get("stock", True)),
            cues=tuple(Cue(_compile(str(c["pattern"]), where), tuple(match_form(w) for w in c.get("near") or ()))
                       for c in item.get("cues") or ()),
            sections=tuple(SectionRule(match_form(str(s["title"])), _compile(str(s["pattern"]), where))
                           for s in item.get("sections") or ()),
            tables=tuple(TableRule(tuple(match_form(r) for r in t.get("has_rows") or ()), match_form(str(t["row"])))
                         for t in item.get("tables") or ()),
        ))
    if len({i.id for i in out}) != len(out):
        raise InputError(f"{path}: an indicator id appears twice")
    return tuple(out)


def load_indicators(path: Path) -> tuple[Indicator, ...]:
    if not path.is_file():
        raise InputError(f"{path}: the indicator list is missing")
    return _load(str(path), path.stat().st_mtime)


# ───────────────────────── values and dates ─────────────────────────

def _squeeze(text: str) -> tuple[str, list[int]]:
    """``text`` without white space, and the offset in ``text`` of each kept character."""
    kept, where = [], []
    for index, ch in enumerate(text):
        if not ch.isspace():
            kept.append(ch)
            where.append(index)
    return "".join(kept), where


def count_value(text: str) -> Decimal | None:
    m = _VALUE.search(match_form(text or ""))
    if not m:
        return None
    value = parse_amount(m.group("value"))
    return value if value is not None and value >= 0 else None


@dataclass(frozen=True)
class When:
    fiscal_year: int
    value: object = None  # datetime.date, or "YYYY-MM" for a month
    datatype: str | None = None  # None: xsd:date; "xsd:gYearMonth"

    @property
    def last_day(self) -> dt.date | None:
        if isinstance(self.value, dt.date):
            return self.value
        if isinstance(self.value, str):
            year, month = map(int, self.value.split("-"))
            return dt.date(year, month, calendar.monthrange(year, month)[1])
        return None


def _fiscal_year_of(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def parse_when(text: str) -> When | None:
    """令和2年度末 → 2021-03-31; 令和3年3月末 → 2021-03-31; 令和3年3月 → 2021-03; 令和3年3月31日."""
    form = match_form(text)
    if form.endswith("年度末"):
        year = parse_fiscal_year(form[:-1])
        return When(year, dt.date(year + 1, 3, 31)) if year else None
    end_of_month = form.endswith("末")
    parsed = parse_date(form.removesuffix("末"))
    if parsed is None or parsed.month is None:
        return None
    if parsed.precision == "day":
        day = dt.date(parsed.year, parsed.month, parsed.day)
        return When(_fiscal_year_of(day), day)
    last = dt.date(parsed.year, parsed.month, calendar.monthrange(parsed.year, parsed.month)[1])
    if end_of_month:
        return When(_fiscal_year_of(last), last)
    return When(_fiscal_year_of(last), f"{parsed.year:04d}-{parsed.month:02d}", "xsd:gYearMonth")


# ───────────────────────── the extractor ─────────────────────────

@dataclass
class _Found:
    indicator: Indicator
    value: Decimal
    when: When | None
    kind: str
    evidence: Evidence


def extract_indicators(doc: NormalisedDocument, structure: DocumentStructure, finder, context,
                       fiscal_year: int, extraction: Extraction) -> list[Fact]:
    """Every count of ``indicators.yaml`` the document states, as a ``qb:Observation``."""
    indicators = load_indicators(Path(context.catalogue.path).parent / INDICATORS_FILE)
    found: list[_Found] = []
    found += _from_sentences(doc, structure, indicators, fiscal_year)
    found += _from_sections(doc, structure, indicators)
    found += _from_tables(doc, structure, indicators, fiscal_year)
    return _facts(doc, found, fiscal_year, extraction)


def _texts(doc: NormalisedDocument, structure: DocumentStructure):
    """(block, the words around it: heading above, or the line citing a footnote)."""
    for block, trail in structure.blocks():
        yield block, match_form(trail[-1].title if trail else "")
    for footnote in structure.footnotes:
        cited = doc.line(footnote.anchor_line).text if footnote.anchor_line else ""
        yield Block(text=footnote.text, spans=((0, footnote.line),), kind="footnote"), match_form(cited)


def _from_sentences(doc, structure, indicators, fiscal_year) -> list[_Found]:
    out = []
    cues = [(indicator, cue) for indicator in indicators for cue in indicator.cues]
    if not cues:
        return out
    for block, around in _texts(doc, structure):
        for offset, sentence in split_sentences(block):
            squeezed, where = _squeeze(sentence)
            for indicator, cue in cues:
                if cue.near and not any(w in squeezed or w in around for w in cue.near):
                    continue
                for m in cue.pattern.finditer(squeezed):
                    value = count_value(m.group("value"))
                    if value is None:
                        continue
                    groups = m.groupdict()
                    when = None
                    if groups.get("when"):
                        when = parse_when(groups["when"])
                    elif groups.get("fy"):
                        year = parse_fiscal_year(groups["fy"])
                        when = When(year) if year else None
                    elif not indicator.stock:
                        year = _sentence_year(sentence)
                        when = When(year) if year else None
                    kind = "forecast" if "見込" in squeezed[m.end():] else "count"
                    start = offset + where[m.start("value")]
                    line = block.line_at(start)
                    end_line = block.line_at(offset + len(sentence) - 1)
                    ev = Evidence(doc.doc_id, line, doc.line(line).raw.strip(), sentence.strip(), max(line, end_line))
                    out.append(_Found(indicator, value, when, kind, ev))
    return out


def _sentence_year(sentence: str) -> int | None:
    return parse_fiscal_year(sentence)


def _from_sections(doc, structure, indicators) -> list[_Found]:
    out = []
    rules = [(indicator, rule) for indicator in indicators for rule in indicator.sections]
    if not rules:
        return out

    def visit(section, trail):
        trail = trail + (section,)
        title = match_form(section.title)
        for indicator, rule in rules:
            if title != rule.title:
                continue
            when = _heading_date(trail)
            for block in section.blocks:
                if block.kind == "heading":
                    continue
                m = rule.pattern.search(match_form(block.text))
                if m and count_value(m.group("value")) is not None:
                    line = block.first_line
                    ev = Evidence(doc.doc_id, line, doc.line(line).raw.strip(),
                                  f"{section.title}: {block.text}", block.last_line)
                    out.append(_Found(indicator, count_value(m.group("value")), when, "count", ev))
                    break
        for child in section.children:
            visit(child, trail)

    visit(structure.root, ())
    return out


def _heading_date(trail) -> When | None:
    """The date a heading above states (基本情報(令和3年3月31日現在))."""
    for section in reversed(trail):
        if "現在" in section.title or "時点" in section.title:
            dates = find_dates(section.title)
            if dates:
                _, _, parsed = dates[-1]
                if parsed.precision == "day":
                    day = dt.date(parsed.year, parsed.month, parsed.day)
                    return When(_fiscal_year_of(day), day)
    return None


def _from_tables(doc, structure, indicators, fiscal_year) -> list[_Found]:
    out = []
    rules = [(indicator, rule) for indicator in indicators for rule in indicator.tables]
    if not rules:
        return out
    for table, _ in structure.tables():
        labels = [match_form(r.cells[0]) if r.cells else "" for r in table.rows]
        for indicator, rule in rules:
            if not all(name in labels for name in rule.has_rows):
                continue
            row = next((r for r, label in zip(table.rows, labels)
                        if label == rule.row and any(count_value(c) is not None for c in r.cells[1:])), None)
            if row is None:
                continue
            for position, header in enumerate(table.header[1:], start=1):
                form = match_form(header)
                if not form or any(word in form for word in _DIFFERENCE) or position >= len(row.cells):
                    continue
                value = count_value(row.cells[position])
                if value is None:
                    continue
                if re.search(r"年度末$|月末$|日$", form):
                    when = parse_when(re.search(_ERA + r".*", form).group(0)) if re.search(_ERA, form) else None
                elif parse_fiscal_year(form):
                    when = When(parse_fiscal_year(form))
                else:
                    when = None  # the document's own year (件数)
                if indicator.stock and when is None:
                    continue
                context = f"{table.caption} {rule.row} [{header}]: {row.cells[position]}".strip()
                ev = Evidence(doc.doc_id, row.line, doc.line(row.line).raw.strip(), context, row.end_line or row.line)
                out.append(_Found(indicator, value, when, "count", ev))
    return out


def observation_id(doc_id: str, indicator: Indicator, when_key: str, value: Decimal) -> str:
    key = f"{doc_id}\x1f{indicator.id}\x1f{when_key}\x1f{value}".encode("utf-8")
    return f"observation/{doc_id}-{hashlib.sha1(key).hexdigest()[:12]}"


def _facts(doc, found: list[_Found], fiscal_year: int, extraction: Extraction) -> list[Fact]:
    facts: list[Fact] = []
    end_of_year = dt.date(fiscal_year + 1, 3, 31)
    described: set[str] = set()
    dataset_done = False
    for item in sorted(found, key=lambda f: (f.evidence.line, f.indicator.id)):
        indicator, when, ev = item.indicator, item.when, item.evidence
        year = when.fiscal_year if when else fiscal_year
        day = when.last_day if when else None
        if item.kind != "forecast" and (year > fiscal_year or (day and day > end_of_year)):
            extraction.warnings.append(
                f"{doc.path}:{ev.line}: indicator {indicator.ja}: {_fmt(item.value)}{indicator.unit} is dated "
                f"after the document's fiscal year (FY{fiscal_year}); a slip of the text, not loaded")
            continue
        when_key = f"{when.value}" if when and when.value else f"FY{year}"
        node = observation_id(doc.doc_id, indicator, f"{when_key}-{item.kind}", item.value)
        # One statement per observation (the value's); the dimensions come from the same sentence.
        facts += [
            Fact(node, "rdf:type", "qb:Observation", ev, statement=False),
            Fact(node, "qb:dataSet", INDICATOR_DATASET, ev, statement=False),
            Fact(node, "jlis:indicator", indicator.entity, ev, statement=False),
            Fact(node, "jlis:fiscalYear", int(year), ev, literal=True, statement=False),
            Fact(node, "jlis:figureKind", item.kind, ev, literal=True, statement=False),
            Fact(node, "jlis:value", item.value, ev, literal=True),
            Fact(node, "jlis:unit", indicator.unit, ev, literal=True, statement=False),
            Fact(node, "jlis:reportedIn", f"document/{doc.doc_id}", ev, statement=False),
        ]
        if when is not None and when.value is not None:
            facts.append(Fact(node, "dcterms:date", when.value, ev, literal=True, datatype=when.datatype,
                              statement=False))
        if indicator.id not in described:
            described.add(indicator.id)
            facts += [
                Fact(indicator.entity, "rdf:type", "jlis:Indicator", ev),
                Fact(indicator.entity, "skos:prefLabel", indicator.ja, ev, literal=True, lang="ja"),
                Fact(indicator.entity, "skos:prefLabel", indicator.en, ev, literal=True, lang="en"),
            ]
        if not dataset_done:
            dataset_done = True
            facts += [
                Fact(INDICATOR_DATASET, "rdf:type", "qb:DataSet", ev),
                Fact(INDICATOR_DATASET, "qb:structure", INDICATOR_DSD, ev),
                Fact(INDICATOR_DATASET, "skos:prefLabel", "指標", ev, literal=True, lang="ja"),
                Fact(INDICATOR_DATASET, "skos:prefLabel", "Indicators", ev, literal=True, lang="en"),
            ]
    return facts


def _fmt(value: Decimal) -> str:
    return f"{value:,}"
