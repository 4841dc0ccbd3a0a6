"""Parsers for the values the documents write: dates, fiscal years, amounts, units.

One job: read a value out of a short piece of Japanese text.  Nothing here
raises on odd input — a parser that cannot read a value returns ``None`` —
except :func:`unit_scale`, which rejects a unit it does not know (a caller bug).

Decisions
    * Dates: 和暦 (明治/大正/昭和/平成/令和, also the letters M/T/S/H/R with ``.`` or
      ``年``), ``元年``, full-width digits and letter-spaced digits
      (``令和 3 年 6 月 2 3 日``) and 西暦 (``2021年6月23日``, ``2021-06-23``,
      ``2021/6/23``, ``2021.6.23``).  Era years beyond the era's end are accepted
      (plans say ``平成33年度`` for 2021) up to 99; months and days must exist in
      the calendar.  ``令和2年度`` is a fiscal year, not a date, and is left to
      :func:`fiscal_year`.
    * :func:`find_dates` also reads parts that lean on the date before them in
      the same string: ``同年11月``, ``同月5日``, and a bare ``20日`` / ``11月1日`` /
      ``3月`` that follows a date after a separator (``、``, ``～``, ``及び``…), as
      in ``令和2年10月16日、20日～22日``.  A range ``12月18日～1月7日`` rolls
      over into the next year.  Offsets always index the string as given.
    * Amounts: ``△``/``▲``/``-`` and ``(1,234)`` are negative (``(△1,234)`` is
      −1,234, not a double negative); a cell that is only a dash (``-``, ``―``, ``—``)
      means nil and reads as 0; ``億``/``万``/``兆`` inside the number multiply
      (``1億3,400万円``); a unit written in the string wins over the ``unit``
      argument; results are exact ``Decimal``s in yen, integral when they can be.
"""
from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext

__all__ = [
    "ParsedDate",
    "parse_date",
    "find_dates",
    "fiscal_year",
    "parse_amount",
    "unit_scale",
    "find_unit",
    "ERAS",
    "date_problems",
]

# (name, letter, first day): the era in effect from that day on.
ERAS = (
    ("明治", "M", (1868, 1, 1)),
    ("大正", "T", (1912, 7, 30)),
    ("昭和", "S", (1926, 12, 25)),
    ("平成", "H", (1989, 1, 8)),
    ("令和", "R", (2019, 5, 1)),
)
_ERA_BASE = {name: start[0] - 1 for name, _, start in ERAS}
_ERA_BASE.update({letter: start[0] - 1 for _, letter, start in ERAS})
_MAX_ERA_YEAR = 99

# Full-width digits and spaces map one to one, so offsets survive.
_WIDTH = str.maketrans("０１２３４５６７８９\u3000．／－", "0123456789 ./-")


@dataclass(frozen=True)
class ParsedDate:
    """A date as precise as the text: year, year-month or year-month-day."""

    year: int
    month: int | None = None
    day: int | None = None
    precision: str = "day"  # year | month | day

    def iso(self) -> str:
        if self.precision == "year" or self.month is None:
            return f"{self.year:04d}"
        if self.precision == "month" or self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def wareki(self) -> str:
        """The date written in 和暦 (``令和3年6月23日``); 西暦 before 1868."""
        key = (self.year, self.month or 12, self.day or 31)
        era = None
        for name, _, start in ERAS:
            if key >= start:
                era = name
        if era is None or self.year - _ERA_BASE[era] > _MAX_ERA_YEAR:
            body = f"{self.year}年"
        else:
            n = self.year - _ERA_BASE[era]
            body = f"{era}{'元' if n == 1 else n}年"
        if self.month is not None and self.precision in ("month", "day"):
            body += f"{self.month}月"
            if self.day is not None and self.precision == "day":
                body += f"{self.day}日"
        return body


def _make(year: int, month: int | None, day: int | None) -> ParsedDate | None:
    if not 1 <= year <= 9999:
        return None
    if month is None:
        return ParsedDate(year, None, None, "year")
    if not 1 <= month <= 12:
        return None
    if day is None:
        return ParsedDate(year, month, None, "month")
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return ParsedDate(year, month, day, "day")


_D2 = r"\d(?: ?\d)?"  # one or two digits, possibly letter-spaced ("2 3")
_S = r" *"
_ERA_NAMES = r"明治|大正|昭和|平成|令和"
_WAREKI = re.compile(
    r"(?P<era>" + _ERA_NAMES + r")" + _S + r"(?P<y>元|" + _D2 + r")" + _S + r"年(?!" + _S + r"度)"
    r"(?:" + _S + r"(?P<m>" + _D2 + r")" + _S + r"月(?:" + _S + r"(?P<d>" + _D2 + r")" + _S + r"日)?)?"
)
_WAREKI_ABBR = re.compile(
    r"(?<![A-Za-z])(?P<era>[MTSHR])" + _S + r"(?P<y>元|\d{1,2})" + _S + r"[./]" + _S + r"(?P<m>\d{1,2})"
    r"(?:" + _S + r"[./]" + _S + r"(?P<d>\d{1,2}))?(?![\d])"
)
_SEIREKI_KANJI = re.compile(
    r"(?<![\d,.])(?P<y>\d{4})" + _S + r"年(?!" + _S + r"度)"
    r"(?:" + _S + r"(?P<m>" + _D2 + r")" + _S + r"月(?:" + _S + r"(?P<d>" + _D2 + r")" + _S + r"日)?)?"
)
_SEIREKI_SEP = re.compile(
    r"(?<![\d,.])(?P<y>(?:1[89]|20)\d{2})(?P<sep>[-/.])(?P<m>\d{1,2})(?:(?P=sep)(?P<d>\d{1,2}))?(?![\d])"
)
_SAME = re.compile(
    r"同" + _S + r"(?:年" + _S + r"(?P<m>" + _D2 + r")" + _S + r"月(?:" + _S + r"(?P<d>" + _D2 + r")" + _S + r"日)?"
    r"|月" + _S + r"(?P<d2>" + _D2 + r")" + _S + r"日)"
)
_BARE_MD = re.compile(r"(?<![\d年])(?P<m>\d{1,2})" + _S + r"月(?:" + _S + r"(?P<d>\d{1,2})" + _S + r"日)?")
_BARE_D = re.compile(r"(?<![\d月])(?P<d>\d{1,2})" + _S + r"日")
_SEPARATORS = re.compile(r"^[ 、,，・～~\-－―から及びまでと並びにかつ]{1,6}$")
_RANGE = re.compile(r"[～~\-－―]|から")


def _num(s: str | None) -> int | None:
    if s is None:
        return None
    if s == "元":
        return 1
    return int(s.replace(" ", ""))


def _absolute(m: re.Match, kind: str) -> ParsedDate | None:
    y = _num(m.group("y"))
    if kind == "wareki":
        if y is None or not 1 <= y <= _MAX_ERA_YEAR:
            return None
        y += _ERA_BASE[m.group("era")]
    return _make(y, _num(m.group("m")), _num(m.group("d")))


def find_dates(s: str) -> list[tuple[int, int, ParsedDate]]:
    """All dates in ``s`` as ``(start, end, date)``, in order of appearance."""
    if not isinstance(s, str) or not s:
        return []
    t = s.translate(_WIDTH)
    found: list[tuple[int, int, ParsedDate]] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    for pattern, kind in ((_WAREKI, "wareki"), (_WAREKI_ABBR, "wareki"), (_SEIREKI_KANJI, "seireki"), (_SEIREKI_SEP, "seireki")):
        for m in pattern.finditer(t):
            if not free(m.start(), m.end()):
                continue
            if pattern is _SEIREKI_SEP and m.group("sep") == "." and m.group("d") is None:
                continue  # "2021.5" is a decimal, not May 2021
            d = _absolute(m, kind)
            if d is not None:
                found.append((m.start(), m.end(), d))
                taken.append((m.start(), m.end()))
    found.sort(key=lambda x: x[0])
    if not found and "同" not in t:
        return found
    # Relative parts, resolved left to right against the date before them.
    relative: list[tuple[int, int, str, re.Match]] = []
    for m in _SAME.finditer(t):
        if free(m.start(), m.end()):
            relative.append((m.start(), m.end(), "same", m))
    for m in _BARE_MD.finditer(t):
        if free(m.start(), m.end()):
            relative.append((m.start(), m.end(), "md", m))
    for m in _BARE_D.finditer(t):
        if free(m.start(), m.end()):
            relative.append((m.start(), m.end(), "d", m))
    if not relative:
        return found
    # "同年11月" also contains a bare "11月": keep the first, longest reading.
    priority = {"same": 0, "md": 1, "d": 2}
    relative.sort(key=lambda x: (x[0], priority[x[2]]))
    kept: list[tuple[int, int, str, re.Match]] = []
    for item in relative:
        if not kept or item[0] >= kept[-1][1]:
            kept.append(item)
    relative = kept
    out: list[tuple[int, int, ParsedDate]] = []
    events = sorted([(a, b, "abs", d) for a, b, d in found] + [(a, b, kind, m) for a, b, kind, m in relative], key=lambda x: x[0])
    prev: tuple[int, ParsedDate] | None = None  # (end offset, date)
    for a, b, kind, payload in events:
        if kind == "abs":
            out.append((a, b, payload))
            prev = (b, payload)
            continue
        if prev is None:
            continue
        gap = t[prev[0]: a]
        base = prev[1]
        if kind == "same":
            m = payload
            if m.group("d2") is not None:
                if base.month is None:
                    continue
                d = _make(base.year, base.month, _num(m.group("d2")))
            else:
                d = _make(base.year, _num(m.group("m")), _num(m.group("d")))
        else:
            if len(gap) > 6 or not _SEPARATORS.match(gap or " "):
                continue
            m = payload
            if kind == "md":
                month, day = _num(m.group("m")), _num(m.group("d"))
                year = base.year
                if _RANGE.search(gap) and base.month is not None and month is not None and month < base.month:
                    year += 1  # "12月18日～1月7日" crosses the new year
                d = _make(year, month, day)
            else:
                if base.month is None:
                    continue
                d = _make(base.year, base.month, _num(m.group("d")))
        if d is not None:
            out.append((a, b, d))
            prev = (b, d)
    return out


def parse_date(s: str) -> ParsedDate | None:
    """The first date written in ``s`` (``None`` when there is none or it is invalid)."""
    try:
        dates = find_dates(s)
    except Exception:  # noqa: BLE001 - the contract is "never raise"
        return None
    return dates[0][2] if dates else None


_FY_ERA = re.compile(r"(?P<era>" + _ERA_NAMES + r"|(?<![A-Za-z])[MTSHR])" + _S + r"(?P<y>元|\d{1,2})" + _S + r"(?:年" + _S + r"度|(?=決算|予算|補正))")
_FY_WEST = re.compile(r"(?<![\d,.])(?P<y>(?:1[89]|20)\d{2})" + _S + r"年" + _S + r"度|(?<![A-Za-z])FY" + _S + r"(?P<y2>(?:1[89]|20)\d{2})")
_FY_BARE = re.compile(r"(?<![\d,.])(?P<y>\d{1,2})" + _S + r"年" + _S + r"度")


def fiscal_year(s: str, default_era: str | None = None) -> int | None:
    """The Western year a fiscal year starts in: ``令和2年度`` → 2020.

    ``R2年度``, ``H30決算``, ``2020年度`` and ``FY2020`` are read too.  A bare
    ``28年度`` needs ``default_era`` (``"平成"``), since the documents leave the era
    out only where it is obvious to a reader.
    """
    if not isinstance(s, str) or not s:
        return None
    t = unicodedata.normalize("NFKC", s)
    m = _FY_ERA.search(t)
    west = _FY_WEST.search(t)
    if m and (not west or m.start() <= west.start()):
        y = _num(m.group("y"))
        if y and 1 <= y <= _MAX_ERA_YEAR:
            return _ERA_BASE[m.group("era")] + y
    if west:
        return int(west.group("y") or west.group("y2"))
    if default_era:
        b = _FY_BARE.search(t)
        base = _ERA_BASE.get(default_era)
        if b and base is not None:
            y = int(b.group("y"))
            if 1 <= y <= _MAX_ERA_YEAR:
                return base + y
    return None


_UNITS = {
    "円": 1,
    "千円": 1_000,
    "万円": 10_000,
    "百万円": 1_000_000,
    "千万円": 10_000_000,
    "億円": 100_000_000,
    "兆円": 1_000_000_000_000,
}


def unit_scale(unit: str) -> int:
    """Yen per unit: ``円`` 1, ``千円`` 1000, ``百万円`` 10⁶, ``億円`` 10⁸ (``円`` may be left out).

    An empty unit is 1.  An unknown unit is a caller error: ``ValueError``.
    """
    u = re.sub(r"\s+", "", unicodedata.normalize("NFKC", unit or ""))
    u = u.strip("()（）[]［］")
    if u.startswith("単位"):
        u = u[2:].lstrip(":：")
    if u == "":
        return 1
    if u in _UNITS:
        return _UNITS[u]
    if u + "円" in _UNITS:
        return _UNITS[u + "円"]
    raise ValueError(f"unknown unit: {unit!r}")


_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_AMOUNT_PART = re.compile(r"(" + _NUMBER + r")(兆|億|万|千)?")
_DASHES = {"-", "―", "—", "−", "‐", "ー", "－", "–"}


def parse_amount(s: str, unit: str = "") -> Decimal | None:
    """An amount of money in yen, or ``None`` when ``s`` is not one.

    ``unit`` is the table's unit (``千円``…) and applies when ``s`` names none.
    """
    scale_default = unit_scale(unit)
    if not isinstance(s, str) or len(s) > 60:
        return None
    with localcontext() as ctx:
        ctx.prec = 120  # exact arithmetic for any amount that fits in 60 characters
        return _parse_amount(s, scale_default)


def _parse_amount(s: str, scale_default: int) -> Decimal | None:
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))
    if not t:
        return None
    if t in _DASHES or t in ("--", "―――"):
        return Decimal(0)
    negative = False
    closed = re.match(r"^\((.+)\)(\D+)$", t)
    if closed and closed.group(2) in _UNITS:  # "(1,234)千円": the unit after the brackets
        t = f"({closed.group(1)}{closed.group(2)})"
    if t.startswith("(") and t.endswith(")"):
        negative = True
        t = t[1:-1]
    if t[:1] in ("△", "▲", "-", "−"):
        negative = True
        t = t[1:]
    t = t.removeprefix("約")
    own_unit = None
    for u in sorted(_UNITS, key=len, reverse=True):
        if t.endswith(u):
            own_unit = u
            t = t[: -len(u)]
            break
    if own_unit in ("万円", "億円", "兆円") and any(c in t for c in "兆億万"):
        # "1億3,400万円": the 万 belongs to the last part, not to the whole.
        t += own_unit[0]
        own_unit = "円"
    if not t:
        return None
    total = Decimal(0)
    pos = 0
    saw_multiplier = False
    multipliers = {"兆": 10**12, "億": 10**8, "万": 10**4, "千": 10**3}
    last_mult = None
    while pos < len(t):
        m = _AMOUNT_PART.match(t, pos)
        if not m:
            return None
        try:
            value = Decimal(m.group(1).replace(",", ""))
        except InvalidOperation:
            return None
        mult = m.group(2)
        if mult:
            if last_mult is not None and multipliers[mult] >= multipliers[last_mult]:
                return None  # "3万2億" is not a number
            value *= multipliers[mult]
            saw_multiplier = True
            last_mult = mult
        elif m.end() != len(t):
            return None
        total += value
        pos = m.end()
    if own_unit is not None:
        total *= _UNITS[own_unit]
    elif not saw_multiplier:
        total *= scale_default
    if negative and total != 0:
        total = -total
    if total == total.to_integral_value():
        total = Decimal(int(total))
    return total


_UNIT_RE = re.compile(r"単位\s*[:：]?\s*([^)）\]］\s、,]+)")


def find_unit(s: str) -> str | None:
    """The unit a caption states: ``(単位：千円)`` → ``千円``; ``None`` if it states none."""
    if not isinstance(s, str) or "単位" not in s:
        return None
    m = _UNIT_RE.search(unicodedata.normalize("NFKC", s))
    if not m:
        return None
    return m.group(1)


_DATE_LIKE = re.compile(
    r"(?P<era>[\u4e00-\u9fff]{2})" + _S + r"(?P<y>元|\d{1,3})" + _S + r"年" + _S + r"(?P<m>\d{1,3})" + _S + r"月"
    r"(?:" + _S + r"(?P<d>\d{1,3})" + _S + r"日)?"
)


def date_problems(s: str) -> list[str]:
    """What is wrong with the 和暦 dates of ``s`` that the parsers leave unread.

    ``令和99年13月`` (no 13th month), ``平成31年2月30日``, ``光文3年4月1日`` (an era name
    the parsers do not know): one short message each, for the build to warn about —
    such a date is kept as text and never becomes a ``dcterms:date``.
    """
    if not isinstance(s, str) or "年" not in s:
        return []
    t = unicodedata.normalize("NFKC", s)
    problems = []
    for m in _DATE_LIKE.finditer(t):
        written = m.group(0)
        era = m.group("era")
        if era not in _ERA_BASE:
            problems.append(f"unknown era '{era}' in '{written}': not read as a date")
            continue
        year, month, day = _num(m.group("y")), _num(m.group("m")), _num(m.group("d"))
        if not 1 <= year <= _MAX_ERA_YEAR:
            problems.append(f"'{written}': year {year} of {era} is out of range 1–{_MAX_ERA_YEAR}: not read as a date")
        elif not 1 <= month <= 12:
            problems.append(f"'{written}': there is no month {month}: not read as a date")
        elif day is not None and _make(_ERA_BASE[era] + year, month, day) is None:
            problems.append(f"'{written}': {month}月 has no day {day}: not read as a date")
    return problems
